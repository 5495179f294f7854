// Sealing a file's age STREAM on every core (docs/FORMAT.md, "Large attachments (streamed)"): batches of
// 64 KiB chunks go to a pool of Web Workers (seal-worker.ts) and come back in order, and the file's
// SHA-256 runs on one more worker, so the main thread only reads, copies and sends. Without Worker (an
// old browser, a worker blocked, or Node in the tests) the same code runs in this thread instead; the
// bytes are the same either way (src/core/age-stream.ts).
import { sha256 } from "@noble/hashes/sha2.js";
import { type AgeStreamStart, payloadSize, sealChunks, STREAM_CHUNK, startAgeStream } from "../../src/core/age-stream.js";
import { toHex } from "../../src/core/bytes.js";

export type WorkerRequest =
  | { type: "seal"; job: number; key: Uint8Array; firstIndex: number; plaintext: ArrayBuffer; final: boolean }
  | { type: "hash"; bytes: ArrayBuffer }
  | { type: "digest"; job: number };
export type WorkerReply =
  | { type: "sealed"; job: number; ciphertext: ArrayBuffer }
  | { type: "hashed"; bytes: number }
  | { type: "digest"; job: number; digest: string }
  | { type: "failed"; job: number; message: string };

/** Plaintext per job: 16 chunks. Big enough that messages cost little, small enough to spread a short file. */
export const JOB_BYTES = 16 * STREAM_CHUNK;
/** File bytes sent to the hashing worker and not hashed yet, at most. */
const HASH_BACKLOG = 4 * JOB_BYTES;

export interface Hasher {
  /**
   * `bytes` may be reused by the caller as soon as this returns; when the hash falls behind, the promise
   * holds the reader back until it catches up (so copies waiting to be hashed never pile up in memory).
   */
  update(bytes: Uint8Array): Promise<void> | void;
  digest(): Promise<string>;
}

export interface Sealer {
  /** Seals whole chunks from `firstIndex`; `plaintext`'s buffer is handed over (transferred). */
  seal(firstIndex: number, plaintext: Uint8Array<ArrayBuffer>, final: boolean): Promise<Uint8Array>;
  hasher: Hasher;
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

/** In this thread: the fallback, and what Node runs. */
function inThreadSealer(key: Uint8Array): Sealer {
  const hash = sha256.create();
  return {
    depth: 1,
    seal: async (firstIndex, plaintext, final) => sealChunks(key, firstIndex, plaintext, final),
    hasher: { update: (bytes) => void hash.update(bytes), digest: async () => toHex(hash.digest()) },
    close: () => {},
  };
}

class WorkerSealer implements Sealer {
  readonly depth: number;
  private readonly sealers: Worker[];
  private readonly hashWorker: Worker;
  private next = 0;
  private jobs = 0;
  private readonly pending = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void }>();
  private broken: Error | null = null;
  private hashBacklog = 0;
  private hashCaughtUp: (() => void) | null = null;

  constructor(
    private readonly key: Uint8Array,
    count: number,
    create: () => Worker,
  ) {
    this.sealers = Array.from({ length: count }, create);
    this.hashWorker = create();
    this.depth = count * 2;
    for (const w of [...this.sealers, this.hashWorker]) {
      w.onmessage = (e: MessageEvent<WorkerReply>) => this.reply(e.data);
      w.onerror = (e) => {
        e.preventDefault();
        this.fail(new Error(`a sealing worker stopped: ${e.message || "unknown error"}`));
      };
    }
  }

  private reply(m: WorkerReply): void {
    if (m.type === "hashed") {
      this.hashBacklog -= m.bytes;
      if (this.hashBacklog <= HASH_BACKLOG / 2) this.releaseReader();
      return;
    }
    const waiter = this.pending.get(m.job);
    if (!waiter) return;
    this.pending.delete(m.job);
    if (m.type === "failed") waiter.reject(new Error(m.message));
    else if (m.type === "sealed") waiter.resolve(new Uint8Array(m.ciphertext) as never);
    else waiter.resolve(m.digest as never);
  }

  private releaseReader(): void {
    const wake = this.hashCaughtUp;
    this.hashCaughtUp = null;
    wake?.();
  }

  private fail(error: Error): void {
    this.broken ??= error;
    this.releaseReader();
    for (const w of this.pending.values()) w.reject(error);
    this.pending.clear();
  }

  private ask<T>(worker: Worker, message: WorkerRequest, transfer: Transferable[] = []): Promise<T> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise<T>((resolve, reject) => {
      this.pending.set((message as { job: number }).job, { resolve: resolve as (v: never) => void, reject });
      worker.postMessage(message, transfer);
    });
  }

  seal(firstIndex: number, plaintext: Uint8Array<ArrayBuffer>, final: boolean): Promise<Uint8Array> {
    const worker = this.sealers[this.next++ % this.sealers.length]!;
    // A view on part of a buffer cannot be transferred alone: hand over exactly its bytes.
    const whole = plaintext.byteOffset === 0 && plaintext.byteLength === plaintext.buffer.byteLength ? plaintext : plaintext.slice();
    return this.ask(worker, { type: "seal", job: this.jobs++, key: this.key, firstIndex, plaintext: whole.buffer, final }, [whole.buffer]);
  }

  readonly hasher: Hasher = {
    update: (bytes) => {
      if (this.broken) return;
      const copy = bytes.slice();
      this.hashBacklog += copy.length;
      this.hashWorker.postMessage({ type: "hash", bytes: copy.buffer } satisfies WorkerRequest, [copy.buffer]);
      if (this.hashBacklog <= HASH_BACKLOG) return;
      return new Promise<void>((resolve) => (this.hashCaughtUp = resolve));
    },
    digest: () => this.ask<string>(this.hashWorker, { type: "digest", job: this.jobs++ }),
  };

  close(): void {
    for (const w of [...this.sealers, this.hashWorker]) w.terminate();
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

/**
 * The age file of `plaintext` to `recipients`, sealed by `sealer` (made for the file's payload key by
 * `makeSealer`), in order: the header and nonce, then each batch as soon as it and those before it are done.
 */
export async function sealedStream(
  plaintext: ReadableStream<Uint8Array>,
  recipients: readonly string[],
  makeSealer: (start: AgeStreamStart) => Sealer,
): Promise<{ stream: SizedStream; sealer: Sealer }> {
  const start = await startAgeStream(recipients);
  const sealer = makeSealer(start);
  const reader = plaintext.getReader();
  const inFlight: Promise<Uint8Array>[] = [];
  let nextIndex = 0;
  let buffer = new Uint8Array(JOB_BYTES);
  let filled = 0;
  let ended = false;
  let prefixSent = false;
  const dispatch = (final: boolean) => {
    const batch = buffer.subarray(0, filled);
    const job = sealer.seal(nextIndex, batch, final);
    job.catch(() => {}); // awaited in order below; an early failure must not go unhandled meanwhile
    inFlight.push(job);
    nextIndex += Math.ceil(filled / STREAM_CHUNK);
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
          controller.close();
          return;
        }
        controller.enqueue(await head);
      },
      async cancel(reason) {
        sealer.close();
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream: Object.assign(stream, { size: (n: number) => start.prefix.length + payloadSize(n) }), sealer };
}
