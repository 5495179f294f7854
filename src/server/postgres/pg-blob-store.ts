// Blobs in PostgreSQL (table blob_chunks, migrations/postgres/0008_blob_chunks.sql), so that app nodes
// keep no state of their own: any node reads what another wrote, and a node may die at any moment.
//
// A blob is a run of chunks of at most CHUNK_BYTES, each a row keyed by the blob's kind and id and its
// first byte's offset. Each write is one transaction (or joins the caller's: `within`), so a reader sees
// the old blob or the new one, never half of one, and a write that fails leaves nothing. A read streams one
// chunk per query with nothing held between them, so memory stays at a chunk or two whatever the blob's
// size (attachments reach 8 GiB; offsets are BIGINT) and no connection is held while a slow client reads.
import { type Kysely, sql } from "kysely";
import { isId } from "../../core/bytes.js";
import { type BlobStore, isBlobKey, type StoredBlob } from "../blobs.js";
import type { Database } from "../db/schema.js";

/** Bytes per chunk row: big enough that a 4 GiB attachment is 4,096 rows, small enough to stream. */
export const CHUNK_BYTES = 1 << 20;

/** Tables only the PostgreSQL deployment has (migrations/postgres/): not part of the shared schema. */
export const POSTGRES_ONLY_TABLES: readonly string[] = ["blob_chunks"];

const UPLOADS = "uploads";
const LISTED = /^(envelopes|attachments|replies|notes|uploads)$/;

interface Blob {
  kind: string;
  id: string;
}

function blobOf(key: string): Blob {
  if (!isBlobKey(key)) throw new Error(`invalid blob key ${JSON.stringify(key)}`);
  const slash = key.indexOf("/");
  return { kind: key.slice(0, slash), id: key.slice(slash + 1) };
}

function uploadOf(uploadId: string): Blob {
  if (!isId(uploadId)) throw new Error("invalid upload id");
  return { kind: UPLOADS, id: uploadId };
}

/** `data` as pg sends it: a Buffer over the same memory (pg passes Buffers as binary parameters). */
const asBuffer = (data: Uint8Array): Buffer => Buffer.from(data.buffer, data.byteOffset, data.byteLength);

/** How many chunks `blob` has and how many bytes they hold (octet_length reads no TOAST data). */
async function extent(db: Kysely<Database>, blob: Blob): Promise<{ chunks: number; bytes: number }> {
  const { rows } = await sql<{ chunks: number; bytes: number }>`
    SELECT count(*) AS chunks, coalesce(sum(octet_length(data)), 0)::bigint AS bytes
    FROM blob_chunks WHERE kind = ${blob.kind} AND id = ${blob.id}`.execute(db);
  return { chunks: Number(rows[0]!.chunks), bytes: Number(rows[0]!.bytes) };
}

/** Drops every byte of `blob` from offset `at` on. */
async function cut(db: Kysely<Database>, blob: Blob, at: number): Promise<void> {
  await sql`DELETE FROM blob_chunks WHERE kind = ${blob.kind} AND id = ${blob.id} AND start >= ${at}`.execute(db);
  await sql`UPDATE blob_chunks SET data = substring(data FROM 1 FOR (${at}::bigint - start)::integer)
    WHERE kind = ${blob.kind} AND id = ${blob.id} AND start < ${at} AND start + octet_length(data) > ${at}`.execute(db);
}

/** Appends `data` to `blob` at offset `start`, in chunks; an empty `data` becomes one empty chunk. */
async function insert(db: Kysely<Database>, blob: Blob, start: number, data: Uint8Array): Promise<void> {
  let at = 0;
  do {
    const chunk = data.subarray(at, at + CHUNK_BYTES);
    await sql`INSERT INTO blob_chunks (kind, id, start, data) VALUES (${blob.kind}, ${blob.id}, ${start + at}, ${asBuffer(chunk)})`.execute(db);
    at += chunk.length;
  } while (at < data.length);
}

