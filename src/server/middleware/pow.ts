// Abuse resistance for anonymous writes (docs/SECURITY.md): proof of work bound to the request, single
// use across processes (spent seeds live in the database), difficulty rising with the recent rate of
// *valid* writes, plus global and per-mailbox budgets. No account, no IP address, no client fingerprint.
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { Context, Handler, MiddlewareHandler } from "hono";
import { equalBytes, fromBase64Url, randomBytes, toBase64Url, toHex, utf8 } from "../../core/bytes.js";
import { checkPowSolution, MAX_POW_BITS, parsePowHeader, POW_HEADER, powBinding } from "../../core/pow.js";
import type { PowChallenge } from "../../core/wire.js";
import { readBody } from "../body.js";
import type { Deps } from "../deps.js";
import { HttpError } from "../http-error.js";
import { DEFAULT_RATE_LIMITS, rateLimited, type RateLimitConfig, RateLimiter, RecentRate } from "./rate-limit.js";

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
  /** How long a challenge stays valid. */
  tokenLifetimeSeconds: number;
}

export const DEFAULT_POW: PowConfig = {
  enabled: true,
  baseBits: 10,
  maxBits: 18,
  normalWritesPerMinute: 120,
  tokenLifetimeSeconds: 600,
};

/** Which anonymous write a guard protects: sets the body limit and any per-key budget. */
export type AnonymousWrite = "upload" | "part" | "submission" | "mailbox";

const BODY_LIMITS: Record<AnonymousWrite, number> = {
  upload: 1024,
  // A part plus nothing: the route refuses anything larger anyway.
  part: 8 << 20,
  submission: 2 << 20,
  mailbox: 1024,
};

const powRequired = (why: string) =>
  new HttpError(
    428,
    "proof_of_work_required",
    `${why} Get a challenge with GET /api/pow, solve it for this request, and send it in the ${POW_HEADER} header (docs/SECURITY.md).`,
  );

/** Reads the body once (with a limit) and puts it back, so the route can read it again. */
async function bufferBody(c: Context, max: number): Promise<Uint8Array> {
  const body = await readBody(c, max);
  const headers = new Headers(c.req.raw.headers);
  headers.delete("transfer-encoding");
  headers.set("content-length", String(body.length));
  c.req.raw = new Request(c.req.raw.url, { method: c.req.raw.method, headers, body: body as Uint8Array<ArrayBuffer> });
  return body;
}

function mailboxKey(body: Uint8Array): string | null {
  try {
    const value = JSON.parse(new TextDecoder().decode(body)) as { id?: unknown };
    return typeof value.id === "string" && /^[0-9a-f]{32}$/.test(value.id) ? value.id : null;
  } catch {
    return null;
  }
}

export interface AbuseGuard {
  /** `GET /api/pow`: a fresh challenge at the current difficulty. */
  challenge: Handler;
  /** Middleware for one kind of anonymous write. */
  guard(kind: AnonymousWrite): MiddlewareHandler;
  /** Difficulty a challenge issued now would carry. */
  currentBits(): number;
}

