// Streaming, resumable upload of one attachment. The file is read as a stream, padded exactly as
// pad() would (src/core/padding.ts), encrypted with age's STREAM as it goes, and cut into parts that are
// uploaded one after another while the next ones are encrypted (a bounded queue: memory stays a few parts
// whatever the file's size). Ciphertext stays in the queue until the server acknowledges its part, so a
// dropped connection resumes from the last part the server holds (GET /api/uploads/:id) without
// re-encrypting: age output cannot be reproduced once the encryptor has moved on. Nothing is stored in
// the browser; a reload starts over.
//
// Memory: the parts' buffers (queuedParts + 1 of them) are reused once the server acknowledges a part, and
// the padding (up to ~3% of the file, 64 MiB for 2 GiB) is streamed from one shared piece of zeros
// (paddingPieces in src/core/padding.ts), so
// nothing allocated here grows with the file. What remains is the encryptor's and the file reader's 64 KiB
// chunks, which the garbage collector frees as it goes.
import { paddedSize, paddingPieces } from "../../src/core/padding.js";
import { cutIntoParts } from "../../src/core/parts.js";
import type { UploadStatus } from "../../src/core/wire.js";
import { createSealer, sealedStream, type SealerOptions } from "./sealer.js";

/** The HTTP calls an upload makes; client/api.ts provides them (tests may wrap them). */
export interface UploadApi {
  createUpload(): Promise<UploadStatus>;
  /** `bytes` is reused for a later part once the returned promise settles: send or copy it before that. */
  putPart(uploadId: string, index: number, bytes: Uint8Array, onProgress: (sent: number) => void, signal?: AbortSignal): Promise<UploadStatus>;
  getUpload(uploadId: string): Promise<UploadStatus>;
}

/** What is uploaded: `File` satisfies it. */
export interface StreamableFile {
  readonly size: number;
  stream(): ReadableStream<Uint8Array>;
}

export interface UploadProgress {
  /** Ciphertext bytes the server has acknowledged, plus those of the part in flight. */
  sent: number;
  /** Ciphertext bytes in all. */
  total: number;
  /** Set while waiting to resume: after a dropped connection, or while the server answers 503 `unavailable`. */
  retrying: Retrying;
}

export type Retrying = false | "connection" | "server";

/** The server said it cannot store anything right now (its database is restarting): not the source's link. */
const serverUnavailable = (e: unknown) => e instanceof Error && e.name === "ApiError" && (e as { code?: string }).code === "unavailable";

export interface StreamUploadOptions {
  recipients: readonly string[];
  api: UploadApi;
  onProgress?: (p: UploadProgress) => void;
  /** Largest part; the server's partSize caps it. */
  partSize?: number;
  /** Parts encrypted ahead of the network, the one in flight included. */
  queuedParts?: number;
  /** Consecutive failed attempts before giving up. */
  maxRetries?: number;
  /** Waits between attempts (ms), doubling up to maxDelay. */
  retryDelay?: number;
  maxDelay?: number;
  /** Whether an error is a dropped connection worth retrying. */
  isTransient?: (e: unknown) => boolean;
  sleep?: (ms: number) => Promise<void>;
  /** Cancel: stops encrypting and sending at once; the upload rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Where the file is sealed: Web Workers on every core by default (sealer.ts). */
  sealer?: SealerOptions;
}

export interface UploadedAttachment {
  uploadId: string;
  /** Plaintext size and pieces digest (src/core/pieces.ts), for the envelope's manifest. */
  size: number;
  sha256Pieces: string;
  /** Ciphertext bytes stored. */
  ciphertextSize: number;
}

/** A file that could not be read any more (moved, deleted, permission revoked). */
export class FileStreamError extends Error {
  override name = "FileStreamError";
}

/** The upload could not be resumed: the server holds something other than what this page sent. */
export class ResumeError extends Error {
  override name = "ResumeError";
}

