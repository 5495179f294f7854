// Where ciphertext lives. The server app sees only this interface; the Node entry stores files on disk,
// the Workers entry uses R2. Keys are `attachments/<id>`, `replies/<id>`, `notes/<id>`, and `envelopes/<id>`
// for submissions stored before envelopes moved into their rows (migration 0004); uploads are addressed by id.
import { isId } from "../core/bytes.js";

/** Length of a part's name in stores that keep each attempt apart (uploads.part_names is a run of them). */
export const PART_NAME_LENGTH = 16;

const BLOB_FOLDERS: readonly string[] = ["envelopes", "attachments", "replies", "notes"];

/** Whether `key` is `<folder>/<id>`: stores refuse any other key, so no key can name a path of its own. */
export function isBlobKey(key: string): boolean {
  const slash = key.indexOf("/");
  return slash > 0 && BLOB_FOLDERS.includes(key.slice(0, slash)) && isId(key.slice(slash + 1));
}

export interface StoredBlob {
  body: ReadableStream<Uint8Array>;
  size: number;
}

export interface BlobStore {
  /** Stores `data` under `key`, replacing any previous value atomically. Resolves only once durable. */
  put(key: string, data: Uint8Array): Promise<void>;
  get(key: string): Promise<StoredBlob | null>;
  /** Removes `key`; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Writes `data` as the part at byte `offset` of upload `uploadId` and resolves, once the bytes are
   * durable, with the name they are stored under. Stores that write a part in place return '' (the
   * offset names it; anything stored past `offset`, the remains of an attempt that was not counted, is
   * discarded). Stores that keep every attempt apart (R2) return a fresh name of PART_NAME_LENGTH
   * characters: the upload's row records it when it counts the part (uploads.part_names), and an attempt
   * that was not counted is dropped with `discardUploadPart`.
   */
  writeUploadPart(uploadId: string, offset: number, data: Uint8Array): Promise<string>;
  /**
   * Optional: the same as writeUploadPart for a part passed on as it arrives, exactly `length` bytes (the
   * stream errors otherwise, and nothing is kept). A store that has it takes every part this way, and the
   * part's bytes are never held whole (R2; files and PostgreSQL take the part as bytes).
   */
  writeUploadPartStream?(uploadId: string, body: ReadableStream<Uint8Array>, length: number): Promise<string>;
  /** Drops the bytes of an attempt `writeUploadPart` named `name` that the upload's row did not count. */
  discardUploadPart(uploadId: string, name: string): Promise<void>;
  /**
   * Moves the first `size` bytes of a finished upload to `key`, durably. `partNames` is the row's
   * uploads.part_names (the accepted attempts, in order; '' for stores that write parts in place).
   * Finishing an upload that another attempt already moved to `key` with that size is not an error.
   */
  completeUpload(uploadId: string, size: number, key: string, partNames: string): Promise<void>;
  /** Drops an unfinished upload; dropping a missing one is not an error. */
  abortUpload(uploadId: string): Promise<void>;
  /** Ids stored under a prefix (`envelopes`, `attachments`, …), or of unfinished uploads (`uploads`). */
  list(prefix: string): Promise<string[]>;
  /**
   * When the blob `key` (for `uploads/<id>`: the newest part of that upload) was last written, in epoch
   * milliseconds, or null if it is gone; only a store that keeps write times anyway has it (R2). The
   * maintenance job ages orphans by it, so a run that never saw them before (a new Workers isolate) can
   * still tell an old orphan from a blob a request is about to commit.
   */
  writtenAt?(key: string): Promise<number | null>;
  /** Resolves when the store answers and can be written to (GET /api/health); rejects otherwise. */
  check(): Promise<void>;
}
