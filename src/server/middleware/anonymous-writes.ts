// The guard in front of each anonymous write, in the order docs/SECURITY.md gives: proof of work checked
// and spent (pow.ts), then the budgets (rate-limit.ts), then the write counted into the difficulty.
// Built once per app: the counters and the difficulty live as long as the app does.
import type { Handler, MiddlewareHandler } from "hono";
import { every } from "hono/combine";
import type { Kysely } from "kysely";
import { id as idSchema, LIMITS } from "../../core/wire.js";
import type { Database } from "../db/schema.js";
import { anonymousBody } from "./anonymous-body.js";
import { type PowConfig, powGuard } from "./pow.js";
import { budget, DEFAULT_RATE_LIMITS, type RateLimitConfig } from "./rate-limit.js";

export interface AnonymousWriteOptions {
  db: Kysely<Database>;
  now: () => Date;
  /** Proof of work; on unless `false` or `{ enabled: false }`. */
  pow?: Partial<PowConfig> | false | undefined;
  /** Budgets; on unless `false`. */
  rateLimits?: Partial<RateLimitConfig> | false | undefined;
}

export interface AnonymousWriteGuards {
  /** `GET /api/pow`. */
  challenge: Handler;
  upload: MiddlewareHandler;
  part: MiddlewareHandler;
  submission: MiddlewareHandler;
  mailbox: MiddlewareHandler;
}

/** The mailbox a fetch names, or null (the route refuses the body then). */
function mailboxOf(body: Uint8Array): string | null {
  try {
    const value = JSON.parse(new TextDecoder().decode(body)) as { id?: unknown };
    return idSchema.safeParse(value.id).success ? (value.id as string) : null;
  } catch {
    return null;
  }
}

const MAILBOX_BODY_BYTES = 1024;

export function anonymousWriteGuards(options: AnonymousWriteOptions): AnonymousWriteGuards {
  const { db, now } = options;
  const pow = powGuard({ db, now, ...(options.pow === false ? { enabled: false } : options.pow) });
  const limits = options.rateLimits === false ? null : { ...DEFAULT_RATE_LIMITS, ...options.rateLimits };
  const writes = limits
    ? [budget({ limit: limits.anonymousWritesPerMinute, windowSeconds: 60, now, message: "The tip line is receiving more than it can take right now." })]
    : [];
  const mailboxFetches = limits
    ? [
        budget({
          limit: limits.mailboxFetchesPerHour,
          windowSeconds: 3600,
          now,
          key: async (c) => mailboxOf(await anonymousBody(c, MAILBOX_BODY_BYTES)),
          message: "This mailbox was checked too often.",
        }),
      ]
    : [];
  const guard = (maxBodyBytes: number, ...more: MiddlewareHandler[]) => every(pow.check(maxBodyBytes), ...writes, ...more, pow.admitted);
  // A mailbox fetch stores nothing, not even its spent proof of work (pow.ts, SpentInMemory).
  const readGuard = (maxBodyBytes: number, ...more: MiddlewareHandler[]) => every(pow.check(maxBodyBytes, "memory"), ...writes, ...more, pow.admitted);
  return {
    challenge: pow.challenge,
    upload: guard(1024),
    // A part plus nothing: the route refuses anything larger anyway.
    part: guard(LIMITS.maxPartBytes),
    submission: guard(LIMITS.maxJsonBodyBytes),
    mailbox: readGuard(MAILBOX_BODY_BYTES, ...mailboxFetches),
  };
}
