// Blobs in Cloudflare R2. Finished blobs are objects named by their key (`envelopes/<id>`, …). An upload
// in progress is one object per part, `uploads/<id>/<offset>` (offset zero-padded so names sort in byte
// order); completion copies the parts, in order and cut at `size`, into the final object, then deletes
// them. R2 objects are immutable and R2 multipart parts must all be the same size (at least 5 MiB) except
// the last, while sources' parts are whatever the page sent, so completion re-chunks: it streams the parts
// through one buffer of COPY_CHUNK bytes and uploads each full buffer as a multipart part. Memory stays
// bounded by one chunk whatever the attachment's size (docs/SCALING.md, "R2").
import { isId } from "../../core/bytes.js";
import { type BlobStore, isBlobKey, type StoredBlob } from "../blobs.js";
import type { R2Bucket, R2Object, R2UploadedPart } from "./bindings.js";

const PREFIX = /^(envelopes|attachments|replies|notes|uploads)$/;

/** Multipart part size used when assembling an upload: R2 needs ≥ 5 MiB, equal except the last. */
export const COPY_CHUNK = 8 << 20;
const OFFSET_DIGITS = 16;

interface StoredPart {
  key: string;
  offset: number;
  size: number;
}

export class R2BlobStore implements BlobStore {
  constructor(
    private readonly bucket: R2Bucket,
    private readonly copyChunk = COPY_CHUNK,
  ) {
    if (copyChunk < 5 << 20) throw new Error("R2 multipart parts must be at least 5 MiB");
  }

  private key(key: string): string {
    if (!isBlobKey(key)) throw new Error(`invalid blob key ${JSON.stringify(key)}`);
    return key;
  }

  private uploadPrefix(uploadId: string): string {
    if (!isId(uploadId)) throw new Error("invalid upload id");
    return `uploads/${uploadId}/`;
  }

  private async listAll(prefix: string): Promise<R2Object[]> {
    const out: R2Object[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.bucket.list({ prefix, cursor });
      out.push(...page.objects);
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    return out;
  }

  /** The parts of an upload in offset order. */
  private async parts(uploadId: string): Promise<StoredPart[]> {
    const prefix = this.uploadPrefix(uploadId);
    return (await this.listAll(prefix))
      .map((o) => ({ key: o.key, offset: Number(o.key.slice(prefix.length)), size: o.size }))
      .filter((p) => Number.isSafeInteger(p.offset))
      .sort((a, b) => a.offset - b.offset);
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) await this.bucket.delete(keys.slice(i, i + 1000));
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    await this.bucket.put(this.key(key), data);
  }

  async get(key: string): Promise<StoredBlob | null> {
    const object = await this.bucket.get(this.key(key));
    return object ? { body: object.body, size: object.size } : null;
  }

  async delete(key: string): Promise<void> {
    await this.bucket.delete(this.key(key));
  }

  async writeUploadPart(uploadId: string, offset: number, data: Uint8Array): Promise<void> {
    const prefix = this.uploadPrefix(uploadId);
    const parts = await this.parts(uploadId);
    let contiguous = 0;
    const stale: string[] = [];
    for (const p of parts) {
      if (p.offset >= offset) {
        stale.push(p.key);
      } else if (p.offset === contiguous) {
        if (p.offset + p.size > offset) {
          // A part that runs past `offset` (its acknowledgement was lost and a shorter retry follows): keep
          // only its head. Bounded by one part's size.
          const body = await this.bucket.get(p.key);
          if (!body) throw new Error(`upload ${uploadId}: part at ${p.offset} vanished`);
          await this.bucket.put(p.key, new Uint8Array(await body.arrayBuffer()).subarray(0, offset - p.offset));
          contiguous = offset;
        } else {
          contiguous = p.offset + p.size;
        }
      }
    }
    if (contiguous < offset) throw new Error(`upload ${uploadId} holds ${contiguous} bytes, expected at least ${offset}`);
    await this.deleteKeys(stale.filter((k) => k !== `${prefix}${pad(offset)}`));
    await this.bucket.put(`${prefix}${pad(offset)}`, data);
  }