export class PostgresBlobStore implements BlobStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** This store inside the caller's transaction `tx`: its writes commit or roll back with `tx`. */
  within(tx: Kysely<Database>): PostgresBlobStore {
    return new PostgresBlobStore(tx);
  }

  private atomically<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.db.isTransaction ? work(this.db) : this.db.transaction().execute(work);
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const blob = blobOf(key);
    await this.atomically(async (db) => {
      await cut(db, blob, 0);
      await insert(db, blob, 0, data);
    });
  }

  async get(key: string): Promise<StoredBlob | null> {
    const blob = blobOf(key);
    const { chunks, bytes: size } = await extent(this.db, blob);
    if (chunks === 0) return null;
    const db = this.db;
    let sent = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          if (sent >= size) return controller.close();
          const { rows } = await sql<{ data: Buffer }>`
            SELECT data FROM blob_chunks WHERE kind = ${blob.kind} AND id = ${blob.id} AND start = ${sent}`.execute(db);
          const data = rows[0]?.data;
          // Deleted or replaced while it was read: end with an error rather than hand out a mix.
          if (!data || data.length === 0 || sent + data.length > size) return controller.error(new Error(`blob ${key} changed while it was read`));
          sent += data.length;
          controller.enqueue(new Uint8Array(data.buffer, data.byteOffset, data.length));
        },
      },
      { highWaterMark: 0 },
    );
    return { body, size };
  }

  async delete(key: string): Promise<void> {
    await cut(this.db, blobOf(key), 0);
  }

  async writeUploadPart(uploadId: string, offset: number, data: Uint8Array): Promise<string> {
    const upload = uploadOf(uploadId);
    await this.atomically(async (db) => {
      const { bytes } = await extent(db, upload);
      if (bytes < offset) throw new Error(`upload ${uploadId} holds ${bytes} bytes, expected at least ${offset}`);
      await cut(db, upload, offset);
      if (data.length > 0) await insert(db, upload, offset, data);
    });
    // Written in place: the offset names the part.
    return "";
  }

  /** A part written in place that was not counted lies past the row's bytes: the next part cuts it. */
  async discardUploadPart(): Promise<void> {}

  async completeUpload(uploadId: string, size: number, key: string, _partNames = ""): Promise<void> {
    const upload = uploadOf(uploadId);
    const target = blobOf(key);
    await this.atomically(async (db) => {
      const held = await extent(db, upload);
      if (held.chunks === 0) {
        // Moved already by an attempt whose rows did not commit: that attempt's blob stands.
        const moved = await extent(db, target);
        if (moved.chunks > 0 && moved.bytes === size) return;
        throw new Error(`upload ${uploadId} holds nothing`);
      }
      if (held.bytes < size) throw new Error(`upload ${uploadId} holds ${held.bytes} bytes, expected ${size}`);
      await cut(db, upload, size);
      await cut(db, target, 0);
      await sql`UPDATE blob_chunks SET kind = ${target.kind}, id = ${target.id} WHERE kind = ${upload.kind} AND id = ${upload.id}`.execute(db);
    });
  }

  async abortUpload(uploadId: string): Promise<void> {
    await cut(this.db, uploadOf(uploadId), 0);
  }

  async list(prefix: string): Promise<string[]> {
    if (!LISTED.test(prefix)) throw new Error("invalid blob prefix");
    const { rows } = await sql<{ id: string }>`SELECT DISTINCT id FROM blob_chunks WHERE kind = ${prefix}`.execute(this.db);
    return rows.map((r) => r.id).filter((id) => isId(id));
  }

  /** The table answers, and this server is not a read-only standby (a replica takes no writes). */
  async check(): Promise<void> {
    const { rows } = await sql<{ standby: boolean }>`SELECT pg_is_in_recovery() AS standby, EXISTS (SELECT 1 FROM blob_chunks) AS readable`.execute(this.db);
    if (rows[0]?.standby !== false) throw new Error("PostgreSQL is a read-only standby");
  }
}
