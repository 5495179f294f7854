// The PostgreSQL blob store (src/server/postgres/pg-blob-store.ts) on a real PostgreSQL: blobs cut into
// 1 MiB chunk rows and streamed back byte for byte, uploads written in parts of any size (the remains of
// a part whose acknowledgement was lost are cut off), a finished upload moved whole, and a write that fails
// midway (PostgreSQL refuses its third chunk) leaves nothing: no chunk, no blob.
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { randomId } from "../../src/core/bytes.js";
import type { Database } from "../../src/server/db/schema.js";
import { openPostgresDatabase } from "../../src/server/postgres/database.js";
import { CHUNK_BYTES, PostgresBlobStore } from "../../src/server/postgres/pg-blob-store.js";
import { acquireCluster, type PostgresCluster, releaseCluster } from "../helpers/backends.js";

let cluster: PostgresCluster;
let name: string;
let db: Kysely<Database>;
let store: PostgresBlobStore;

beforeAll(async () => {
  cluster = await acquireCluster();
  name = await cluster.createDatabase();
  db = await openPostgresDatabase(cluster.urlFor(name));
  store = new PostgresBlobStore(db);
});
afterAll(async () => {
  await db?.destroy();
  await cluster.dropDatabase(name);
  await releaseCluster();
});

async function query<T>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: cluster.urlFor(name) });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

async function read(key: string): Promise<{ bytes: Buffer; size: number; reads: number } | null> {
  const blob = await store.get(key);
  if (!blob) return null;
  const parts: Uint8Array[] = [];
  const reader = blob.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  return { bytes: Buffer.concat(parts), size: blob.size, reads: parts.length };
}

const chunksOf = async (kind: string, id: string) =>
  query<{ start: number; length: number }>("SELECT start::int AS start, octet_length(data) AS length FROM blob_chunks WHERE kind = $1 AND id = $2 ORDER BY start", [kind, id]);

it("stores a blob as 1 MiB chunks and streams it back one chunk per read", async () => {
  const id = randomId();
  const data = randomBytes(2 * CHUNK_BYTES + 12_345);
  await store.put(`replies/${id}`, data);
  expect(await chunksOf("replies", id)).toEqual([
    { start: 0, length: CHUNK_BYTES },
    { start: CHUNK_BYTES, length: CHUNK_BYTES },
    { start: 2 * CHUNK_BYTES, length: 12_345 },
  ]);
  const back = await read(`replies/${id}`);
  expect(back!.size).toBe(data.length);
  expect(back!.reads).toBe(3);
  expect(back!.bytes.equals(data)).toBe(true);
  expect(await store.list("replies")).toContain(id);
  await store.delete(`replies/${id}`);
  expect(await store.get(`replies/${id}`)).toBeNull();
  expect(await chunksOf("replies", id)).toEqual([]);
});

it("keeps an empty blob as one empty chunk, and replaces a blob whole", async () => {
  const id = randomId();
  await store.put(`notes/${id}`, new Uint8Array(0));
  expect((await read(`notes/${id}`))!.bytes.length).toBe(0);
  const data = randomBytes(3000);
  await store.put(`notes/${id}`, data);
  expect((await read(`notes/${id}`))!.bytes.equals(data)).toBe(true);
  expect(await chunksOf("notes", id)).toEqual([{ start: 0, length: 3000 }]);
});

it("writes parts of any size in order, cuts the remains of an unacknowledged part, and moves the upload whole", async () => {
  const id = randomId();
  const a = randomBytes(CHUNK_BYTES + 7);
  const b = randomBytes(500_000);
  const lost = randomBytes(CHUNK_BYTES * 2);
  await store.writeUploadPart(id, 0, a);
  // A part whose acknowledgement was lost, then sent again from the same offset with other bytes.
  await store.writeUploadPart(id, a.length, lost);
  await store.writeUploadPart(id, a.length, b);
  await expect(store.writeUploadPart(id, a.length + b.length + 1, b)).rejects.toThrow(/expected at least/);
  expect(await store.list("uploads")).toContain(id);
  await store.completeUpload(id, a.length + b.length, `attachments/${id}`);
  expect(await store.list("uploads")).not.toContain(id);
  const back = await read(`attachments/${id}`);
  expect(back!.bytes.equals(Buffer.concat([a, b]))).toBe(true);
  // A retry after a crash between the move and the rows' commit finds the move done.
  await store.completeUpload(id, a.length + b.length, `attachments/${id}`);
  await expect(store.completeUpload(randomId(), 10, `attachments/${randomId()}`)).rejects.toThrow(/holds nothing/);
});

it("cuts a finished upload at its acknowledged size, inside a chunk too", async () => {
  const id = randomId();
  const data = randomBytes(CHUNK_BYTES + 100);
  await store.writeUploadPart(id, 0, data);
  await store.completeUpload(id, CHUNK_BYTES + 40, `attachments/${id}`);
  expect((await read(`attachments/${id}`))!.bytes.equals(data.subarray(0, CHUNK_BYTES + 40))).toBe(true);
  await store.abortUpload(id);
  await store.delete(`attachments/${id}`);
});

it("leaves nothing of a write that fails midway, and never shows half a blob", async () => {
  // PostgreSQL itself refuses the third chunk of any blob of kind `notes` while this trigger exists.
  await query(`CREATE FUNCTION refuse_third() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$`);
  await query(`CREATE TRIGGER refuse_third BEFORE INSERT ON blob_chunks FOR EACH ROW WHEN (NEW.kind = 'notes' AND NEW.start >= ${2 * CHUNK_BYTES}) EXECUTE FUNCTION refuse_third()`);
  try {
    const id = randomId();
    await expect(store.put(`notes/${id}`, randomBytes(3 * CHUNK_BYTES))).rejects.toThrow(/refused/);
    expect(await store.get(`notes/${id}`)).toBeNull();
    expect(await chunksOf("notes", id)).toEqual([]);
    // An old value stays whole when its replacement fails.
    const old = randomBytes(100);
    await store.put(`notes/${id}`, old);
    await expect(store.put(`notes/${id}`, randomBytes(3 * CHUNK_BYTES))).rejects.toThrow(/refused/);
    expect((await read(`notes/${id}`))!.bytes.equals(old)).toBe(true);
  } finally {
    await query("DROP TRIGGER refuse_third ON blob_chunks");
    await query("DROP FUNCTION refuse_third()");
  }
});

it("ends a read with an error, not a mix, when the blob is deleted while it is read", async () => {
  const id = randomId();
  await store.put(`replies/${id}`, randomBytes(2 * CHUNK_BYTES));
  const blob = await store.get(`replies/${id}`);
  const reader = blob!.body.getReader();
  expect((await reader.read()).value!.length).toBe(CHUNK_BYTES);
  await store.delete(`replies/${id}`);
  await expect(reader.read()).rejects.toThrow(/changed while it was read/);
});

it("answers its health check on a primary", async () => {
  await expect(store.check()).resolves.toBeUndefined();
});
