// Request budgets that need no IP address (docs/SECURITY.md, "Rate limits"): `budget()` is a middleware
// counting requests in fixed windows, for all requests it guards together or per key (a mailbox id).
// Counted in this process: one box, one process: exact. Several processes or Workers isolates: each
// keeps its own counters, so the effective budget is the configured one times the number of instances.
import type { Context, MiddlewareHandler } from "hono";
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

export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number };

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
    const start = Math.floor(nowMs / 1000 / this.windowSeconds) * this.windowSeconds;
    if (start !== this.windowStart) {
      this.counts.clear();
      this.windowStart = start;
    }
    const used = this.counts.get(key) ?? 0;
    if (used >= this.limit || (used === 0 && this.counts.size >= this.maxKeys)) {
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(start + this.windowSeconds - nowMs / 1000)) };
    }
    this.counts.set(key, used + 1);
    return { ok: true };
  }
}

export interface BudgetOptions {
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
  const { limit, windowSeconds, message, key, now = () => new Date() } = options;
  const limiter = new RateLimiter(limit, windowSeconds, options.maxKeys);
  return async (c, next) => {
    const k = key ? await key(c) : "all";
    if (k !== null) {
      const admitted = limiter.take(k, now().getTime());
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