/** Never split a part below this when a slow link keeps failing. */
const MIN_PART = 256 << 10;

/** file || 0x80 || zeros, as a stream (the sealer hashes the file's bytes: sealer.ts). */
function paddedPlaintext(file: StreamableFile, onRead: (size: number) => void): ReadableStream<Uint8Array> {
  let size = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  let tail: Iterator<Uint8Array> | null = null;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (tail === null) {
          reader ??= file.stream().getReader();
          let result: ReadableStreamReadResult<Uint8Array>;
          try {
            result = await reader.read();
          } catch (e) {
            throw new FileStreamError(e instanceof Error ? e.message : String(e));
          }
          if (!result.done) {
            size += result.value.length;
            controller.enqueue(result.value);
            return;
          }
          if (size !== file.size) throw new FileStreamError("the file changed while it was being read");
          onRead(size);
          tail = paddingPieces(size);
        }
        // The padding piece by piece: its zeros are one shared buffer, read (never written) downstream.
        const piece = tail.next();
        if (piece.done) controller.close();
        else controller.enqueue(piece.value);
      },
      cancel(reason) {
        return reader?.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

interface QueuedPart {
  bytes: Uint8Array;
  failures: number;
  /** The part buffer to reuse once this entry is acknowledged (the last entry cut from it). */
  buffer: Uint8Array<ArrayBuffer> | null;
}

/** Encrypts and uploads `file`; resolves once the server acknowledged every byte. */
export async function uploadEncrypted(file: StreamableFile, options: StreamUploadOptions): Promise<UploadedAttachment> {
  const { api, recipients } = options;
  const queuedParts = Math.max(2, options.queuedParts ?? 3);
  const maxRetries = options.maxRetries ?? 12;
  const signal = options.signal;
  const wait = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  // A wait that Cancel cuts short.
  const sleep = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => reject(signal!.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      void wait(ms).then(() => (signal?.removeEventListener("abort", onAbort), resolve()));
    });
  const isTransient = options.isTransient ?? ((e: unknown) => e instanceof Error && (e.name === "NetworkError" || (e.name === "ApiError" && /^(http_5|upload_conflict|unavailable$|request_timeout$)/.test((e as { code?: string }).code ?? ""))));

  let plainSize = -1;
  const sealed = await sealedStream(
    paddedPlaintext(file, (n) => (plainSize = n)),
    recipients,
    (start) => createSealer(start.key, options.sealer),
    file.size,
  );
  const { stream: ciphertext, sealer } = sealed;
  const total = ciphertext.size(paddedSize(file.size));
  try {
    const upload = await api.createUpload();
    const partSize = Math.max(MIN_PART, Math.min(options.partSize ?? upload.partSize, upload.partSize || Infinity));

    // Producer: fills parts from the encryptor and queues them; waits while the queue is full.
    const queue: QueuedPart[] = [];
    let produced = false;
    let aborted = false;
    const reader = ciphertext.getReader();
    let producerError: unknown = null;
    let wakeProducer: (() => void) | null = null;
    let wakeConsumer: (() => void) | null = null;
    const notify = (which: "producer" | "consumer") => {
      const wake = which === "producer" ? wakeProducer : wakeConsumer;
      if (which === "producer") wakeProducer = null;
      else wakeConsumer = null;
      wake?.();
    };
    // Buffers of acknowledged parts, for the next ones: the queue plus the part being filled hold the rest.
    const spare: Uint8Array<ArrayBuffer>[] = [];
    const producer = (async () => {
      const push = async (bytes: Uint8Array, buffer: Uint8Array<ArrayBuffer>, last: boolean) => {
        while (queue.length >= queuedParts && !aborted) await new Promise<void>((r) => (wakeProducer = r));
        if (aborted) throw new Error("upload aborted");
        queue.push({ bytes, failures: 0, buffer });
        notify("consumer");
        return last ? undefined : (spare.pop() ?? new Uint8Array(partSize));
      };
      try {
        await cutIntoParts(reader, new Uint8Array(partSize), push);
      } catch (err) {
        producerError = err;
        await reader.cancel().catch(() => {});
      } finally {
        produced = true;
        notify("consumer");
      }
    })();

    // Consumer: sends the queue's head as part `acknowledged`, strictly in order, resuming on failures.
    let acknowledgedParts = 0;
    let acknowledgedBytes = 0;
    let failures = 0;
    const report = (inFlight: number, retrying: Retrying = false) => options.onProgress?.({ sent: acknowledgedBytes + inFlight, total, retrying });
    const acknowledge = () => {
      const head = queue.shift()!;
      acknowledgedParts++;
      acknowledgedBytes += head.bytes.length;
      if (head.buffer) spare.push(head.buffer);
      notify("producer");
    };
    try {
      for (;;) {
        if (queue.length === 0) {
          if (produced) break;
          await new Promise<void>((r) => {
            wakeConsumer = r;
            signal?.addEventListener("abort", () => r(), { once: true });
          });
          signal?.throwIfAborted();
          continue;
        }
        const head = queue[0]!;
        signal?.throwIfAborted();
        try {
          const status = await api.putPart(upload.id, acknowledgedParts, head.bytes, (sent) => report(Math.min(sent, head.bytes.length)), signal);
          if (status.bytes !== acknowledgedBytes + head.bytes.length) throw new ResumeError(`the server holds ${status.bytes} bytes, expected ${acknowledgedBytes + head.bytes.length}`);
          acknowledge();
          failures = 0;
          report(0);
        } catch (err) {
          if (signal?.aborted) throw signal.reason;
          if (!isTransient(err) || ++failures > maxRetries) throw err;
          report(0, serverUnavailable(err) ? "server" : "connection");
          await sleep(Math.min(options.maxDelay ?? 30_000, (options.retryDelay ?? 1000) * 2 ** (failures - 1)));
          // Where does the server stand? Its acknowledgement may have been lost with the connection.
          let status: UploadStatus | null = null;
          while (status === null) {
            try {
              status = await api.getUpload(upload.id);
            } catch (statusError) {
              if (!isTransient(statusError) || ++failures > maxRetries) throw statusError;
              await sleep(Math.min(options.maxDelay ?? 30_000, (options.retryDelay ?? 1000) * 2 ** (failures - 1)));
            }
          }
          if (status.parts === acknowledgedParts + 1 && status.bytes === acknowledgedBytes + head.bytes.length) {
            acknowledge();
          } else if (status.parts !== acknowledgedParts || status.bytes !== acknowledgedBytes) {
            throw new ResumeError(`cannot resume: the server holds ${status.parts} parts (${status.bytes} bytes), this page sent ${acknowledgedParts} (${acknowledgedBytes})`);
          } else if (++head.failures >= 2 && head.bytes.length >= 2 * MIN_PART) {
            // A link that keeps dropping mid-part: smaller parts get through.
            const half = Math.ceil(head.bytes.length / 2);
            queue.splice(0, 1, { bytes: head.bytes.subarray(0, half), failures: 0, buffer: null }, { bytes: head.bytes.subarray(half), failures: 0, buffer: head.buffer });
          }
          report(0);
        }
      }
    } catch (err) {
      aborted = true;
      notify("producer");
      await reader.cancel(err).catch(() => {});
      throw err;
    } finally {
      await producer.catch(() => {});
    }
    if (producerError) throw producerError;
    if (plainSize < 0 || acknowledgedBytes !== total) throw new ResumeError(`uploaded ${acknowledgedBytes} of ${total} bytes`);
    return { uploadId: upload.id, size: plainSize, sha256Pieces: sealed.piecesDigest(), ciphertextSize: total };
  } finally {
    sealer.close();
  }
}
