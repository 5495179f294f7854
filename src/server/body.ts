// Request bodies are read with a hard size limit and parsed by a schema before any handler sees them.
import type { Context, MiddlewareHandler } from "hono";
import * as z from "zod/mini";
import { en } from "zod/locales";
import { sha256 } from "@noble/hashes/sha2.js";
import { AgeSniffer, isAgeFile } from "../core/age.js";
import { concatChunks, fromBase64 } from "../core/bytes.js";
import { HttpError } from "./http-error.js";

// zod/mini ships without messages (to keep the page small); the server says what was wrong in English.
z.config(en());

/** Seconds a body may go without a byte arriving before the request is cut off (408 `request_timeout`). */
export const DEFAULT_BODY_IDLE_SECONDS = 30;

/** How bodies are read in one app: set once per request by `bodyPolicy` (app.ts). */
export interface BodyPolicy {
  /** A body that sends nothing for this long is dropped: no client holds a request open by stalling. */
  idleSeconds: number;
}

/** Limits on reading bodies (docs/SECURITY.md, "Cost before body"); `deps.config.bodies`. */
export interface BodyLimits extends BodyPolicy {
  /** Anonymous writes whose bodies may be held at once, and the bytes they may announce together. */
  anonymousRequests: number;
  anonymousBytes: number;
  /** The same for signed editor requests, a gate of their own. */
  editorRequests: number;
  editorBytes: number;
}

export const DEFAULT_BODY_LIMITS: BodyLimits = {
  idleSeconds: DEFAULT_BODY_IDLE_SECONDS,
  anonymousRequests: 64,
  anonymousBytes: 96 << 20,
  editorRequests: 16,
  editorBytes: 24 << 20,
};

export const bodyLimits = (overrides: Partial<BodyLimits> | undefined): BodyLimits => ({
  ...DEFAULT_BODY_LIMITS,
  ...Object.fromEntries(Object.entries(overrides ?? {}).filter(([, v]) => v !== undefined)),
});

/** Bodies already read in this request: every later read gets the same bytes. */
const alreadyRead = new WeakMap<Context, Uint8Array>();
/** Requests whose body was read (it may since have been handed back: `reusableBody`). */
const bodyRead = new WeakSet<Context>();

const policies = new WeakMap<Context, BodyPolicy>();

/**
 * Middleware: the body policy every read in this request follows. A request refused with its body
 * unread is answered with `Connection: close`: the server will not read that body, so the connection
 * cannot carry another request, and a client must not reuse it.
 */
export function bodyPolicy(policy: BodyPolicy): MiddlewareHandler {
  return async (c, next) => {
    policies.set(c, policy);
    await next();
    if (c.res.status >= 400 && !bodyRead.has(c) && !streamed.has(c) && announcesBody(c)) {
      const res = new Response(c.res.body, c.res);
      res.headers.set("Connection", "close");
      c.res = res;
    }
  };
}

/**
 * Buffers of bodies read under `reusableBody`, handed back once their request was answered. A fresh
 * 8 MiB buffer per part costs the server more than receiving it: V8 counts it as memory outside its heap
 * and answers with full garbage collections, which took most of the Node server's CPU time per uploaded
 * byte (user time 6.4 -> 1.5 ms/MiB with reuse, parts sent by a Node client). At most POOLED_BUFFERS are kept.
 */
const spareBodies = new Map<number, Uint8Array<ArrayBuffer>[]>();
const POOLED_BUFFERS = 2;
const reusable = new WeakMap<Context, Uint8Array<ArrayBuffer> | null>();

/**
 * Middleware: bodies read in this request (of the route's largest size) go into a buffer reused by a
 * later request once this one is answered. Only for routes that keep none of the body's bytes once they
 * have answered (an upload's part: its bytes are written before the answer, and the answer holds none).
 */
export function reusableBody(): MiddlewareHandler {
  return async (c, next) => {
    reusable.set(c, null);
    try {
      await next();
    } finally {
      const buffer = reusable.get(c);
      reusable.delete(c);
      alreadyRead.delete(c);
      if (buffer) {
        const spares = spareBodies.get(buffer.length) ?? [];
        if (spares.length < POOLED_BUFFERS) spareBodies.set(buffer.length, [...spares, buffer]);
      }
    }
  };
}

