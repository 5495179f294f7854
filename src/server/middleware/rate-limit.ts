// Request budgets that need no IP address (docs/SECURITY.md, "Rate limits"): a global budget for
// anonymous writes and a per-mailbox budget for fetches, counted in this process. One box, one process:
// exact. Several processes or Workers isolates: each keeps its own counters, so the effective budget is
// the configured one times the number of instances.
import { HttpError } from "../http-error.js";

export interface RateLimitConfig {
  /** Anonymous writes (uploads, parts, submissions, mailbox fetches) the whole server accepts per minute. */
  anonymousWritesPerMinute: number;
  /** Fetches of one mailbox id per hour, whether or not that mailbox exists. */
  mailboxFetchesPerHour: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  anonymousWritesPerMinute: 1200,
  mailboxFetchesPerHour: 60,
};

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

export function rateLimited(admission: { retryAfterSeconds: number }, what: string): HttpError {
  return new HttpError(
    429,
    "rate_limited",
    `${what} Try again in ${admission.retryAfterSeconds} seconds.`,
    { "Retry-After": String(admission.retryAfterSeconds) },
  );
}

/** Sliding count of events over the last minute in ten-second buckets: the load that sets PoW difficulty. */
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
