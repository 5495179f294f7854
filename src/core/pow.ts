// Proof of work for anonymous writes (docs/SECURITY.md, "Proof of work"). The server hands out a
// stateless, MAC-authenticated challenge; the client finds a nonce so that SHA-256 of the challenge,
// the request it protects and the nonce starts with `bits` zero bits. Shared by server, page and tests:
// the solver is pure JS (@noble/hashes) so it runs in browsers with no JIT and no WebAssembly.
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, fromHex, toHex, utf8 } from "./bytes.js";
import { MAX_POW_BITS, type PowChallenge, powChallenge } from "./wire.js";

/** Request header carrying `<token>.<nonce>.<body-sha256-hex>`. */
export const POW_HEADER = "x-sealdrop-pow";
/** Where a client gets a challenge: `GET` answers `{ token, bits, expires }`. */
export const POW_PATH = "/api/pow";
export const POW_TOKEN_VERSION = "v1";
// The challenge's wire shape and the difficulty ceiling are part of the HTTP contract (core/wire.ts).
export { MAX_POW_BITS, type PowChallenge } from "./wire.js";

export interface PowToken {
  /** The signed part: `v1.<seed>.<bits>.<expires>`. */
  signed: string;
  seed: string;
  bits: number;
  expires: number;
  mac: string;
}

const TOKEN = /^v1\.([A-Za-z0-9_-]{22})\.(\d{1,2})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;
const NONCE = /^[0-9a-f]{16}$/;
const BODY_HASH = /^[0-9a-f]{64}$/;

export function parsePowToken(token: string): PowToken | null {
  const m = TOKEN.exec(token);
  if (!m) return null;
  const bits = Number(m[2]);
  if (bits > MAX_POW_BITS) return null;
  return { signed: token.slice(0, token.lastIndexOf(".")), seed: m[1]!, bits, expires: Number(m[3]), mac: m[4]! };
}

export interface PowHeader {
  token: PowToken;
  tokenText: string;
  nonce: string;
  /** SHA-256 of the body the solution is bound to, as the request announces it: checked once the body is read. */
  bodySha256: Uint8Array;
}

/**
 * Splits an `x-sealdrop-pow` header value into token, nonce and announced body hash, or null when
 * malformed. With the hash in the header, the server checks the solution before it reads the body.
 */
export function parsePowHeader(value: string): PowHeader | null {
  if (value.length > 200) return null;
  const hashDot = value.lastIndexOf(".");
  const dot = value.lastIndexOf(".", hashDot - 1);
  if (hashDot < 0 || dot < 0) return null;
  const tokenText = value.slice(0, dot);
  const nonce = value.slice(dot + 1, hashDot);
  const hash = value.slice(hashDot + 1);
  const token = parsePowToken(tokenText);
  if (!token || !NONCE.test(nonce) || !BODY_HASH.test(hash)) return null;
  return { token, tokenText, nonce, bodySha256: fromHex(hash) };
}

/** SHA-256 with the platform's native digest when there is one: far faster than JS without a JIT. */
export async function bodyDigest(bytes: Uint8Array): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle) return new Uint8Array(await subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return sha256(bytes);
}

/**
 * What a solution is bound to: SHA-256("sealdrop-pow-v1\n" METHOD "\n" path-and-query "\n" ‖ SHA-256(body)).
 * A solved header is good for one request only; it cannot be moved to another path or body.
 */
export async function powBinding(method: string, pathAndQuery: string, body: Uint8Array): Promise<Uint8Array> {
  return powBindingForHash(method, pathAndQuery, await bodyDigest(body));
}

/** The same binding from the body's SHA-256: what the server computes from the header, before the body. */
export function powBindingForHash(method: string, pathAndQuery: string, bodySha256: Uint8Array): Uint8Array {
  return sha256(concatBytes(utf8(`sealdrop-pow-v1\n${method.toUpperCase()}\n${pathAndQuery}\n`), bodySha256));
}

/** The constant first block of every attempt: SHA-256(token) ‖ binding (64 bytes). */
const firstBlock = (token: string, binding: Uint8Array) => concatBytes(sha256(utf8(token)), binding);

/** Number of leading zero bits of `hash`. */
export function leadingZeroBits(hash: Uint8Array): number {
  let n = 0;
  for (const byte of hash) {
    if (byte === 0) {
      n += 8;
      continue;
    }
    return n + Math.clz32(byte) - 24;
  }
  return n;
}

/** SHA-256(SHA-256(token) ‖ binding ‖ nonce), the nonce given as 16 hex characters (8 bytes). */
export function powDigest(token: string, binding: Uint8Array, nonceHex: string): Uint8Array {
  return sha256(concatBytes(firstBlock(token, binding), fromHex(nonceHex)));
}

