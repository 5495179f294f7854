// Bodies passed on as they arrive instead of held: an upload's part streamed to a store that writes a
// stream (R2), hashed and sniffed on its way through. The rules are body.ts's (idle time, sizes, the
// stable errors); only the holding differs.
import type { Context } from "hono";
import { sha256 } from "@noble/hashes/sha2.js";
import { AgeSniffer } from "../core/age.js";
import { bodyIdleMs, bodyTaken, markBodyTaken, readWithin, requireType, tooLarge, unreadable } from "./body.js";
import { HttpError } from "./http-error.js";

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
        markBodyTaken(c);
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
  if (bodyTaken(c)) return;
  const source = c.req.raw.body;
  if (!source || source.locked) return;
  markBodyTaken(c);
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