/** A buffer for a body of `declared` bytes (at most `max`): a spare one in a `reusableBody` request, else a new one. */
function bodyBuffer(c: Context, declared: number, max: number): Uint8Array<ArrayBuffer> {
  if (!reusable.has(c) || reusable.get(c)) return new Uint8Array(declared);
  const buffer = spareBodies.get(max)?.pop() ?? new Uint8Array(declared);
  // Only buffers of the route's largest size are kept: one of them fits any body the route takes.
  if (buffer.length === max) reusable.set(c, buffer);
  return buffer.length === declared ? buffer : buffer.subarray(0, declared);
}

/** Whether the request says a body follows (a Content-Length above zero, or a chunked one). */
export function announcesBody(c: Context): boolean {
  const length = c.req.header("content-length");
  if (length !== undefined) return length !== "0";
  return c.req.header("transfer-encoding") !== undefined;
}

/** How long a body of this request may go without a byte arriving (the app's body policy), in ms. */
export const bodyIdleMs = (c: Context): number => (policies.get(c)?.idleSeconds ?? DEFAULT_BODY_IDLE_SECONDS) * 1000;

/** The next read of a body, or "stalled" when nothing arrives within `idleMs` (the caller cancels the body). */
export async function readWithin<T>(reader: ReadableStreamDefaultReader<T>, idleMs: number): Promise<ReadableStreamReadResult<T> | "stalled"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<"stalled">((resolve) => (timer = setTimeout(() => resolve("stalled"), idleMs)));
  try {
    return await Promise.race([reader.read(), stalled]);
  } finally {
    clearTimeout(timer);
  }
}

const unreadable = () => new HttpError(400, "bad_request", "The request body could not be read.");

/**
 * Reads the raw body, failing with 413 as soon as it passes `max` bytes (whatever Content-Length says)
 * and with 408 when no byte arrives for the policy's idle time (docs/SECURITY.md, "Cost before body").
 */
export async function readBody(c: Context, max: number): Promise<Uint8Array> {
  const cached = alreadyRead.get(c);
  if (cached) {
    if (cached.length > max) throw tooLarge(max);
    return cached;
  }
  const body = await readFresh(c, max);
  bodyRead.add(c);
  alreadyRead.set(c, body);
  return body;
}

async function readFresh(c: Context, max: number): Promise<Uint8Array> {
  const declaredText = c.req.header("content-length");
  const declared = declaredText !== undefined && /^\d{1,15}$/.test(declaredText) ? Number(declaredText) : undefined;
  if (declaredText !== undefined && (declared === undefined || declared > max)) {
    if (declared === undefined) throw new HttpError(400, "bad_request", "The Content-Length header is malformed.");
    throw tooLarge(max);
  }
  const stream = c.req.raw.body;
  if (!stream || declared === 0) return new Uint8Array(0);
  const idleMs = bodyIdleMs(c);
  // With a Content-Length the bytes go straight into one buffer of that size; a chunked body is counted.
  const whole = declared === undefined ? null : bodyBuffer(c, declared, max);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  for (;;) {
    let result: ReadableStreamReadResult<Uint8Array> | "stalled";
    try {
      result = await readWithin(reader, idleMs);
    } catch {
      throw unreadable();
    }
    if (result === "stalled") {
      await reader.cancel().catch(() => {});
      throw new HttpError(408, "request_timeout", `The request body stopped arriving (nothing for ${idleMs / 1000} seconds); send it again.`);
    }
    if (result.done) break;
    const chunk = result.value;
    if (total + chunk.length > (whole ? whole.length : max)) {
      await reader.cancel().catch(() => {});
      if (whole) throw unreadable();
      throw tooLarge(max);
    }
    if (whole) whole.set(chunk, total);
    else chunks.push(chunk);
    total += chunk.length;
  }
  if (whole) {
    if (total !== whole.length) throw unreadable();
    return whole;
  }
  return concatChunks(chunks);
}

/**
 * Bounds what the bodies being read at once may hold (docs/SECURITY.md, "Cost before body"): at most
 * `maxRequests` requests and `maxBytes` bytes (each counted at its Content-Length, or at its route's
 * limit when chunked) from the moment a guarded request is admitted until its answer is ready. Beyond
 * either, the request is answered 503 `unavailable` with Retry-After before a byte of its body is read.
 * One gate per app and kind of caller: anonymous writes cannot take the editors' room.
 */