export function checkPowSolution(token: string, binding: Uint8Array, nonceHex: string, bits: number): boolean {
  return NONCE.test(nonceHex) && leadingZeroBits(powDigest(token, binding, nonceHex)) >= bits;
}

export interface SolveOptions {
  /** Give the event loop a turn this often (milliseconds), so a page stays responsive. */
  yieldEveryMs?: number;
  signal?: AbortSignal;
  /**
   * `noble`: JS SHA-256 reusing the first block's state (fast with a JIT); `subtle`: WebCrypto digests
   * (several times faster without a JIT, as in Tor Browser "Safer"); `auto` (default) measures once.
   */
  engine?: "auto" | "noble" | "subtle";
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

let chosenEngine: Promise<"noble" | "subtle"> | undefined;

/** Hashes per second of each engine over a short run (~25 ms each), measured once per page. */
async function measureEngines(): Promise<"noble" | "subtle"> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return "noble";
  const input = new Uint8Array(72);
  const base = sha256.create().update(input.subarray(0, 64));
  let scratch = base.clone();
  const rate = async (step: (i: number) => unknown): Promise<number> => {
    const start = performance.now();
    let n = 0;
    while (performance.now() - start < 25) await step(n++);
    return n / (performance.now() - start);
  };
  const noble = await rate((i) => {
    input[64] = i;
    scratch = base._cloneInto(scratch);
    return scratch.update(input.subarray(64)).digest();
  });
  const native = await rate((i) => {
    input[64] = i;
    return subtle.digest("SHA-256", input);
  });
  return noble >= native ? "noble" : "subtle";
}

const pickEngine = () => (chosenEngine ??= measureEngines());

/**
 * Finds a nonce for `token` and `binding`. Expected work is 2^bits SHA-256 computations; the nonce
 * starts at a random point so two solvers of one token do not race over the same values.
 */
export async function solvePow(token: string, bits: number, binding: Uint8Array, options: SolveOptions = {}): Promise<string> {
  if (!Number.isInteger(bits) || bits < 0 || bits > MAX_POW_BITS) throw new RangeError(`proof of work of ${bits} bits is out of range`);
  const engine = options.engine && options.engine !== "auto" ? options.engine : await pickEngine();
  const input = concatBytes(firstBlock(token, binding), new Uint8Array(8));
  const nonce = input.subarray(64);
  crypto.getRandomValues(nonce.subarray(0, 4));
  const view = new DataView(input.buffer, 64, 8);
  const yieldEvery = options.yieldEveryMs ?? 50;
  const base = sha256.create().update(input.subarray(0, 64));
  let scratch = base.clone();
  let deadline = Date.now() + yieldEvery;
  for (let counter = 0; ; counter = (counter + 1) >>> 0) {
    view.setUint32(4, counter);
    let hash: Uint8Array;
    if (engine === "subtle") {
      hash = new Uint8Array(await crypto.subtle.digest("SHA-256", input as Uint8Array<ArrayBuffer>));
    } else {
      scratch = base._cloneInto(scratch);
      hash = scratch.update(nonce).digest();
    }
    if (leadingZeroBits(hash) >= bits) return toHex(nonce);
    if ((counter & 127) === 127 && Date.now() >= deadline) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error("aborted");
      await yieldToEventLoop();
      deadline = Date.now() + yieldEvery;
    }
    if (counter === 0xffffffff) view.setUint32(0, view.getUint32(0) + 1);
  }
}

/** The header value for one request, given a challenge: `<token>.<nonce>.<body-sha256-hex>`. */
export async function powHeaderFor(
  challenge: Pick<PowChallenge, "token" | "bits">,
  method: string,
  pathAndQuery: string,
  body: Uint8Array,
  options: SolveOptions = {},
): Promise<string> {
  const bodySha256 = await bodyDigest(body);
  const nonce = await solvePow(challenge.token, challenge.bits, powBindingForHash(method, pathAndQuery, bodySha256), options);
  return `${challenge.token}.${nonce}.${toHex(bodySha256)}`;
}

/**
 * What the source page calls before each anonymous write: fetches a challenge from `origin` (same origin:
 * pass "") and returns `{ [POW_HEADER]: value }` to merge into the request's headers.
 */
export async function proofOfWorkHeaders(
  origin: string,
  method: string,
  pathAndQuery: string,
  body: Uint8Array,
  options: SolveOptions & { fetch?: typeof fetch } = {},
): Promise<Record<string, string>> {
  const res = await (options.fetch ?? fetch)(`${origin}${POW_PATH}`, { cache: "no-store" });
  if (!res.ok) throw new Error(`proof of work: the server answered ${res.status}`);
  const parsed = powChallenge.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw new Error("proof of work: the server's challenge is malformed");
  const challenge = parsed.data;
  return { [POW_HEADER]: await powHeaderFor(challenge, method, pathAndQuery, body, options) };
}
