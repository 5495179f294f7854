// Where anonymous requests are counted (docs/SCALING.md, "Budgets across nodes"): the budgets of
// rate-limit.ts, the loads that set the proof of work's difficulty (pow.ts) and the spent seeds of mailbox
// fetches. One seam, three places: this process's memory (the single box), PostgreSQL tables shared by
// every node (postgres/pg-budgets.ts), a Durable Object shared by every Workers isolate
// (workers/budgets-object.ts).
//
// Two tiers, because a mailbox fetch must leave no stored byte (docs/INVARIANTS.md, invariant 3: a trace
// of a mailbox check marks the tip after it as a follow-up): `writes` counts uploads, parts and
// submissions, which store rows anyway, and may live in a database; `reads` counts mailbox fetches and
// challenges issued and holds mailbox fetches' spent seeds, and lives only in memory (a process's, or the
// Durable Object's).
export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface BudgetCounters {
  /**
   * Counts one request against `budget` for `key` in the clock-aligned window of `windowSeconds` that
   * holds `nowMs`, if fewer than `limit` were counted there; refused otherwise (nothing counted). `maxKeys`
   * bounds the keys one window tracks: past it, a new key is refused.
   */
  take(request: TakeRequest): Promise<Admission>;
  /** Counts one event into the recent rate `rate`. */
  record(rate: string, nowMs: number): Promise<void>;
  /** Events of `rate` in roughly the last minute. */
  perMinute(rate: string, nowMs: number): Promise<number>;
}

export interface TakeRequest {
  budget: string;
  key: string;
  limit: number;
  windowSeconds: number;
  nowMs: number;
  maxKeys?: number | undefined;
}

export interface SpentSeeds {
  /** Marks `seed` (valid until `expires`, in seconds) spent: "spent" if it was already, "full" if no room is left. */
  spend(seed: string, expires: number, nowSeconds: number): Promise<"fresh" | "spent" | "full">;
}

export interface BudgetStores {
  /** Budgets and load of anonymous writes: may live in the deployment's database. */
  writes: BudgetCounters;
  /** Budgets, load and spent seeds of requests that store nothing: memory only. */
  reads: BudgetCounters & SpentSeeds;
}

/** The first second of the clock-aligned window of `windowSeconds` that holds `nowMs`. */
export const windowStart = (nowMs: number, windowSeconds: number) => Math.floor(nowMs / 1000 / windowSeconds) * windowSeconds;

/** Seconds until the window that holds `nowMs` ends, at least one: a refusal's Retry-After. */
export const secondsLeft = (nowMs: number, windowSeconds: number) =>
  Math.max(1, Math.ceil(windowStart(nowMs, windowSeconds) + windowSeconds - nowMs / 1000));

/**
 * Fixed-window counters per key. Windows are aligned to the clock, so counters for a past window are
 * dropped wholesale and memory stays bounded by the keys seen in one window (and by `maxKeys`).
 */
export class RateLimiter {
  private windowStart = 0;
  private readonly counts = new Map<string, number>();

  constructor(
    readonly limit: number,
    readonly windowSeconds: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Counts one request for `key` if the budget allows it. */
  take(key: string, nowMs: number): Admission {
    const start = windowStart(nowMs, this.windowSeconds);
    if (start !== this.windowStart) {
      this.counts.clear();
      this.windowStart = start;
    }
    const used = this.counts.get(key) ?? 0;
    if (used >= this.limit || (used === 0 && this.counts.size >= this.maxKeys)) {
      return { ok: false, retryAfterSeconds: secondsLeft(nowMs, this.windowSeconds) };
    }
    this.counts.set(key, used + 1);
    return { ok: true };
  }
}

/** Sliding count of events over the last minute in ten-second buckets: the load that sets the difficulty. */
export class RecentRate {
  private readonly buckets = new Array<number>(6).fill(0);
  private bucketStart = 0;

  private roll(nowMs: number): void {
    const slot = Math.floor(nowMs / 10_000);
    if (slot === this.bucketStart) return;
    const steps = Math.min(6, Math.max(0, slot - this.bucketStart));
    for (let i = 0; i < steps; i++) {
      this.buckets.pop();
      this.buckets.unshift(0);
    }
    this.bucketStart = slot;
  }

