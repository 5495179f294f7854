// The guard in front of each anonymous write, in the order docs/SECURITY.md gives: the proof of work
// checked from its header (solution included, against the body hash it announces) and its seed spent
// (pow.ts), room in the body gate (body.ts), the body read and compared with the announced hash, then the
// budget of this kind of write (rate-limit.ts), then the write counted into the difficulty. Nothing
// before the gate reads a byte of the body. A part streamed to its store (streamedParts) skips the body
// read here: the part route compares its hash once streamed (pow.ts requireAnnouncedBody).
// Built once per app: the counters, the gate and the difficulty live as long as the app does.
import type { Context, Handler, MiddlewareHandler } from "hono";
import { every } from "hono/combine";
import type { Kysely } from "kysely";
import { id as idSchema, LIMITS } from "../../core/wire.js";
import { type BodyGate, readBody } from "../body.js";
import type { Database } from "../db/schema.js";
import { type BudgetStores, memoryBudgets } from "./budget-store.js";
import { type PowConfig, powGuard } from "./pow.js";
import { budget, rateLimitConfig, type RateLimitOptions } from "./rate-limit.js";

export interface AnonymousWriteOptions {
  db: Kysely<Database>;
  now: () => Date;
  /** Where anonymous bodies wait their turn (body.ts). */
  gate: BodyGate;
  /** Proof of work; on unless `false` or `{ enabled: false }`. */
  pow?: Partial<PowConfig> | false | undefined;
  /** Budgets; on unless `false`. */
  rateLimits?: RateLimitOptions | false | undefined;
  /** Where budgets, loads and mailbox fetches' spent seeds are counted (budget-store.ts); default this process. */
  budgets?: BudgetStores | undefined;
  /**
   * Parts go to the store as they arrive (a BlobStore with writeUploadPartStream: R2): their guard reads
   * no byte of the body, and the part route compares the body's hash with the proof of work's once it has
   * streamed it (pow.ts requireAnnouncedBody), before the part is counted.
   */
  streamedParts?: boolean | undefined;
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
async function mailboxOf(c: Context): Promise<string | null> {
  try {
    const value = JSON.parse(new TextDecoder().decode(await readBody(c, MAILBOX_BODY_BYTES))) as { id?: unknown };
    return idSchema.safeParse(value.id).success ? (value.id as string) : null;
  } catch {
    return null;
  }
}

const MAILBOX_BODY_BYTES = 1024;

export function anonymousWriteGuards(options: AnonymousWriteOptions): AnonymousWriteGuards {
  const { db, now, gate, budgets = memoryBudgets() } = options;
  const limits = options.rateLimits === false ? null : rateLimitConfig(options.rateLimits);
  const pow = powGuard({ db, now, budgets, capChallenges: limits !== null, ...(options.pow === false ? { enabled: false } : options.pow) });
  const busy = "The tip line is receiving more than it can take right now.";
  const perMinute = (name: string, limit: number) => (limits ? [budget({ name, counters: budgets.writes, limit, windowSeconds: 60, now, message: busy })] : []);
  const uploads = perMinute("uploads", limits?.uploadWritesPerMinute ?? 0);
  const submissions = perMinute("submissions", limits?.submissionsPerMinute ?? 0);
  // Mailbox fetches are counted in the reads tier, which stores nothing (budget-store.ts).
  const mailbox = limits
    ? [
        budget({ name: "mailbox-fetches", counters: budgets.reads, limit: limits.mailboxFetchesPerMinute, windowSeconds: 60, now, message: "Mailboxes are being checked more often than the tip line can take right now." }),
        budget({ name: "mailbox-fetches-per-mailbox", counters: budgets.reads, limit: limits.mailboxFetchesPerHour, windowSeconds: 3600, now, key: mailboxOf, message: "This mailbox was checked too often." }),
      ]
    : [];
  const guard = (maxBodyBytes: number, budgets: MiddlewareHandler[], spentIn: "database" | "memory" = "database") =>
    every(pow.header(spentIn), gate.admit(maxBodyBytes), pow.body(maxBodyBytes), ...budgets, pow.admitted(spentIn === "memory" ? "reads" : "writes"));
  return {
    challenge: pow.challenge,
    // The upload and every part draw on one budget: never-finished uploads cannot use up the submissions'.
    upload: guard(1024, uploads),
    // A part plus nothing: the route refuses anything larger anyway.
    part: options.streamedParts
      ? every(pow.header(), gate.admit(LIMITS.maxPartBytes), ...uploads, pow.admitted())
      : guard(LIMITS.maxPartBytes, uploads),
    submission: guard(LIMITS.maxJsonBodyBytes, submissions),
    // A mailbox fetch stores nothing, not even its spent proof of work (budget-store.ts, SpentInMemory).
    mailbox: guard(MAILBOX_BODY_BYTES, mailbox, "memory"),
  };
}
