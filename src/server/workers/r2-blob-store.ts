// Blobs in Cloudflare R2. Finished blobs are objects named by their key (`envelopes/<id>`, …). An upload
// in progress is one object per attempt at a part, `uploads/<id>/<name>` with a fresh random name each
// time, so two isolates sending the same part never write one key; the upload's D1 row records the names
// of the attempts it counted (uploads.part_names, routes/uploads.ts), and an attempt it did not count is
// deleted by its own request. Completion copies the counted parts, in the row's order and cut at `size`,
// into the final object, then deletes everything under the upload's prefix (leftover attempts included). R2 objects are immutable and R2 multipart parts must all be the same size (at least 5 MiB) except
// the last, while sources' parts are whatever the page sent, so completion re-chunks: it streams the parts
// through one buffer of COPY_CHUNK bytes and uploads each full buffer as a multipart part. Memory stays
// bounded by one chunk whatever the attachment's size (docs/SCALING.md, "R2").
import { isId, randomBytes, toHex } from "../../core/bytes.js";
import { type BlobStore, isBlobKey, PART_NAME_LENGTH, type StoredBlob } from "../blobs.js";
import type { R2Bucket, R2Object, R2UploadedPart } from "./bindings.js";

const PREFIX = /^(envelopes|attachments|replies|notes|uploads)$/;

/** Multipart part size used when assembling an upload: R2 needs ≥ 5 MiB, equal except the last. */
export const COPY_CHUNK = 8 << 20;

/** workerd's FixedLengthStream: a TransformStream whose readable side R2 knows the length of. */
function fixedLengthStream(): new (length: number) => TransformStream<Uint8Array, Uint8Array> {
  const constructor = (globalThis as { FixedLengthStream?: new (length: number) => TransformStream<Uint8Array, Uint8Array> }).FixedLengthStream;
  if (!constructor) throw new Error("R2 parts need workerd's FixedLengthStream");
  return constructor;
}

const PART_NAME = new RegExp(`^[0-9a-f]{${PART_NAME_LENGTH}}$`);

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

  /** Each attempt at a part is an object of its own, `uploads/<id>/<name>`: two attempts never share a key. */
  async writeUploadPart(uploadId: string, _offset: number, data: Uint8Array): Promise<string> {
    const name = toHex(randomBytes(PART_NAME_LENGTH / 2));
    await this.bucket.put(`${this.uploadPrefix(uploadId)}${name}`, data);
    return name;
  }

  /**
   * A part streamed as it arrives: R2 takes a stream only of known length, so it goes through a
   * FixedLengthStream of `length` (workerd's), which fails the put if the body ends short. Nothing of the
   * part is held but the chunk in flight.
   */
  async writeUploadPartStream(uploadId: string, body: ReadableStream<Uint8Array>, length: number): Promise<string> {
    const name = toHex(randomBytes(PART_NAME_LENGTH / 2));
    const key = `${this.uploadPrefix(uploadId)}${name}`;
    const fixed = new (fixedLengthStream())(length);
    const piped = body.pipeTo(fixed.writable);
    piped.catch(() => {});
    try {
      await this.bucket.put(key, fixed.readable);
      await piped;
    } catch (e) {
      await piped.catch(() => {});
      // A put that failed stored nothing; the delete is for one that failed after R2 had the object.
      await this.bucket.delete(key).catch(() => {});
      throw e;
    }
    return name;
  }

  async discardUploadPart(uploadId: string, name: string): Promise<void> {
    if (!PART_NAME.test(name)) throw new Error("invalid part name");
    await this.bucket.delete(`${this.uploadPrefix(uploadId)}${name}`);
  }

  async completeUpload(uploadId: string, size: number, key: string, partNames: string): Promise<void> {
    const target = this.key(key);
    const prefix = this.uploadPrefix(uploadId);
    if (partNames.length % PART_NAME_LENGTH !== 0) throw new Error(`upload ${uploadId}: malformed part names`);
    const parts: string[] = [];
    for (let i = 0; i < partNames.length; i += PART_NAME_LENGTH) {
      const name = partNames.slice(i, i + PART_NAME_LENGTH);
      if (!PART_NAME.test(name)) throw new Error(`upload ${uploadId}: malformed part names`);
      parts.push(`${prefix}${name}`);
    }
    try {
      await this.assemble(parts, size, target);
    } catch (e) {
      // Already assembled by another attempt (one that failed before its rows were committed, or one running
      // at the same time, which deleted the parts): the upload is sealed, so that attempt's bytes are these.
      if ((await this.bucket.head(target))?.size !== size) throw e;
    }
    // The accepted parts and any attempt that was never counted (its request died before it could drop it).
    await this.deleteKeys((await this.listAll(prefix)).map((o) => o.key));
  }

  private async assemble(parts: string[], size: number, target: string): Promise<void> {
    if (size <= this.copyChunk) {
      const buffer = new Uint8Array(size);
      await this.copyParts(parts, size, buffer, async () => {});
      await this.bucket.put(target, buffer);
      return;
    }
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

  /**
   * Streams the first `size` bytes of `parts` through `buffer`, calling `flush` with each full buffer and
   * with the final partial one (unless empty).
   */
  private async copyParts(parts: string[], size: number, buffer: Uint8Array, flush: (chunk: Uint8Array) => Promise<void>): Promise<void> {
    let copied = 0;
    let filled = 0;
    for (const [index, part] of parts.entries()) {
      if (copied >= size) break;
      const object = await this.bucket.get(part);
      if (!object) throw new Error(`upload: part ${index} vanished`);
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
      if (copied < size && partBytes !== object.size) throw new Error(`upload: part ${index} is shorter than listed`);
    }
    if (copied < size) throw new Error(`upload holds ${copied} bytes, expected ${size}`);
    if (filled > 0) await flush(buffer.subarray(0, filled));
  }

  async abortUpload(uploadId: string): Promise<void> {
    await this.deleteKeys((await this.listAll(this.uploadPrefix(uploadId))).map((o) => o.key));
  }

  /** When `key` was written, or the newest part of upload `id` for `uploads/<id>`; null if it is gone. */
  async writtenAt(key: string): Promise<number | null> {
    if (key.startsWith("uploads/")) {
      const parts = await this.listAll(this.uploadPrefix(key.slice("uploads/".length)));
      return parts.length === 0 ? null : Math.max(...parts.map((p) => p.uploaded.getTime()));
    }
    return (await this.bucket.head(this.key(key)))?.uploaded.getTime() ?? null;
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
