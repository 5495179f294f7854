// Sealing a file's age STREAM on every core (docs/FORMAT.md, "Large attachments (streamed)"): batches of
// 64 KiB chunks go to a pool of Web Workers (seal-worker.ts) and come back in order. Each batch is also one
// 1 MiB piece of the file's pieces digest (src/core/pieces.ts), hashed by the worker that seals it with
// the browser's native SHA-256, so the main thread only reads, copies and sends. Without Worker (an old
// browser, a worker blocked, or Node in the tests) the same code runs in this thread instead; the bytes
// are the same either way (src/core/age-stream.ts).
import { type AgeStreamStart, payloadSize, sealChunks, STREAM_CHUNK, startAgeStream } from "../../src/core/age-stream.js";
import { DIGEST_PIECE, pieceDigest, piecesRoot } from "../../src/core/pieces.js";

export type WorkerRequest = { type: "seal"; job: number; key: Uint8Array; firstIndex: number; plaintext: ArrayBuffer; final: boolean; hashBytes: number };
export type WorkerReply =
  | { type: "sealed"; job: number; ciphertext: ArrayBuffer; piece: Uint8Array | null }
  | { type: "failed"; job: number; message: string };

/** Plaintext per job: 16 chunks, one piece of the pieces digest. Big enough that messages cost little, small enough to spread a short file. */
export const JOB_BYTES = 16 * STREAM_CHUNK;
if (JOB_BYTES !== DIGEST_PIECE) throw new Error("a sealing job must be one digest piece");

/** A sealed batch, and the digest of its first `hashBytes` bytes (null when there were none). */
export interface SealedBatch {
  ciphertext: Uint8Array;
  piece: Uint8Array | null;
}

export interface Sealer {
  /**
   * Seals whole chunks from `firstIndex` and hashes the batch's first `hashBytes` bytes (the file's; the
   * rest is padding); `plaintext`'s buffer is handed over (transferred).
   */
  seal(firstIndex: number, plaintext: Uint8Array<ArrayBuffer>, final: boolean, hashBytes: number): Promise<SealedBatch>;
  /** How many jobs to keep in flight to keep every worker busy. */
  readonly depth: number;
  close(): void;
}

export interface SealerOptions {
  /** Workers sealing chunks; by default one per core, at most 4. 0: seal in this thread. */
  workers?: number;
  /** Builds a worker; tests and the bench page may pass their own. */
  createWorker?: () => Worker;
}

const defaultWorker = () => new Worker(new URL("./seal-worker.ts", import.meta.url), { type: "module" });

/** Seals one batch and hashes its file bytes: what a worker does, and the fallback in this thread. */
export async function sealBatch(key: Uint8Array, firstIndex: number, plaintext: Uint8Array<ArrayBuffer>, final: boolean, hashBytes: number): Promise<SealedBatch> {
  // The digest is taken first: the native one copies the bytes it is given, and runs while this seals.
  const hashing = hashBytes > 0 ? pieceDigest(plaintext.subarray(0, hashBytes)) : null;
  const ciphertext = sealChunks(key, firstIndex, plaintext, final);
  return { ciphertext, piece: hashing === null ? null : await hashing };
}

/** In this thread: the fallback, and what Node runs. */
function inThreadSealer(key: Uint8Array): Sealer {
  return { depth: 1, seal: (firstIndex, plaintext, final, hashBytes) => sealBatch(key, firstIndex, plaintext, final, hashBytes), close: () => {} };
}

class WorkerSealer implements Sealer {
  readonly depth: number;
  private readonly workers: Worker[];
  private next = 0;
  private jobs = 0;
  private readonly pending = new Map<number, { resolve: (v: SealedBatch) => void; reject: (e: Error) => void }>();
  private broken: Error | null = null;

  constructor(
    private readonly key: Uint8Array,
    count: number,
    create: () => Worker,
  ) {
    this.workers = Array.from({ length: count }, create);
    this.depth = count * 2;
    for (const w of this.workers) {
      w.onmessage = (e: MessageEvent<WorkerReply>) => this.reply(e.data);
      w.onerror = (e) => {
        e.preventDefault();
        this.fail(new Error(`a sealing worker stopped: ${e.message || "unknown error"}`));
      };
    }
  }

  private reply(m: WorkerReply): void {
    const waiter = this.pending.get(m.job);
    if (!waiter) return;
    this.pending.delete(m.job);
    if (m.type === "failed") waiter.reject(new Error(m.message));
    else waiter.resolve({ ciphertext: new Uint8Array(m.ciphertext), piece: m.piece });
  }

  private fail(error: Error): void {
    this.broken ??= error;
    for (const w of this.pending.values()) w.reject(error);
    this.pending.clear();
  }