  record(nowMs: number): void {
    this.roll(nowMs);
    this.buckets[0]!++;
  }

  /** Events in roughly the last minute. */
  perMinute(nowMs: number): number {
    this.roll(nowMs);
    return this.buckets.reduce((a, b) => a + b, 0);
  }
}

/**
 * Spent seeds of requests that store nothing (mailbox fetches), kept in memory: a database row would be
 * the one write a mailbox check leaves, and a check just before a tip would mark the tip as a follow-up
 * (docs/INVARIANTS.md, invariant 3). Whoever holds this memory refuses a seed it has seen: one process, or
 * the Durable Object every Workers isolate asks. Several Node processes each hold their own, and another
 * one may accept a seed once more, which costs one more read of a mailbox the sender can read anyway.
 */
export class SpentInMemory {
  private readonly spent = new Map<string, number>();
  private lastSweep = 0;

  constructor(private readonly maxSeeds = 200_000) {}

  /** Marks `seed` (valid until `expires`, in seconds) spent: "spent" if it was already, "full" if no room is left. */
  spend(seed: string, expires: number, nowSeconds: number): "fresh" | "spent" | "full" {
    if (nowSeconds - this.lastSweep >= 60 || this.spent.size >= this.maxSeeds) {
      this.lastSweep = nowSeconds;
      for (const [s, e] of this.spent) if (e < nowSeconds) this.spent.delete(s);
    }
    if (this.spent.has(seed)) return "spent";
    if (this.spent.size >= this.maxSeeds) return "full";
    this.spent.set(seed, expires);
    return "fresh";
  }
}

/**
 * Everything in this process's memory: exact for one process (the single box), and what the Durable
 * Object keeps for every isolate of a Workers deployment. Synchronous underneath; the Durable Object calls
 * the `…Now` methods so that one call is one step of its single thread.
 */
export class MemoryBudgets implements BudgetCounters, SpentSeeds {
  private readonly limiters = new Map<string, RateLimiter>();
  private readonly rates = new Map<string, RecentRate>();
  private readonly seeds: SpentInMemory;

  constructor(maxSeeds?: number) {
    this.seeds = new SpentInMemory(maxSeeds);
  }

  takeNow(r: TakeRequest): Admission {
    // One limiter per budget, window and limit: a budget's settings never change within one deployment.
    const id = `${r.budget}\n${r.windowSeconds}\n${r.limit}\n${r.maxKeys ?? ""}`;
    let limiter = this.limiters.get(id);
    if (!limiter) this.limiters.set(id, (limiter = new RateLimiter(r.limit, r.windowSeconds, r.maxKeys)));
    return limiter.take(r.key, r.nowMs);
  }

  recordNow(rate: string, nowMs: number): void {
    let recent = this.rates.get(rate);
    if (!recent) this.rates.set(rate, (recent = new RecentRate()));
    recent.record(nowMs);
  }

  perMinuteNow(rate: string, nowMs: number): number {
    return this.rates.get(rate)?.perMinute(nowMs) ?? 0;
  }

  spendNow(seed: string, expires: number, nowSeconds: number): "fresh" | "spent" | "full" {
    return this.seeds.spend(seed, expires, nowSeconds);
  }

  async take(r: TakeRequest): Promise<Admission> {
    return this.takeNow(r);
  }

  async record(rate: string, nowMs: number): Promise<void> {
    this.recordNow(rate, nowMs);
  }

  async perMinute(rate: string, nowMs: number): Promise<number> {
    return this.perMinuteNow(rate, nowMs);
  }

  async spend(seed: string, expires: number, nowSeconds: number): Promise<"fresh" | "spent" | "full"> {
    return this.spendNow(seed, expires, nowSeconds);
  }
}

/** The single box's stores: both tiers in this process's memory, each its own, as they are elsewhere. */
export function memoryBudgets(): BudgetStores {
  return { writes: new MemoryBudgets(), reads: new MemoryBudgets() };
}
