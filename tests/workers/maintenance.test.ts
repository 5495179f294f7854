// The scheduled maintenance job on Workers (issue 17): the worker as `wrangler deploy` bundles it, in
// Miniflare (real workerd, local D1 and R2), its cron handler fired for a chosen scheduledTime (only
// Miniflare can set one: tests/helpers/backends.ts, startBundledWorker). Unfinished uploads (two through
// the API, 120 more written straight into D1 and R2 so that one sweep deletes more rows than D1 binds in
// one statement), orphaned blobs of every kind (more than one R2 list page of them) and items under a
// retention policy are made; a run past expiry must leave exactly what should stay, judged by D1 rows, R2
// objects, the editor API and the upload quota, and a second run must change nothing.
//
// Orphans are aged by R2's write times (BlobStore.writtenAt): a cron event may land in a new isolate that
// holds none of the suspects earlier runs noted in memory. With the suspects alone, the last test fails
// (an orphan written 11 minutes before the run stays, as it was first "seen" 6 minutes before).
//
// Arrival order on D1 is not the job's to erase: eraseArrivalOrder (db/reorder.ts) acts on PostgreSQL only,
// because D1 tables are WITHOUT ROWID (migration 0006), stored in the order of their random keys with no
// counter; tests/workers/no-order.test.ts reads the D1 file on workerd and checks exactly that. Deleting
// rows keeps it so; this file checks the tables are still WITHOUT ROWID and key-ordered after the sweeps.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomId, toBase64 } from "../../src/core/bytes.js";
import { type BundledWorker, startBundledWorker } from "../helpers/backends.js";
import { setUpNewsroomOver, type TestEditor } from "../helpers/newsroom.js";
import { powFetch } from "../helpers/pow.js";
import { editorFetch } from "../helpers/server.js";

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const json = { "content-type": "application/json" };
const ageFile = (marker: string) => new TextEncoder().encode(`age-encryption.org/v1\n-> X25519 test\n${marker.repeat(64)}\n`);
const coarseDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** An R2 upload part's name (r2-blob-store.ts): the offset zero-padded to 16 digits. */
const partKey = (upload: string, offset: number) => `uploads/${upload}/${String(offset).padStart(16, "0")}`;

const VARS = {
  SEALDROP_HTTPS: "false",
  SEALDROP_PENDING_UPLOADS: "100",
  SEALDROP_KEEP_NOTES_DAYS: "1",
  SEALDROP_KEEP_SUBMISSIONS_DAYS: "10",
};
const DIRECT_UPLOADS = 120;
const ORPHANS_PER_KIND = 1050;

let worker: BundledWorker;
let editor: TestEditor;
const started = Date.now();

beforeAll(async () => {
  const token = `setup-${randomId()}`;
  worker = await startBundledWorker({ ...VARS, SEALDROP_SETUP_TOKEN: token });
  ({ editor } = await setUpNewsroomOver(worker.url, token));
});
afterAll(() => worker?.dispose());

const d1 = () => worker.mf.getD1Database("DB");
const r2 = () => worker.mf.getR2Bucket("BLOBS");
const rows = async (sql: string, ...binds: unknown[]) => (await (await d1()).prepare(sql).bind(...binds).all()).results as Record<string, unknown>[];
const ids = async (table: string) => (await rows(`SELECT id FROM ${table}`)).map((r) => r.id as string).sort();

/** Every R2 key, across list pages. */
async function objectKeys(prefix?: string): Promise<string[]> {
  const bucket = await r2();
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, cursor });
    keys.push(...page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return keys.sort();
}

/** Every row of every table but D1's own and the migrations', and every R2 key. */
async function state(): Promise<string> {
  const tables = (await rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT IN ('d1_migrations') ORDER BY name")).map((t) => t.name as string);
  const dump: Record<string, unknown> = {};
  for (const t of tables) dump[t] = await rows(`SELECT * FROM "${t}"`);
  dump.r2 = await objectKeys();
  return JSON.stringify(dump);
}

/** Fires the cron trigger as if it were due at `ms`. */
async function runScheduled(ms: number): Promise<void> {
  const result = await (await worker.mf.getWorker()).scheduled({ scheduledTime: new Date(ms), cron: "17 * * * *" });
  expect(result.outcome).toBe("ok");
}

async function newUpload(): Promise<Response> {
  return powFetch(`${worker.url}/api/uploads`, { method: "POST", headers: json, body: "{}" });
}

async function putPart(id: string, part: number, bytes: Uint8Array): Promise<void> {
  const res = await powFetch(`${worker.url}/api/uploads/${id}/parts/${part}`, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: bytes as Uint8Array<ArrayBuffer> });
  expect(res.status).toBe(200);
}