  seal(firstIndex: number, plaintext: Uint8Array<ArrayBuffer>, final: boolean, hashBytes: number): Promise<SealedBatch> {
    if (this.broken) return Promise.reject(this.broken);
    const worker = this.workers[this.next++ % this.workers.length]!;
    // A view on part of a buffer cannot be transferred alone: hand over exactly its bytes.
    const whole = plaintext.byteOffset === 0 && plaintext.byteLength === plaintext.buffer.byteLength ? plaintext : plaintext.slice();
    const job = this.jobs++;
    return new Promise<SealedBatch>((resolve, reject) => {
      this.pending.set(job, { resolve, reject });
      worker.postMessage({ type: "seal", job, key: this.key, firstIndex, plaintext: whole.buffer, final, hashBytes } satisfies WorkerRequest, [whole.buffer]);
    });
  }

  close(): void {
    for (const w of this.workers) w.terminate();
    this.fail(new Error("the sealer was closed"));
  }
}

export function createSealer(key: Uint8Array, options: SealerOptions = {}): Sealer {
  const cores = typeof navigator !== "undefined" && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 1;
  const count = options.workers ?? Math.min(4, cores);
  if (count <= 0 || typeof Worker !== "function") return inThreadSealer(key);
  try {
    return new WorkerSealer(key, count, options.createWorker ?? defaultWorker);
  } catch {
    return inThreadSealer(key);
  }
}

/** A stream of ciphertext that also says how long it will be, like age-encryption's. */
export type SizedStream = ReadableStream<Uint8Array> & { size(plaintextSize: number): number };

/** A sealed file as it streams, and once it has ended, its plaintext's pieces digest (src/core/pieces.ts). */
export interface SealedFile {
  stream: SizedStream;
  sealer: Sealer;
  /** The hex pieces digest of the first `fileSize` plaintext bytes; only once the stream has ended. */
  piecesDigest(): string;
}

/**
 * The age file of `plaintext` to `recipients`, sealed by `sealer` (made for the file's payload key by
 * `makeSealer`), in order: the header and nonce, then each batch as soon as it and those before it are done.
 * The first `fileSize` bytes of `plaintext` are the file (the rest is its padding): each batch's share of
 * them is hashed as one piece.
 */
export async function sealedStream(
  plaintext: ReadableStream<Uint8Array>,
  recipients: readonly string[],
  makeSealer: (start: AgeStreamStart) => Sealer,
  fileSize: number,
): Promise<SealedFile> {
  const start = await startAgeStream(recipients);
  const sealer = makeSealer(start);
  const reader = plaintext.getReader();
  const inFlight: Promise<SealedBatch>[] = [];
  const pieces: Uint8Array[] = [];
  let nextIndex = 0;
  let offset = 0;
  let buffer = new Uint8Array(JOB_BYTES);
  let filled = 0;
  let ended = false;
  let finished = false;
  let prefixSent = false;
  const dispatch = (final: boolean) => {
    const batch = buffer.subarray(0, filled);
    const hashBytes = Math.max(0, Math.min(filled, fileSize - offset));
    const job = sealer.seal(nextIndex, batch, final, hashBytes);
    job.catch(() => {}); // awaited in order below; an early failure must not go unhandled meanwhile
    inFlight.push(job);
    nextIndex += Math.ceil(filled / STREAM_CHUNK);
    offset += filled;
    buffer = new Uint8Array(JOB_BYTES);
    filled = 0;
  };
  // Reads ahead until `depth` batches are being sealed. A full buffer waits until more input shows it
  // is not the last: only the batch that ends the file carries the last-chunk flag.
  const topUp = async () => {
    while (!ended && inFlight.length < sealer.depth) {
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        if (filled > 0 || nextIndex === 0) dispatch(true);
        return;
      }
      let chunk = value;
      while (chunk.length > 0) {
        if (filled === JOB_BYTES) dispatch(false);
        const n = Math.min(chunk.length, JOB_BYTES - filled);
        buffer.set(chunk.subarray(0, n), filled);
        filled += n;
        chunk = chunk.subarray(n);
      }
    }
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!prefixSent) {
          prefixSent = true;
          controller.enqueue(start.prefix);
          return;
        }
        await topUp();
        const head = inFlight.shift();
        if (head === undefined) {
          finished = true;
          controller.close();
          return;
        }
        const { ciphertext, piece } = await head;
        if (piece !== null) pieces.push(piece);
        controller.enqueue(ciphertext);
      },
      async cancel(reason) {
        sealer.close();
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  const piecesDigest = () => {
    if (!finished) throw new Error("the file has not been sealed to its end yet");
    return piecesRoot(pieces);
  };
  return { stream: Object.assign(stream, { size: (n: number) => start.prefix.length + payloadSize(n) }), sealer, piecesDigest };
}
