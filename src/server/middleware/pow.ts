// Proof of work for anonymous writes (docs/SECURITY.md, "Proof of work"): bound to the request, single use
// across processes (spent seeds live in the database), difficulty rising with the recent rate of *valid*
// writes and of challenges issued (counted in the deployment's BudgetStores, budget-store.ts), and a token
// good only at the difficulty in force when it is spent.
// No account, no IP address, no client fingerprint. The budgets are a separate middleware
// (rate-limit.ts); anonymous-writes.ts chains them in the order SECURITY.md gives.
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { Context, Handler, MiddlewareHandler } from "hono";
import type { Kysely } from "kysely";
import { equalBytes, fromBase64Url, randomBytes, toBase64Url, utf8 } from "../../core/bytes.js";
import { bodyDigest, checkPowSolution, MAX_POW_BITS, parsePowHeader, POW_HEADER, POW_PATH, powBindingForHash, type PowHeader } from "../../core/pow.js";
import type { PowChallenge } from "../../core/wire.js";
import type { Database } from "../db/schema.js";
import { serverSecret } from "../db/server-secrets.js";
import { HttpError } from "../http-error.js";
import { readBody } from "../body.js";
import { type BudgetStores, memoryBudgets } from "./budget-store.js";
import { rateLimited } from "./rate-limit.js";

export interface PowConfig {
  /** `false` skips the check (challenges are still issued, at 0 bits): local development and benchmarks only. */
  enabled: boolean;
  /**
   * Key that authenticates challenges. Unset: a random key created once and kept in the database, so
   * every process and Workers isolate of one deployment shares it.
   */
  secret?: string | undefined;
  /** Difficulty in normal times, in leading zero bits (2^bits hashes expected). */
  baseBits: number;
  /** Difficulty never goes above this. */
  maxBits: number;
  /** Valid anonymous writes per minute the base difficulty absorbs; each doubling beyond adds one bit. */
  normalWritesPerMinute: number;
  /**
   * Challenges issued per minute the base difficulty absorbs; each doubling beyond adds one bit, and past
   * this times 2^(maxBits - baseBits) (the budget at the highest difficulty) `GET /api/pow` answers 429.
   */
  normalChallengesPerMinute: number;
  /** A token is accepted while its difficulty is at most this many bits below the one in force. */
  graceBits: number;
  /** How long a challenge stays valid: from issue to the arrival of the request that spends it. */
  tokenLifetimeSeconds: number;
}

export const DEFAULT_POW: PowConfig = {
  enabled: true,
  baseBits: 10,
  maxBits: 18,
  normalWritesPerMinute: 120,
  normalChallengesPerMinute: 120,
  graceBits: 1,
  tokenLifetimeSeconds: 120,
};

export interface PowGuardOptions extends Partial<PowConfig> {
  /** Where the challenge key and the spent seeds live, shared by every process of the deployment. */
  db: Kysely<Database>;
  /** The clock; default the system's. */
  now?: () => Date;
  /** Answer `GET /api/pow` 429 past its ceiling (default); off when the app's budgets are off. */
  capChallenges?: boolean;
  /** Where the loads and mailbox fetches' spent seeds are counted; default this process's memory. */
  budgets?: BudgetStores | undefined;
}

export interface PowGuard {
  /** `GET /api/pow`: a fresh challenge at the current difficulty (429 past the challenge budget). */
  challenge: Handler;
  /**
   * Middleware, before any byte of the body: refuses a request whose header is missing, malformed, not
   * issued here, expired, below the difficulty in force, not solved for this method, path and announced
   * body hash, or already spent; and spends the token's seed, in the database, or with `spentIn:
   * "memory"` in the `reads` tier of the budget stores, never stored (see `SpentInMemory`).
   */
  header(spentIn?: "database" | "memory"): MiddlewareHandler;
  /** Middleware: reads at most `maxBodyBytes` of the body and refuses it unless it is the body the header announced. */
  body(maxBodyBytes: number): MiddlewareHandler;
  /**
   * Middleware, last before the route: counts a request that passed every check into the difficulty, in
   * the tier that may store it ("reads" for a mailbox fetch, which must leave no stored byte: budget-store.ts).
   */
  admitted(tier?: "writes" | "reads"): MiddlewareHandler;
  /** Difficulty a challenge issued now would carry. */
  currentBits(): Promise<number>;
}


