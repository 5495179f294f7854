// Request budgets that need no IP address (docs/SECURITY.md, "Rate limits"): `budget()` is a middleware
// counting requests in fixed windows, for all requests it guards together or per key (a mailbox id).
// Counted where the deployment's BudgetStores say (budget-store.ts): this process (the single box), the
// PostgreSQL every node shares, or the Durable Object every Workers isolate asks, so a flood split over
// nodes or isolates is limited as if it hit one (docs/SCALING.md).
import type { Context, MiddlewareHandler } from "hono";
import { type BudgetCounters, MemoryBudgets } from "./budget-store.js";
import { HttpError } from "../http-error.js";

// Separate budgets, so that mailbox polls and never-finished uploads cannot use up the room for a
// source's submission (docs/SECURITY.md, "A flood cannot starve real sources").
export interface RateLimitConfig {
  /** Submissions (`POST /api/submissions`: first tips and follow-ups) the whole server accepts per minute. */
  submissionsPerMinute: number;
  /** Upload writes (`POST /api/uploads` and every part) the whole server accepts per minute. */
  uploadWritesPerMinute: number;
  /** Mailbox fetches the whole server accepts per minute, whatever the mailbox. */
  mailboxFetchesPerMinute: number;
  /** Fetches of one mailbox id per hour, whether or not that mailbox exists. */
  mailboxFetchesPerHour: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  submissionsPerMinute: 600,
  uploadWritesPerMinute: 1200,
  mailboxFetchesPerMinute: 600,
  mailboxFetchesPerHour: 60,
};

/** What `deps.config.rateLimits` takes: the budgets, or `anonymousWritesPerMinute` as the default of the three per-minute ones. */
export type RateLimitOptions = Partial<RateLimitConfig> & { anonymousWritesPerMinute?: number | undefined };

export function rateLimitConfig(options: RateLimitOptions | undefined): RateLimitConfig {
  const { anonymousWritesPerMinute: all, ...rest } = options ?? {};
  const perMinute = all === undefined ? {} : { submissionsPerMinute: all, uploadWritesPerMinute: all, mailboxFetchesPerMinute: all };
  return { ...DEFAULT_RATE_LIMITS, ...perMinute, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) };
}

export { type Admission, RateLimiter } from "./budget-store.js";

export interface BudgetOptions {
  /** The budget's name in `counters`; unique per budget of one app. */
  name: string;
  /** Where the budget is counted; default a store of its own in this process. */
  counters?: BudgetCounters | undefined;
  /** Requests admitted per window (per key, with `key`). */
  limit: number;
  windowSeconds: number;
  /** What the 429 says before "Try again in N seconds." */
  message: string;
  /** Counts per key instead of all together; a request with no key (null) is not counted. */
  key?: (c: Context) => string | null | Promise<string | null>;
  /** The clock; default the system's. */
  now?: () => Date;
  /** Most keys tracked in one window; beyond it, new keys are refused. */
  maxKeys?: number;
}

/** Middleware: 429 with Retry-After once the budget of the current window is used up. */
export function budget(options: BudgetOptions): MiddlewareHandler {
  const { name, limit, windowSeconds, message, key, now = () => new Date(), maxKeys } = options;
  const counters = options.counters ?? new MemoryBudgets();
  return async (c, next) => {
    const k = key ? await key(c) : "all";
    if (k !== null) {
      const admitted = await counters.take({ budget: name, key: k, limit, windowSeconds, nowMs: now().getTime(), maxKeys });
      if (!admitted.ok) throw rateLimited(admitted, message);
    }
    await next();
  };
}

export function rateLimited(admission: { retryAfterSeconds: number }, what: string): HttpError {
  return new HttpError(
    429,
    "rate_limited",
    `${what} Try again in ${admission.retryAfterSeconds} seconds.`,
    { "Retry-After": String(admission.retryAfterSeconds) },
  );
}
