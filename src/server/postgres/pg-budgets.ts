// The `writes` tier of the budget stores (middleware/budget-store.ts) in PostgreSQL, shared by every
// `sealdrop serve` node on one database, so a flood split over the nodes is limited as if it hit one.
// One row per budget and clock-aligned window (budget_windows, migration 0009), counted by one atomic
// upsert: two nodes can never both take the last unit of a window. Only keyless budgets are stored ("all":
// counts, nothing about a requester); the `reads` tier (mailbox fetches, challenges) stays in each node's
// memory, because a stored trace of a mailbox check would mark the tip after it (docs/INVARIANTS.md, 3).
import { type Kysely, sql } from "kysely";
import type { Database } from "../db/schema.js";
import { type Admission, type BudgetCounters, type BudgetStores, MemoryBudgets, secondsLeft, type TakeRequest, windowStart } from "../middleware/budget-store.js";

/** The window of a recent rate: its count is the current minute's plus the share of the last one still in view. */
const RATE_WINDOW_SECONDS = 60;

export class PostgresBudgets implements BudgetCounters {
  private lastSweep = 0;

  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Drops windows that ended more than a rate's window ago (a budget needs only its current window, a
   * sliding rate the one before), once a minute per node.
   */
  private async sweep(nowMs: number): Promise<void> {
    const nowSeconds = Math.floor(nowMs / 1000);
    if (nowSeconds - this.lastSweep < 60) return;
    this.lastSweep = nowSeconds;
    await this.db
      .deleteFrom("budget_windows")
      .where("window_end", "<", nowSeconds - RATE_WINDOW_SECONDS)
      .execute();
  }

  /** Adds one to `budget`'s window ending at `windowEnd` unless it holds `limit` already; whether it did. */
  private async increment(budget: string, windowEnd: number, limit: number | null): Promise<boolean> {
    const row = await this.db
      .insertInto("budget_windows")
      .values({ budget, window_end: windowEnd, used: 1 })
      .onConflict((oc) => {
        const update = oc.columns(["budget", "window_end"]).doUpdateSet({ used: sql<number>`budget_windows.used + 1` });
        return limit === null ? update : update.where("budget_windows.used", "<", limit);
      })
      .returning("used")
      .executeTakeFirst();
    return row !== undefined;
  }

  async take(r: TakeRequest): Promise<Admission> {
    if (r.key !== "all") throw new Error(`budget ${r.budget}: only keyless budgets are stored in PostgreSQL`);
    await this.sweep(r.nowMs);
    const end = windowStart(r.nowMs, r.windowSeconds) + r.windowSeconds;
    if (r.limit >= 1 && (await this.increment(r.budget, end, r.limit))) return { ok: true };
    return { ok: false, retryAfterSeconds: secondsLeft(r.nowMs, r.windowSeconds) };
  }

  async record(rate: string, nowMs: number): Promise<void> {
    await this.sweep(nowMs);
    await this.increment(rate, windowStart(nowMs, RATE_WINDOW_SECONDS) + RATE_WINDOW_SECONDS, null);
  }

  /** The current window's count plus the last window's, weighted by how much of it the last minute still covers. */
  async perMinute(rate: string, nowMs: number): Promise<number> {
    const end = windowStart(nowMs, RATE_WINDOW_SECONDS) + RATE_WINDOW_SECONDS;
    const rows = await this.db
      .selectFrom("budget_windows")
      .select(["window_end", "used"])
      .where("budget", "=", rate)
      .where("window_end", "in", [end, end - RATE_WINDOW_SECONDS])
      .execute();
    const used = (e: number) => Number(rows.find((row) => Number(row.window_end) === e)?.used ?? 0);
    const elapsed = nowMs / 1000 - (end - RATE_WINDOW_SECONDS);
    return used(end) + Math.round(used(end - RATE_WINDOW_SECONDS) * Math.max(0, 1 - elapsed / RATE_WINDOW_SECONDS));
  }
}

/** A PostgreSQL deployment's stores: writes in the shared tables, reads in this node's memory. */
export function postgresBudgets(db: Kysely<Database>): BudgetStores {
  return { writes: new PostgresBudgets(db), reads: new MemoryBudgets() };
}