/** The body hash each checked request's proof of work was solved for (requireAnnouncedBody). */
const announced = new WeakMap<Context, Uint8Array>();

/**
 * For a body the guard let through unread (a part streamed to its store, middleware/anonymous-writes.ts):
 * refuses it unless `sha256` is the hash its proof of work announced. With proof of work off, nothing was
 * announced and any body passes.
 */
export function requireAnnouncedBody(c: Context, sha256: Uint8Array): void {
  const expected = announced.get(c);
  if (expected && !equalBytes(sha256, expected)) throw powRequired("The body is not the one the proof of work was solved for.");
}

const powRequired = (why: string) =>
  new HttpError(
    428,
    "proof_of_work_required",
    `${why} Get a challenge with GET ${POW_PATH}, solve it for this request, and send it in the ${POW_HEADER} header (docs/SECURITY.md).`,
  );

export { RecentRate, SpentInMemory } from "./budget-store.js";

/**
 * Spent seeds in the database (pow_spent), so every process and Workers isolate of a deployment refuses a
 * seed once used. The stored expiry is rounded up to five minutes: no exact time is kept, and rounding up
 * keeps the seed refused for at least as long as its token is valid. Expired seeds are swept once a minute.
 */
export class SpentInDatabase {
  private lastSweep = 0;

  constructor(private readonly db: Kysely<Database>) {}

