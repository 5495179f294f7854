// Request bodies are read with a hard size limit and parsed by a schema before any handler sees them.
import type { Context, MiddlewareHandler } from "hono";
import * as z from "zod/mini";
import { en } from "zod/locales";
import { isAgeFile } from "../core/age.js";
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
/**
 * Requests whose body was taken: read (and perhaps since handed back: `reusableBody`), or passed on as a
 * stream (body-stream.ts). A refusal of any other request with a body closes the connection (bodyPolicy).
 */
const taken = new WeakSet<Context>();

/** Whether this request's body was read or streamed. */
export const bodyTaken = (c: Context): boolean => taken.has(c);

/** Records that this request's body is being read by other means than readBody (body-stream.ts). */
export const markBodyTaken = (c: Context): void => void taken.add(c);

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
    if (c.res.status >= 400 && !taken.has(c) && announcesBody(c)) {
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

export const unreadable = () => new HttpError(400, "bad_request", "The request body could not be read.");

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
  taken.add(c);
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

export const tooLarge = (max: number) => new HttpError(413, "payload_too_large", `The request body is larger than ${max} bytes.`);

export function requireType(c: Context, expected: string): void {
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