describe("on workerd, the scheduled maintenance job", () => {
  let submission: string;
  let attachment: string;
  let note: string;
  const unfinished: string[] = [];
  const direct: string[] = [];
  const orphans: string[] = [];
  let beforeExpiry: string;

  it("is given a submission, a note, unfinished uploads and orphaned blobs; the upload quota is full", async () => {
    // A finished submission with one attachment: kept (10 days).
    const created = await newUpload();
    expect(created.status).toBe(201);
    attachment = ((await created.json()) as { id: string }).id;
    await putPart(attachment, 0, ageFile(`attachment ${randomId()}`));
    const submitted = await powFetch(`${worker.url}/api/submissions`, { method: "POST", headers: json, body: JSON.stringify({ desk: "news", envelope: toBase64(ageFile("envelope")), attachments: [attachment] }) });
    expect(submitted.status, await submitted.clone().text()).toBe(201);
    submission = ((await submitted.json()) as { id: string }).id;
    // A desk note: deleted after one day.
    const posted = await editorFetch(worker, editor, "POST", "/api/editor/notes", { ciphertext: toBase64(ageFile("note")), desk: "news" });
    expect(posted.status).toBe(201);
    note = ((await posted.json()) as { id: string }).id;

    // Two unfinished uploads through the API, two parts each.
    for (let i = 0; i < 2; i++) {
      const res = await newUpload();
      expect(res.status).toBe(201);
      const id = ((await res.json()) as { id: string }).id;
      await putPart(id, 0, ageFile(`part 0 of ${id}`));
      await putPart(id, 1, new Uint8Array(64));
      unfinished.push(id);
    }
    // 120 more, as a crowd of sources who never finished would leave them: rows and one part each.
    const db = await d1();
    const bucket = await r2();
    for (let i = 0; i < DIRECT_UPLOADS; i++) direct.push(randomId());
    await db.batch(direct.map((id) => db.prepare("INSERT INTO uploads (id, parts, bytes, expires_day) VALUES (?, 1, 64, ?)").bind(id, coarseDay(started + DAY_MS))));
    for (const id of direct) await bucket.put(partKey(id, 0), new Uint8Array(64));

    // Orphans of every kind no row names; attachments and uploads more than one R2 list page (1000) each.
    for (const kind of ["envelopes", "replies", "notes"]) orphans.push(`${kind}/${randomId()}`);
    for (let i = 0; i < ORPHANS_PER_KIND; i++) orphans.push(`attachments/${randomId()}`, partKey(randomId(), 0));
    for (const key of orphans) await bucket.put(key, new Uint8Array(16));

    expect(await ids("uploads")).toEqual([...unfinished, ...direct].sort());
    const full = await newUpload();
    expect(full.status).toBe(429);
    expect(((await full.json()) as { error: { code: string } }).error.code).toBe("upload_quota_exceeded");
  });

  it("run now, removes nothing: no upload has expired, no orphan is past its grace", async () => {
    beforeExpiry = await state();
    await runScheduled(Date.now());
    expect(await state()).toEqual(beforeExpiry);
  });

  it("run three days on, removes expired uploads, their R2 parts and every orphan", async () => {
    await runScheduled(started + 3 * DAY_MS);
    expect(await ids("uploads")).toEqual([]);
    for (const id of [...unfinished, ...direct]) expect(await objectKeys(`uploads/${id}/`), id).toEqual([]);
    expect(await objectKeys("uploads/")).toEqual([]);
    const left = new Set(await objectKeys());
    expect(orphans.filter((k) => left.has(k))).toEqual([]);
  });

  it("keeps the submission and its attachment, and applies retention to the note", async () => {
    expect(await ids("submissions")).toEqual([submission]);
    expect(await ids("attachments")).toEqual([attachment]);
    expect(await objectKeys()).toEqual([`attachments/${attachment}`]);
    expect(await ids("notes")).toEqual([]);
    const listed = await editorFetch(worker, editor, "GET", "/api/editor/submissions");
    expect(listed.status).toBe(200);
    expect(JSON.stringify(await listed.json())).toContain(submission);
    const downloaded = await editorFetch(worker, editor, "GET", `/api/editor/attachments/${attachment}`);
    expect(downloaded.status).toBe(200);
    expect(new TextDecoder().decode(await downloaded.arrayBuffer())).toMatch(/^age-encryption\.org\/v1\n-> X25519 test\nattachment /);
    const notes = await editorFetch(worker, editor, "GET", "/api/editor/notes");
    expect(notes.status).toBe(200);
    expect(JSON.stringify(await notes.json())).not.toContain(note);
  });

  it("a second run at the same time changes nothing", async () => {
    const after = await state();
    await runScheduled(started + 3 * DAY_MS);
    expect(await state()).toEqual(after);
  });

  it("leaves every item table WITHOUT ROWID and in key order", async () => {
    const tables = (await rows("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE TABLE%' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'")).map((t) => t.name as string);
    for (const t of ["submissions", "attachments", "uploads", "notes", "replies", "mailboxes"]) {
      expect(tables).toContain(t);
      const sql = (await rows("SELECT sql FROM sqlite_master WHERE name = ?", t))[0]!.sql as string;
      expect(sql, t).toMatch(/WITHOUT ROWID\s*$/);
    }
  });

  it("has freed the upload quota: a source can start an upload again", async () => {
    const res = await newUpload();
    expect(res.status).toBe(201);
  });

  it("removes an orphan only once it was written longer ago than the grace (ten minutes), judged by R2's write time", async () => {
    const key = `attachments/${randomId()}`;
    await (await r2()).put(key, new Uint8Array(16));
    const written = Date.now();
    await runScheduled(written + 5 * MINUTE_MS);
    expect(await objectKeys(key)).toEqual([key]);
    await runScheduled(written + 11 * MINUTE_MS);
    expect(await objectKeys(key)).toEqual([]);
  });
});