export function abuseGuard(deps: Deps): AbuseGuard {
  const pow: PowConfig = { ...DEFAULT_POW, ...(deps.config.pow === false ? { enabled: false } : deps.config.pow) };
  const limits: RateLimitConfig | null = deps.config.rateLimits === false ? null : { ...DEFAULT_RATE_LIMITS, ...deps.config.rateLimits };
  const writes = limits ? new RateLimiter(limits.anonymousWritesPerMinute, 60) : null;
  const mailboxes = limits ? new RateLimiter(limits.mailboxFetchesPerHour, 3600) : null;
  const recent = new RecentRate();
  const maxBits = Math.min(pow.maxBits, MAX_POW_BITS);
  let keyPromise: Promise<Uint8Array> | undefined;
  let lastSweep = 0;

  const key = () =>
    (keyPromise ??= (async () => {
      if (pow.secret) return sha256(utf8(`sealdrop-pow-key\n${pow.secret}`));
      await deps.db
        .insertInto("server_secrets")
        .values({ name: "pow", value: toHex(randomBytes(32)) })
        .onConflict((oc) => oc.column("name").doNothing())
        .execute();
      const row = await deps.db.selectFrom("server_secrets").select("value").where("name", "=", "pow").executeTakeFirstOrThrow();
      return sha256(utf8(`sealdrop-pow-key\n${row.value}`));
    })().catch((err: unknown) => {
      keyPromise = undefined;
      throw err;
    }));
  const mac = async (signed: string) => hmac(sha256, await key(), utf8(signed));

  const currentBits = () => {
    if (!pow.enabled) return 0;
    const rate = recent.perMinute(deps.now().getTime());
    const extra = rate <= pow.normalWritesPerMinute ? 0 : Math.ceil(Math.log2(rate / pow.normalWritesPerMinute));
    return Math.min(maxBits, pow.baseBits + extra);
  };

  const challenge: Handler = async (c) => {
    const bits = currentBits();
    const expires = Math.floor(deps.now().getTime() / 1000) + pow.tokenLifetimeSeconds;
    const signed = `v1.${toBase64Url(randomBytes(16))}.${bits}.${expires}`;
    return c.json({ token: `${signed}.${toBase64Url(await mac(signed))}`, bits, expires } satisfies PowChallenge);
  };

  /** Checks everything but single use; returns the seed to spend and its expiry. */
  const verify = async (c: Context, body: Uint8Array, arrivedSeconds: number): Promise<{ seed: string; expires: number }> => {
    const header = c.req.header(POW_HEADER);
    if (!header) throw powRequired("This request needs proof of work.");
    const parsed = parsePowHeader(header);
    if (!parsed) throw powRequired(`The ${POW_HEADER} header is malformed.`);
    const { token, tokenText, nonce } = parsed;
    if (!equalBytes(fromBase64Url(token.mac), await mac(token.signed))) throw powRequired("The challenge was not issued by this server.");
    // Judged at arrival: a large part on a slow link may take longer to arrive than a token lives.
    if (token.expires < arrivedSeconds) throw powRequired("The challenge has expired.");
    if (token.bits < Math.min(pow.baseBits, maxBits)) throw powRequired("The challenge is easier than this server accepts.");
    const url = new URL(c.req.url);
    const binding = await powBinding(c.req.method, url.pathname + url.search, body);
    if (!checkPowSolution(tokenText, binding, nonce, token.bits)) throw powRequired("The proof of work does not solve the challenge for this request.");
    return { seed: token.seed, expires: token.expires };
  };

  /** Marks a seed used, in the database so every process sees it; false if it was used already. */
  const spend = async (seed: string, expires: number): Promise<boolean> => {
    const nowSeconds = Math.floor(deps.now().getTime() / 1000);
    if (nowSeconds - lastSweep >= 60) {
      lastSweep = nowSeconds;
      await deps.db.deleteFrom("pow_spent").where("expires_at", "<", nowSeconds).execute();
    }
    // Stored expiry is rounded up to five minutes: no exact time is kept, and rounding up keeps the seed
    // refused for at least as long as the token is valid.
    const inserted = await deps.db
      .insertInto("pow_spent")
      .values({ seed, expires_at: Math.ceil(expires / 300) * 300 })
      .onConflict((oc) => oc.column("seed").doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
  };

  const guard = (kind: AnonymousWrite): MiddlewareHandler => async (c, next) => {
    const arrivedSeconds = Math.floor(deps.now().getTime() / 1000);
    const body = pow.enabled || kind === "mailbox" ? await bufferBody(c, BODY_LIMITS[kind]) : null;
    const solved = pow.enabled ? await verify(c, body!, arrivedSeconds) : null;
    // Spend first: a replayed solution must not eat into the budgets that real sources share.
    if (solved && !(await spend(solved.seed, solved.expires))) throw powRequired("This proof of work was already used.");
    const nowMs = deps.now().getTime();
    if (writes) {
      const admitted = writes.take("all", nowMs);
      if (!admitted.ok) throw rateLimited(admitted, "The tip line is receiving more than it can take right now.");
    }
    if (mailboxes && kind === "mailbox") {
      const id = mailboxKey(body!);
      if (id) {
        const admitted = mailboxes.take(id, nowMs);
        if (!admitted.ok) throw rateLimited(admitted, "This mailbox was checked too often.");
      }
    }
    recent.record(nowMs);
    await next();
  };

  return { challenge, guard, currentBits };
}