  /** Marks `seed` (valid until `expires`, in seconds) used; false if it was used already. */
  async spend(seed: string, expires: number, nowSeconds: number): Promise<boolean> {
    if (nowSeconds - this.lastSweep >= 60) {
      this.lastSweep = nowSeconds;
      await this.db.deleteFrom("pow_spent").where("expires_at", "<", nowSeconds).execute();
    }
    const inserted = await this.db
      .insertInto("pow_spent")
      .values({ seed, expires_at: Math.ceil(expires / 300) * 300 })
      .onConflict((oc) => oc.column("seed").doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
  }
}

// The two loads' names in the budget stores: valid writes (a write stores rows anyway, so its count may
// live in the database) and challenges issued (a mailbox fetch asks for one too: memory only).
const WRITES = "pow-writes";
const CHALLENGES = "pow-challenges";

export function powGuard(options: PowGuardOptions): PowGuard {
  const { db, now = () => new Date(), capChallenges = true, budgets = memoryBudgets(), ...overrides } = options;
  const pow: PowConfig = { ...DEFAULT_POW, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  const maxBits = Math.min(pow.maxBits, MAX_POW_BITS);
  const spentInDatabase = new SpentInDatabase(db);
  let keyPromise: Promise<Uint8Array> | undefined;

  const key = () =>
    (keyPromise ??= (async () => sha256(utf8(`sealdrop-pow-key\n${pow.secret || (await serverSecret(db, "pow"))}`)))().catch((err: unknown) => {
      keyPromise = undefined;
      throw err;
    }));
  const mac = async (signed: string) => hmac(sha256, await key(), utf8(signed));
  const nowSeconds = () => Math.floor(now().getTime() / 1000);

  // The most challenges one minute may see: the normal rate at the highest difficulty.
  const challengeCeiling = pow.normalChallengesPerMinute * 2 ** Math.max(0, maxBits - pow.baseBits);

  /** Base plus one bit per doubling of the heavier of the two loads over their normal rates, capped. */
  const currentBits = async () => {
    if (!pow.enabled) return 0;
    const nowMs = now().getTime();
    // Admitted writes count in the writes tier, mailbox fetches (which store nothing) in the reads tier.
    const [stored, unstored, challenges] = await Promise.all([
      budgets.writes.perMinute(WRITES, nowMs),
      budgets.reads.perMinute(WRITES, nowMs),
      budgets.reads.perMinute(CHALLENGES, nowMs),
    ]);
    const writes = stored + unstored;
    const load = Math.max(writes / pow.normalWritesPerMinute, challenges / pow.normalChallengesPerMinute);
    const extra = load <= 1 ? 0 : Math.ceil(Math.log2(load));
    return Math.min(maxBits, pow.baseBits + extra);
  };

  const challenge: Handler = async (c) => {
    const nowMs = now().getTime();
    if (pow.enabled && capChallenges && (await budgets.reads.perMinute(CHALLENGES, nowMs)) >= challengeCeiling) {
      throw rateLimited({ retryAfterSeconds: 10 }, "The tip line is handing out more challenges than it can take right now.");
    }
    if (pow.enabled) await budgets.reads.record(CHALLENGES, nowMs);
    const bits = await currentBits();
    const expires = nowSeconds() + pow.tokenLifetimeSeconds;
    const signed = `v1.${toBase64Url(randomBytes(16))}.${bits}.${expires}`;
    return c.json({ token: `${signed}.${toBase64Url(await mac(signed))}`, bits, expires } satisfies PowChallenge);
  };


  const checked = new WeakMap<Context, PowHeader>();

  /** Everything the header alone can tell, before the body is read; then the seed is spent. */
  const header = (spentIn: "database" | "memory" = "database"): MiddlewareHandler => async (c, next) => {
    if (!pow.enabled) return next();
    // Judged at arrival: a large part on a slow link may take longer to arrive than a token lives.
    const arrivedSeconds = nowSeconds();
    const value = c.req.header(POW_HEADER);
    if (!value) throw powRequired("This request needs proof of work.");
    const parsed = parsePowHeader(value);
    if (!parsed) throw powRequired(`The ${POW_HEADER} header is malformed.`);
    const { token } = parsed;
    if (!equalBytes(fromBase64Url(token.mac), await mac(token.signed))) throw powRequired("The challenge was not issued by this server.");
    if (token.expires < arrivedSeconds) throw powRequired("The challenge has expired.");
    if (token.bits < Math.min(pow.baseBits, maxBits)) throw powRequired("The challenge is easier than this server accepts.");
    // A token is good at the difficulty in force when it is spent, not when it was issued: a stockpile
    // gathered in quiet times is worthless once a flood has raised the price.
    const inForce = await currentBits();
    if (token.bits < inForce - pow.graceBits) {
      throw powRequired(`The challenge is for ${token.bits} bits but ${inForce} are in force now: get a new one.`);
    }
    // The solution is bound to the body's hash, which the header announces: it is judged here, and the
    // body is compared with the hash once read.
    const url = new URL(c.req.url);
    const binding = powBindingForHash(c.req.method, url.pathname + url.search, parsed.bodySha256);
    if (!checkPowSolution(parsed.tokenText, binding, parsed.nonce, token.bits)) {
      throw powRequired("The proof of work does not solve the challenge for this request.");
    }
    // Spent before the body is read: one solved token buys at most one body read, and a replayed solution
    // never reaches the budgets real sources share.
    const outcome = spentIn === "memory" ? await budgets.reads.spend(token.seed, token.expires, nowSeconds()) : (await spentInDatabase.spend(token.seed, token.expires, nowSeconds())) ? "fresh" : "spent";
    if (outcome === "full") throw rateLimited({ retryAfterSeconds: 60 }, "The tip line is receiving more than it can take right now.");
    if (outcome === "spent") throw powRequired("This proof of work was already used.");
    checked.set(c, parsed);
    announced.set(c, parsed.bodySha256);
    await next();
  };

  const body = (maxBodyBytes: number): MiddlewareHandler => async (c, next) => {
    if (!pow.enabled) return next();
    const parsed = checked.get(c);
    if (!parsed) throw powRequired("This request needs proof of work.");
    const bytes = await readBody(c, maxBodyBytes);
    if (!equalBytes(await bodyDigest(bytes), parsed.bodySha256)) {
      throw powRequired("The body is not the one the proof of work was solved for.");
    }
    await next();
  };

  const admitted = (tier: "writes" | "reads" = "writes"): MiddlewareHandler => async (_c, next) => {
    await budgets[tier].record(WRITES, now().getTime());
    await next();
  };

  return { challenge, header, body, admitted, currentBits };
}