export class BodyGate {
  private requests = 0;
  private bytes = 0;

  constructor(
    readonly maxRequests: number,
    readonly maxBytes: number,
    private readonly busyMessage: string,
  ) {}

  /** Bytes and requests held right now (tests, the health report). */
  get held(): { requests: number; bytes: number } {
    return { requests: this.requests, bytes: this.bytes };
  }

  /** Runs `inner` holding room for a body of at most `maxBodyBytes`, or refuses at once. */
  async hold<T>(c: Context, maxBodyBytes: number, inner: () => Promise<T>): Promise<T> {
    const declaredText = c.req.header("content-length");
    const declared = declaredText !== undefined && /^\d{1,15}$/.test(declaredText) ? Number(declaredText) : maxBodyBytes;
    const want = Math.min(declared, maxBodyBytes);
    if (this.requests >= this.maxRequests || this.bytes + want > this.maxBytes) {
      throw new HttpError(503, "unavailable", this.busyMessage, { "Retry-After": String(BUSY_RETRY_AFTER_SECONDS) });
    }
    this.requests++;
    this.bytes += want;
    try {
      return await inner();
    } finally {
      this.requests--;
      this.bytes -= want;
    }
  }

  /** Middleware form of `hold`. */
  admit(maxBodyBytes: number): MiddlewareHandler {
    return (c, next) => this.hold(c, maxBodyBytes, () => next());
  }
}

/** Seconds a client is asked to wait when a gate is full. */
export const BUSY_RETRY_AFTER_SECONDS = 5;

const tooLarge = (max: number) => new HttpError(413, "payload_too_large", `The request body is larger than ${max} bytes.`);

function requireType(c: Context, expected: string): void {
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== expected) throw new HttpError(415, "unsupported_media_type", `Send the body as ${expected}.`);
}

export async function readJson<S extends z.core.$ZodType>(c: Context, schema: S, max: number): Promise<z.output<S>> {
  requireType(c, "application/json");
  return parseJson(await readBody(c, max), schema);
}

export function parseJson<S extends z.core.$ZodType>(bytes: Uint8Array, schema: S): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new HttpError(400, "bad_request", "The body is not valid UTF-8 JSON.");
  }
  const parsed = z.safeParse(schema, value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
    throw new HttpError(400, "invalid_body", `The body does not match the expected shape${where}: ${issue?.message ?? "invalid"}.`);
  }
  return parsed.data;
}

export async function readBinary(c: Context, max: number): Promise<Uint8Array> {
  requireType(c, "application/octet-stream");
  return readBody(c, max);
}

/** What a streamed body turned out to be, once it has arrived whole. */
export interface ArrivedBody {
  sha256: Uint8Array;
  /** Its first bytes, to tell whether it starts like an age file. */
  head: AgeSniffer;
}

/** An `application/octet-stream` body passed on as it arrives instead of held (streamBinary). */
export interface StreamedBody {
  /** Its Content-Length, required: a store that writes a stream needs the length first (R2). */
  length: number;
  /**
   * The bytes as they arrive. Errors when the body stalls for the policy's idle time or ends before
   * `length` bytes; never yields more than `length`.
   */
  stream: ReadableStream<Uint8Array>;
  /** Resolves once `stream` has been read to its end; rejects with the HttpError that errored it. */
  arrived: Promise<ArrivedBody>;
  /** The HttpError that errored `stream`, once it has (a store's failure may be only the report of it). */
  readonly failure: HttpError | undefined;
}

/**
 * The body as a stream of exactly its Content-Length (at most `max`, else 413 before a byte is read),
 * hashed and sniffed on its way through, so nothing holds the whole of it. A body without a
 * Content-Length (chunked) is refused 411: its length cannot be known before it is stored.
 */