  async completeUpload(uploadId: string, size: number, key: string): Promise<void> {
    const target = this.key(key);
    const parts = await this.parts(uploadId);
    if (parts.length === 0) {
      // Already assembled by an attempt that failed before its rows were committed: finish that attempt.
      if ((await this.bucket.head(target))?.size === size) return;
      throw new Error(`upload ${uploadId} has no parts`);
    }
    if (size <= this.copyChunk) {
      const buffer = new Uint8Array(size);
      await this.copyParts(parts, size, buffer, async () => {});
      await this.bucket.put(target, buffer);
    } else {
      const upload = await this.bucket.createMultipartUpload(target);
      try {
        const uploaded: R2UploadedPart[] = [];
        const flush = async (chunk: Uint8Array) => {
          uploaded.push(await upload.uploadPart(uploaded.length + 1, chunk));
        };
        await this.copyParts(parts, size, new Uint8Array(this.copyChunk), flush);
        await upload.complete(uploaded);
      } catch (e) {
        await upload.abort().catch(() => {});
        throw e;
      }
    }
    await this.deleteKeys(parts.map((p) => p.key));
  }

  /**
   * Streams the first `size` bytes of `parts` through `buffer`, calling `flush` with each full buffer and
   * with the final partial one (unless empty).
   */
  private async copyParts(parts: StoredPart[], size: number, buffer: Uint8Array, flush: (chunk: Uint8Array) => Promise<void>): Promise<void> {
    let copied = 0;
    let filled = 0;
    for (const part of parts) {
      if (copied >= size) break;
      if (part.offset !== copied) throw new Error(`upload: expected a part at ${copied}, found one at ${part.offset}`);
      const object = await this.bucket.get(part.key);
      if (!object) throw new Error(`upload: part at ${part.offset} vanished`);
      const reader = object.body.getReader();
      let partBytes = 0;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          let chunk = value.subarray(0, Math.max(0, size - copied));
          partBytes += value.length;
          while (chunk.length > 0) {
            const n = Math.min(chunk.length, buffer.length - filled);
            buffer.set(chunk.subarray(0, n), filled);
            filled += n;
            copied += n;
            chunk = chunk.subarray(n);
            if (filled === buffer.length && copied < size) {
              await flush(buffer.slice());
              filled = 0;
            }
          }
          if (copied >= size) break;
        }
      } finally {
        await reader.cancel().catch(() => {});
      }
      if (copied < size && partBytes !== part.size) throw new Error(`upload: part at ${part.offset} is shorter than listed`);
    }
    if (copied < size) throw new Error(`upload holds ${copied} bytes, expected ${size}`);
    if (filled > 0) await flush(buffer.subarray(0, filled));
  }

  async abortUpload(uploadId: string): Promise<void> {
    await this.deleteKeys((await this.parts(uploadId)).map((p) => p.key));
  }

  /** A HEAD of a key that never exists: R2 answers it (null) when the bucket is reachable. */
  async check(): Promise<void> {
    await this.bucket.head("health/check");
  }

  async list(prefix: string): Promise<string[]> {
    if (!PREFIX.test(prefix)) throw new Error("invalid blob prefix");
    if (prefix === "uploads") {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await this.bucket.list({ prefix: "uploads/", delimiter: "/", cursor });
        for (const p of page.delimitedPrefixes) ids.push(p.slice("uploads/".length, -1));
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
      return ids.filter((id) => isId(id));
    }
    return (await this.listAll(`${prefix}/`)).map((o) => o.key.slice(prefix.length + 1)).filter((id) => isId(id));
  }
}

const pad = (offset: number) => String(offset).padStart(OFFSET_DIGITS, "0");
