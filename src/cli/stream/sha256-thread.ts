// SHA-256 on a second thread, for large attachments: `sealdrop read` decrypts on the main thread while
// this hashes the plaintext on the other core. Plaintext is copied into a few fixed slots of shared
// memory (a copy costs a fraction of hashing it); the main thread waits only when every slot is still
// being hashed. The hash is Node's own (OpenSSL), the same as createHash("sha256").
import type { Worker } from "node:worker_threads";
import { evalWorker } from "../eval-worker.js";

const SLOT_BYTES = 4 << 20;
const SLOTS = 4;

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const memory = new Uint8Array(workerData.memory);
const hash = createHash("sha256");
parentPort.on("message", (m) => {
  if (m.slot !== undefined) {
    hash.update(memory.subarray(m.slot * workerData.slotBytes, m.slot * workerData.slotBytes + m.length));
    parentPort.postMessage({ free: m.slot });
  } else {
    parentPort.postMessage({ digest: hash.digest("hex") });
  }
});
`;

export class Sha256Thread {
  private readonly memory = new SharedArrayBuffer(SLOT_BYTES * SLOTS);
  private readonly view = new Uint8Array(this.memory);
  private readonly worker: Worker;
  private readonly free: number[] = Array.from({ length: SLOTS }, (_, i) => i);
  private readonly waiting: (() => void)[] = [];
  private digestWaiter: ((hex: string) => void) | null = null;
  private failure: Error | null = null;
  /** The slot being filled, and how much of it is. */
  private slot = -1;
  private filled = 0;

  constructor() {
    this.worker = evalWorker(WORKER, { memory: this.memory, slotBytes: SLOT_BYTES });
    this.worker.on("message", (m: { free?: number; digest?: string }) => {
      if (m.free !== undefined) {
        this.free.push(m.free);
        this.waiting.shift()?.();
      } else if (m.digest !== undefined) this.digestWaiter?.(m.digest);
    });
    this.worker.on("error", (e) => {
      this.failure = e;
      for (const w of this.waiting.splice(0)) w();
      this.digestWaiter?.("");
    });
  }

  private async takeSlot(): Promise<void> {
    while (this.free.length === 0 && !this.failure) await new Promise<void>((r) => this.waiting.push(r));
    if (this.failure) throw this.failure;
    this.slot = this.free.shift()!;
    this.filled = 0;
  }

  private send(): void {
    if (this.slot < 0 || this.filled === 0) return;
    this.worker.postMessage({ slot: this.slot, length: this.filled });
    this.slot = -1;
  }

  /** Adds `data` to the hash; resolves once it is copied (the caller may reuse `data` then). */
  async update(data: Uint8Array): Promise<void> {
    for (let at = 0; at < data.length; ) {
      if (this.slot < 0) await this.takeSlot();
      const n = Math.min(data.length - at, SLOT_BYTES - this.filled);
      this.view.set(data.subarray(at, at + n), this.slot * SLOT_BYTES + this.filled);
      this.filled += n;
      at += n;
      if (this.filled === SLOT_BYTES) this.send();
    }
  }

  /** The hex digest of everything added; the thread ends either way. */
  async digest(): Promise<string> {
    try {
      this.send();
      const hex = await new Promise<string>((resolve) => {
        this.digestWaiter = resolve;
        this.worker.postMessage({});
      });
      if (this.failure) throw this.failure;
      return hex;
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