export function streamBinary(c: Context, max: number): StreamedBody {
  requireType(c, "application/octet-stream");
  const declaredText = c.req.header("content-length");
  if (declaredText === undefined) throw new HttpError(411, "bad_request", "Send this body with a Content-Length.");
  if (!/^\d{1,15}$/.test(declaredText)) throw new HttpError(400, "bad_request", "The Content-Length header is malformed.");
  const length = Number(declaredText);
  if (length > max) throw tooLarge(max);
  const source = c.req.raw.body;
  const idleMs = bodyIdleMs(c);
  const digest = incrementalSha256();
  const head = new AgeSniffer();
  let settle!: { resolve: (body: ArrivedBody) => void; reject: (e: unknown) => void };
  const arrived = new Promise<ArrivedBody>((resolve, reject) => (settle = { resolve, reject }));
  arrived.catch(() => {});
  let total = 0;
  // Taken at the first pull: a part refused before it is streamed leaves the body unlocked, for drainUnread.
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let failure: HttpError | undefined;
  const fail = async (controller: ReadableStreamDefaultController<Uint8Array>, error: HttpError) => {
    failure = error;
    await reader?.cancel().catch(() => {});
    settle.reject(error);
    controller.error(error);
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        streamed.add(c);
        reader ??= source?.getReader();
        if (!reader) {
          if (length === 0) return void (settle.resolve({ sha256: await digest.digest(), head }), controller.close());
          return fail(controller, unreadable());
        }
        let result: ReadableStreamReadResult<Uint8Array> | "stalled";
        try {
          result = await readWithin(reader, idleMs);
        } catch {
          return fail(controller, unreadable());
        }
        if (result === "stalled") {
          return fail(controller, new HttpError(408, "request_timeout", `The request body stopped arriving (nothing for ${idleMs / 1000} seconds); send it again.`));
        }
        if (result.done) {
          if (total !== length) return fail(controller, unreadable());
          settle.resolve({ sha256: await digest.digest(), head });
          return controller.close();
        }
        const chunk = result.value;
        if (total + chunk.length > length) return fail(controller, unreadable());
        total += chunk.length;
        head.push(chunk);
        await digest.update(chunk);
        controller.enqueue(chunk);
      },
      async cancel() {
        await reader?.cancel().catch(() => {});
        settle.reject(unreadable());
      },
    },
    { highWaterMark: 0 },
  );
  return {
    length,
    stream,
    arrived,
    get failure() {
      return failure;
    },
  };
}

/**
 * Reads and drops what is left of a body nothing read (a request refused before its part was streamed),
 * at most `max` bytes and until it stalls. workerd (behind wrangler's proxy, at least) does not deliver
 * an answer to a request whose body is still being sent, and Workers cannot close the connection the way
 * bodyPolicy does on Node; no byte is held.
 */
export async function drainUnread(c: Context, max: number): Promise<void> {
  if (bodyRead.has(c) || streamed.has(c)) return;
  const source = c.req.raw.body;
  if (!source || source.locked) return;
  streamed.add(c);
  const reader = source.getReader();
  const idleMs = bodyIdleMs(c);
  let total = 0;
  try {
    for (;;) {
      const result = await readWithin(reader, idleMs);
      if (result === "stalled" || result.done) break;
      total += result.value.length;
      if (total > max) break;
    }
  } catch {
    // Gone: nothing more to drain.
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** Bodies passed on by streamBinary: read, though not held (bodyPolicy). */
const streamed = new WeakSet<Context>();

interface IncrementalSha256 {
  update(chunk: Uint8Array): Promise<void>;
  digest(): Promise<Uint8Array>;
}

/**
 * SHA-256 over chunks: the platform's native streaming digest where there is one (Workers'
 * crypto.DigestStream), else @noble/hashes. Either way no chunk is kept.
 */
function incrementalSha256(): IncrementalSha256 {
  const native = (globalThis.crypto as unknown as { DigestStream?: new (algorithm: string) => WritableStream<Uint8Array> & { digest: Promise<ArrayBuffer> } })?.DigestStream;
  if (native) {
    const sink = new native("SHA-256");
    const writer = sink.getWriter();
    return {
      update: (chunk) => writer.write(chunk),
      digest: async () => {
        await writer.close();
        return new Uint8Array(await sink.digest);
      },
    };
  }
  const hash = sha256.create();
  return {
    update: async (chunk) => void hash.update(chunk),
    digest: async () => hash.digest(),
  };
}

export function decodeBase64Field(value: string, field: string): Uint8Array {
  try {
    return fromBase64(value);
  } catch {
    throw new HttpError(400, "invalid_body", `${field} is not valid base64.`);
  }
}

/** Cheap structural check: the server cannot decrypt, but it can refuse what is not an age v1 file. */
export function requireAgeFile(bytes: Uint8Array, what: string): void {
  if (!isAgeFile(bytes)) throw new HttpError(400, "invalid_ciphertext", `${what} is not an age v1 file.`);
}
