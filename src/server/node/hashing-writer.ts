// Appending to a file while hashing every byte written, with small writes batched into 1 MiB ones: the
// backup file and the CLI's vault bundle both end with a line carrying the digest of what came before it.
import { createHash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";

const BATCH = 1 << 20;

export class HashingWriter {
  /** SHA-256 of every byte given to write() so far; `hash.copy().digest()` reads it without ending it. */
  readonly hash = createHash("sha256");
  /** Bytes given to write() so far. */
  written = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly out: FileHandle) {}

  async write(data: Uint8Array | string): Promise<void> {
    const buf = typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.hash.update(buf);
    this.pending.push(buf);
    this.pendingBytes += buf.length;
    this.written += buf.length;
    if (this.pendingBytes >= BATCH) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    for (let off = 0; off < buf.length; ) off += (await this.out.write(buf, off, buf.length - off)).bytesWritten;
  }
}
