// A Workers deployment's budget stores (middleware/budget-store.ts) in one Durable Object, so that a flood
// spread over isolates is limited as if it hit one box: the budgets of rate-limit.ts, the loads that set the
// proof of work's difficulty (pow.ts) and mailbox fetches' spent seeds, for both tiers, in the object's
// memory. Nothing goes to the object's storage, not even for `writes`: a trace of a mailbox check would mark
// the tip after it (docs/INVARIANTS.md, invariant 3), and what a budget counts is worth nothing once its
// window is over. An object that is evicted or restarted (idle, or a new deploy) starts from zero, as a
// restarted single box does.
//
// Every isolate reaches the one object named "budgets" with one fetch per call (a small JSON protocol: the
// class extends nothing and the bundle imports nothing, tests/workers/worker-bundle.test.ts). The object
// runs one call at a time and each call is one synchronous step of MemoryBudgets, so two isolates can never
// both take the last unit of a window. An object that does not answer fails closed: the call raises
// StoreUnavailableError and the request gets 503 `unavailable` with Retry-After (http-error.ts), never an
// uncounted admission.
import { z } from "zod";
import { type Admission, type BudgetCounters, type BudgetStores, MemoryBudgets, type TakeRequest } from "../middleware/budget-store.js";
import { StoreUnavailableError } from "../unavailable.js";
import type { DurableObjectNamespace } from "./bindings.js";

const tier = z.enum(["writes", "reads"]);
const name = z.string().min(1).max(200);
const time = z.number().finite().nonnegative();

/** One call to the object: a method of BudgetCounters or SpentSeeds on one tier (spent seeds are `reads` only). */
const budgetCall = z.discriminatedUnion("op", [
  z.object({
    op: z.literal("take"),
    tier,
    budget: name,
    key: name,
    limit: z.number().int().nonnegative(),
    windowSeconds: z.number().int().positive(),
    nowMs: time,
    maxKeys: z.number().int().positive().optional(),
  }),
  z.object({ op: z.literal("record"), tier, rate: name, nowMs: time }),
  z.object({ op: z.literal("perMinute"), tier, rate: name, nowMs: time }),
  z.object({ op: z.literal("spend"), seed: name, expires: time, nowSeconds: time }),
]);

export type BudgetCall = z.infer<typeof budgetCall>;

/** The Durable Object class (wrangler.toml binds it as BUDGETS; the Workers entry exports it). */
export class BudgetsObject {
  private readonly tiers = { writes: new MemoryBudgets(), reads: new MemoryBudgets() };
  /** The latest time any caller has reported: isolates' clocks differ a little, and a window must never go back. */
  private clockMs = 0;

  /** The runtime passes the object's state and the worker's env; this object needs neither (it stores nothing). */
  constructor(_state?: unknown, _env?: unknown) {}

  private now(ms: number): number {
    return (this.clockMs = Math.max(this.clockMs, ms));
  }

  /** One call, answered synchronously: the object's single thread runs it as one step. */
  answer(call: BudgetCall): Admission | number | string | null {
    switch (call.op) {
      case "take": {
        const { op: _op, tier: t, nowMs, ...rest } = call;
        return this.tiers[t].takeNow({ ...rest, nowMs: this.now(nowMs) });
      }
      case "record":
        this.tiers[call.tier].recordNow(call.rate, this.now(call.nowMs));
        return null;
      case "perMinute":
        return this.tiers[call.tier].perMinuteNow(call.rate, this.now(call.nowMs));
      case "spend":
        return this.tiers.reads.spendNow(call.seed, call.expires, Math.floor(this.now(call.nowSeconds * 1000) / 1000));
    }
  }

  async fetch(request: Request): Promise<Response> {
    const parsed = budgetCall.safeParse(await request.json().catch(() => undefined));
    if (!parsed.success) return Response.json({ error: "bad_call" }, { status: 400 });
    return Response.json({ result: this.answer(parsed.data) });
  }
}

/** The name of the one object every isolate asks. */
export const BUDGETS_OBJECT_NAME = "budgets";

/** One tier's counters, each call one round trip to the object. */
class ObjectCounters implements BudgetCounters {
  constructor(
    protected readonly call: <T>(c: BudgetCall) => Promise<T>,
    protected readonly tier: "writes" | "reads",
  ) {}

  take(r: TakeRequest): Promise<Admission> {
    const { maxKeys, ...rest } = r;
    return this.call<Admission>({ op: "take", tier: this.tier, ...rest, ...(maxKeys === undefined ? {} : { maxKeys }) });
  }

  async record(rate: string, nowMs: number): Promise<void> {
    await this.call<null>({ op: "record", tier: this.tier, rate, nowMs });
  }

  perMinute(rate: string, nowMs: number): Promise<number> {
    return this.call<number>({ op: "perMinute", tier: this.tier, rate, nowMs });
  }
}

class ObjectReads extends ObjectCounters {
  spend(seed: string, expires: number, nowSeconds: number): Promise<"fresh" | "spent" | "full"> {
    return this.call<"fresh" | "spent" | "full">({ op: "spend", seed, expires, nowSeconds });
  }
}

/**
 * The budget stores of a Workers deployment: both tiers in the Durable Object `namespace` names
 * BUDGETS_OBJECT_NAME. A call the object does not answer (unreachable, reset, overloaded, a refused call)
 * raises StoreUnavailableError: the request is refused with 503, never let through uncounted.
 */
export function durableObjectBudgets(namespace: DurableObjectNamespace): BudgetStores {
  const call = async <T>(body: BudgetCall): Promise<T> => {
    let res: Response;
    try {
      // A fresh stub per call: a stub that saw an error may stay broken (Cloudflare's advice); getting one is local.
      const stub = namespace.get(namespace.idFromName(BUDGETS_OBJECT_NAME));
      res = await stub.fetch("https://budgets.invalid/", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    } catch {
      throw new StoreUnavailableError("budgets object unreachable");
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new StoreUnavailableError(`budgets object answered ${res.status}`);
    }
    const answer = (await res.json().catch(() => null)) as { result?: T } | null;
    if (!answer || !("result" in answer)) throw new StoreUnavailableError("budgets object answered no result");
    return answer.result as T;
  };
  return { writes: new ObjectCounters(call, "writes"), reads: new ObjectReads(call, "reads") };
}
