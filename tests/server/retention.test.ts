// Retention and deletion (src/server/retention.ts), on the store SEALDROP_TEST_BACKEND names: with 1-day
// settings and a moved clock, the maintenance job deletes expired submissions, notes and idle mailboxes
// (rows and blobs; on SQLite also every byte of them in the database file and its WAL), submissions every
// editor of their desk has pulled, and nothing else; editors delete replies, notes and whole sources only
// within their desks. Node (SQLite, PostgreSQL): the real server's maintenance timer with an injected clock;
// workerd: the bundled worker's cron handler fired for a chosen time (as tests/workers/lifecycle.test.ts).
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomId, toBase64, toHex } from "../../src/core/bytes.js";
import { credentialHash } from "../../src/core/derive.js";
import type { MaintenanceReport } from "../../src/server/maintenance.js";
import { openNodeDatabase, SQLITE_FILE } from "../../src/server/node/database.js";
import { openPostgresDatabase } from "../../src/server/postgres/database.js";
import { startNodeServer } from "../../src/server/node/serve.js";
import type { RetentionPolicy } from "../../src/server/retention.js";
import { currentBackend } from "../helpers/deployment.js";
import { makeEditor, seedNewsroom, setUpNewsroomOver, type TestEditor } from "../helpers/newsroom.js";
import { powFetch } from "../helpers/pow.js";
import { signHeaders } from "../helpers/server.js";

const DAY_MS = 86_400_000;
const json = { "content-type": "application/json" };
const TABLES = ["submissions", "attachments", "replies", "notes", "mailboxes"] as const;
type Table = (typeof TABLES)[number];

const POLICY: RetentionPolicy = { submissionDays: 1, submissionsWhenPulled: true, replyDays: 5, noteDays: 1, mailboxDays: 1 };
const WORKER_VARS = {
  SEALDROP_KEEP_SUBMISSIONS_DAYS: "1",
  SEALDROP_DELETE_PULLED_SUBMISSIONS: "true",
  SEALDROP_KEEP_REPLIES_DAYS: "5",
  SEALDROP_KEEP_NOTES_DAYS: "1",
  SEALDROP_KEEP_MAILBOXES_DAYS: "1",
};

/** An "age file" (the server checks only the header) whose body is a marker the raw-file scan can find. */
function markedAgeFile(marker: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`age-encryption.org/v1\n-> X25519 test\n${marker.repeat(64)}\n`);
}
const newMarker = () => `MARK${randomId()}`;

/** A deployment to test: its URL, two editors, a sweep at a chosen time, and views of its stores. */
interface Harness {
  url: string;
  /** On both desks, admin. */
  editor: TestEditor;
  /** On "investigations" only. */
  other: TestEditor;
  /** Whether the server's clock is the test's (Node), so signed requests carry that time; workerd's is real. */
  movesClock: boolean;
  /** One maintenance run judged at `ms` (epoch milliseconds); resolves with its report. */
  sweepAt(ms: number): Promise<MaintenanceReport | null>;
  ids(table: Table): Promise<string[]>;
  /** Every blob key, `attachments/<id>`, `replies/<id>`, … */
  blobKeys(): Promise<string[]>;
  /** SQLite only: the database file and its WAL, as they are on disk. */
  databaseFiles: (() => Promise<{ where: string; bytes: Buffer }[]>) | null;
  /** The mailbox's active day as stored. */
  activeDay(mailbox: string): Promise<string | null>;
  dispose(): Promise<void>;
}

async function blobKeysUnder(dir: string): Promise<string[]> {
  const keys: string[] = [];
  if (!existsSync(dir)) return keys;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const parent = entry.parentPath ?? entry.path;
    keys.push(`${parent.slice(dir.length + 1)}/${entry.name}`);
  }
  return keys;
}

async function addOther(url: string, editor: TestEditor): Promise<TestEditor> {
  const other = await makeEditor({ desks: ["investigations"], name: "Other Editor" });
  const res = await editorFetch({ url }, editor, "POST", "/api/editor/editors", other.publicKeys);
  if (res.status !== 201) throw new Error(`adding the second editor: ${res.status} ${await res.text()}`);
  return other;
}

/** Node + SQLite or PostgreSQL: the real server, its maintenance timer every 120 ms, its clock ours. */
async function nodeHarness(backend: "sqlite" | "postgres"): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), "sealdrop-retention-"));
  let clock = Date.now();
  let database: string | undefined;
  let cluster: Awaited<ReturnType<typeof import("../helpers/backends.js")["acquireCluster"]>> | undefined;
  let editor: TestEditor;
  if (backend === "postgres") {
    const backends = await import("../helpers/backends.js");
    cluster = await backends.acquireCluster();
    database = await cluster.createDatabase();
    const db = await openPostgresDatabase(cluster.urlFor(database));
    ({ editor } = await seedNewsroom(db).finally(() => db.destroy()));
  } else {
    const db = await openNodeDatabase(dataDir);
    ({ editor } = await seedNewsroom(db).finally(() => db.destroy()));
  }
  const reports: MaintenanceReport[] = [];
  const waiters: (() => void)[] = [];
  const server = await startNodeServer({
    dataDir,
    port: 0,
    host: "127.0.0.1",
    now: () => new Date(clock),
    retention: POLICY,
    maintenanceMinutes: 0.002,
    onMaintenance: (report) => {
      reports.push(report);
      for (const w of waiters.splice(0)) w();
    },
    ...(database ? { database: cluster!.urlFor(database) } : {}),
  });
  const query = async <T,>(text: string, params: unknown[] = []): Promise<T[]> => {
    if (backend === "postgres") {
      const client = new pg.Client({ connectionString: cluster!.urlFor(database!) });
      await client.connect();
      try {
        return (await client.query(text, params)).rows as T[];
      } finally {
        await client.end();
      }
    }
    // A short-lived second connection: opened, read, closed, so it never holds up the server's checkpoint.
    const file = new SQLite(join(dataDir, SQLITE_FILE));
    try {
      return file.prepare(text).all(...params) as T[];
    } finally {
      file.close();
    }
  };
  // Runs never overlap: of the runs that end after the clock moved, the second began after it moved.
  const secondRunAfter = (seen: number) =>
    new Promise<MaintenanceReport>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error("no maintenance run within 60 s")), 60_000);
      const check = () => {
        if (reports.length >= seen + 2) {
          clearTimeout(deadline);
          resolve(reports[reports.length - 1]!);
        } else waiters.push(check);
      };
      check();
    });
  return {
    url: server.url,
    editor,
    other: await addOther(server.url, editor),
    movesClock: true,
    sweepAt: async (ms) => {
      clock = ms;
      return secondRunAfter(reports.length);
    },
    ids: async (table) => (await query<{ id: string }>(`SELECT id FROM ${table}`)).map((r) => r.id).sort(),
    blobKeys: async () =>
      backend === "postgres"
        ? (await query<{ key: string }>("SELECT DISTINCT kind || '/' || id AS key FROM blob_chunks")).map((r) => r.key)
        : blobKeysUnder(join(dataDir, "blobs")),
    databaseFiles:
      backend === "sqlite"
        ? async () => {
            const out = [];
            for (const name of [SQLITE_FILE, `${SQLITE_FILE}-wal`]) {
              const path = join(dataDir, name);
              if (existsSync(path)) out.push({ where: name, bytes: await readFile(path) });
            }
            return out;
          }
        : null,
    activeDay: async (mailbox) => (await query<{ active_day: string | null }>(`SELECT active_day FROM mailboxes WHERE id = ${backend === "postgres" ? "$1" : "?"}`, [mailbox]))[0]?.active_day ?? null,
    dispose: async () => {
      await server.close();
      if (cluster && database) {
        await cluster.dropDatabase(database);
        await (await import("../helpers/backends.js")).releaseCluster();
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** workerd: the worker as `wrangler deploy` bundles it, in Miniflare, its cron handler fired for a chosen time. */
async function workerdHarness(): Promise<Harness> {
  const { startBundledWorker } = await import("../helpers/backends.js");
  const token = `setup-${randomId()}`;
  const { url, mf, dispose } = await startBundledWorker({ SEALDROP_HTTPS: "false", SEALDROP_SETUP_TOKEN: token, ...WORKER_VARS });
  const { editor } = await setUpNewsroomOver(url, token);
  const d1 = await mf.getD1Database("DB");
  const r2 = await mf.getR2Bucket("BLOBS");
  return {
    url,
    editor,
    other: await addOther(url, editor),
    movesClock: false,
    sweepAt: async (ms) => {
      const result = await (await mf.getWorker()).scheduled({ scheduledTime: new Date(ms), cron: "17 * * * *" });
      if (result.outcome !== "ok") throw new Error(`scheduled: ${result.outcome}`);
      return null;
    },
    ids: async (table) => ((await d1.prepare(`SELECT id FROM ${table}`).all()).results as { id: string }[]).map((r) => r.id).sort(),
    blobKeys: async () => (await r2.list()).objects.map((o) => o.key),
    databaseFiles: null,
    activeDay: async (mailbox) => ((await d1.prepare("SELECT active_day FROM mailboxes WHERE id = ?").bind(mailbox).all()).results[0] as { active_day: string | null } | undefined)?.active_day ?? null,
    dispose,
  };
}

const backend = currentBackend();
let h: Harness;
beforeAll(async () => {
  h = backend === "workerd" ? await workerdHarness() : await nodeHarness(backend);
}, 180_000);
afterAll(() => h?.dispose());

async function upload(bytes: Uint8Array): Promise<string> {
  const created = await powFetch(`${h.url}/api/uploads`, { method: "POST", headers: json, body: "{}" });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const part = await powFetch(`${h.url}/api/uploads/${id}/parts/0`, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: bytes as Uint8Array<ArrayBuffer> });
  expect(part.status).toBe(200);
  return id;
}

/** A submission whose envelope and (optional) attachment carry `marker`. */
async function submit(desk: string, marker: string, withAttachment: boolean): Promise<{ id: string; attachment: string | null; envelopeBase64: string }> {
  const attachment = withAttachment ? await upload(markedAgeFile(marker)) : null;
  const envelopeBase64 = toBase64(markedAgeFile(marker));
  const res = await powFetch(`${h.url}/api/submissions`, { method: "POST", headers: json, body: JSON.stringify({ desk, envelope: envelopeBase64, attachments: attachment ? [attachment] : [] }) });
  expect(res.status).toBe(201);
  return { id: ((await res.json()) as { id: string }).id, attachment, envelopeBase64 };
}

async function reply(editor: TestEditor, mailbox: { id: string; credential: string }, desk: string, marker: string): Promise<string> {
  const res = await editorFetch(h, editor, "POST", "/api/editor/replies", {
    mailbox: mailbox.id,
    credentialHash: credentialHash(mailbox.credential),
    ciphertext: toBase64(markedAgeFile(marker)),
    desk,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function note(editor: TestEditor, desk: string, marker: string): Promise<string> {
  const res = await editorFetch(h, editor, "POST", "/api/editor/notes", { ciphertext: toBase64(markedAgeFile(marker)), desk });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const newMailbox = () => ({ id: randomId(), credential: toHex(crypto.getRandomValues(new Uint8Array(32))) });
const checkMailbox = (m: { id: string; credential: string }) => powFetch(`${h.url}/api/mailbox`, { method: "POST", headers: json, body: JSON.stringify(m) });

/** Downloads to the end, as `sealdrop pull` does. */
async function pull(editor: TestEditor, path: string): Promise<void> {
  const res = await editorFetch(h, editor, "GET", path);
  expect(res.status).toBe(200);
  await res.arrayBuffer();
}

/** Every byte of the SQLite files, as latin1 text to search. */
async function rawText(): Promise<string> {
  return (await h.databaseFiles!()).map((f) => f.bytes.toString("latin1")).join("\n");
}

// The clock starts at now and only moves forward: each test moves it on from the last.
let clock = Date.now();

/** A signed editor request, timed by the server's clock where the test moves it. */
function editorFetch(server: { url: string }, editor: TestEditor, method: string, path: string, body?: unknown): Promise<Response> {
  const bytes = body === undefined ? new Uint8Array(0) : new TextEncoder().encode(JSON.stringify(body));
  const headers = signHeaders(editor, method, path, bytes, h?.movesClock ? { timestamp: Math.floor(clock / 1000) } : {});
  if (body !== undefined) headers["content-type"] = "application/json";
  return fetch(server.url + path, { method, headers, body: body === undefined ? undefined : bytes });
}

describe(`retention on ${backend}`, () => {
  it("tells sources the settings in the newsroom answer", async () => {
    const newsroom = (await (await fetch(`${h.url}/api/newsroom`)).json()) as { retention: unknown };
    expect(newsroom.retention).toEqual({ submissionDays: 1, submissionsWhenPulled: true, replyDays: 5, mailboxDays: 1 });
  });

  it("deletes a submission once every active editor of its desk has pulled all of it, and not before", async () => {
    const news = await submit("news", newMarker(), true);
    const investigations = await submit("investigations", newMarker(), false);

    // The one editor of "news" pulls the envelope but not yet the attachment: it stays.
    await pull(h.editor, `/api/editor/submissions/${news.id}/envelope`);
    // Of "investigations", one of its two editors pulls.
    await pull(h.editor, `/api/editor/submissions/${investigations.id}/envelope`);
    await h.sweepAt(clock);
    expect(await h.ids("submissions")).toEqual([news.id, investigations.id].sort());

    await pull(h.editor, `/api/editor/attachments/${news.attachment}`);
    await h.sweepAt(clock);
    expect(await h.ids("submissions")).toEqual([investigations.id]);
    expect(await h.ids("attachments")).toEqual([]);
    expect((await h.blobKeys()).filter((k) => k.startsWith("attachments/"))).toEqual([]);

    await pull(h.other, `/api/editor/submissions/${investigations.id}/envelope`);
    await h.sweepAt(clock);
    expect(await h.ids("submissions")).toEqual([]);
  });

  it("with 1-day settings and a moved clock, deletes expired submissions, notes and idle mailboxes: rows, blobs and file bytes", async () => {
    const marker = newMarker();
    const tip = await submit("news", marker, true);
    const noteId = await note(h.editor, "news", marker);
    const idle = newMailbox();
    const active = newMailbox();
    const idleReply = await reply(h.editor, idle, "news", marker);
    const activeReply = await reply(h.editor, active, "news", newMarker());
    // A piece of the envelope's base64 as the row stores it, and the marker as the blobs hold it.
    const envelopePiece = tip.envelopeBase64.slice(60, 120);
    if (h.databaseFiles) expect(await rawText()).toContain(envelopePiece); // the scan below can fail

    // One day on, nothing has expired: a 1-day setting keeps an item at least one whole day.
    clock += DAY_MS;
    await h.sweepAt(clock);
    expect(await h.ids("submissions")).toEqual([tip.id]);
    expect(await h.ids("notes")).toEqual([noteId]);
    expect(await h.ids("mailboxes")).toEqual([idle.id, active.id].sort());
    // The source of one mailbox checks it that day: activity, recorded as the day. (On workerd a request
    // carries the real day, that of the replies, so there the check cannot move the mailbox's day on.)
    expect((await checkMailbox(active)).status).toBe(200);
    expect(await h.activeDay(active.id)).toBe(new Date(h.movesClock ? clock : Date.now()).toISOString().slice(0, 10));
    const checkedLater = h.movesClock;

    // Two days on: the tip, its attachment, the note and the idle mailbox with its reply are gone.
    clock += DAY_MS;
    await h.sweepAt(clock);
    expect(await h.ids("submissions")).toEqual([]);
    expect(await h.ids("attachments")).toEqual([]);
    expect(await h.ids("notes")).toEqual([]);
    expect(await h.ids("mailboxes")).toEqual(checkedLater ? [active.id] : []);
    expect(await h.ids("replies")).toEqual(checkedLater ? [activeReply] : []);
    const keys = await h.blobKeys();
    for (const gone of [`attachments/${tip.attachment}`, `notes/${noteId}`, `replies/${idleReply}`]) expect(keys).not.toContain(gone);
    if (checkedLater) expect(keys).toContain(`replies/${activeReply}`);
    if (h.databaseFiles) {
      const raw = await rawText();
      expect(raw).not.toContain(envelopePiece);
      expect(raw).not.toContain(marker);
    }

    // Three days on, the mailbox its source checked a day later has been idle long enough too.
    clock += DAY_MS;
    await h.sweepAt(clock);
    expect(await h.ids("mailboxes")).toEqual([]);
    expect(await h.ids("replies")).toEqual([]);
    expect((await h.blobKeys()).filter((k) => k.startsWith("replies/"))).toEqual([]);
  });
});

describe(`editor deletions on ${backend}`, () => {
  const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

  it("deletes a reply or a note of the editor's desk; outside it, refuses with outside_desk and keeps it", async () => {
    const marker = newMarker();
    const mailbox = newMailbox();
    const newsReply = await reply(h.editor, mailbox, "news", marker);
    const newsNote = await note(h.editor, "news", marker);
    const otherNote = await note(h.other, "investigations", marker);

    // The second editor is not on "news".
    for (const path of [`/api/editor/replies/${newsReply}`, `/api/editor/notes/${newsNote}`]) {
      const refused = await editorFetch(h, h.other, "DELETE", path);
      expect(refused.status).toBe(403);
      expect(await code(refused)).toBe("outside_desk");
    }
    expect(await h.ids("replies")).toContain(newsReply);
    expect(await h.ids("notes")).toEqual([newsNote, otherNote].sort());

    for (const [who, path] of [
      [h.editor, `/api/editor/replies/${newsReply}`],
      [h.editor, `/api/editor/notes/${newsNote}`],
      [h.other, `/api/editor/notes/${otherNote}`],
    ] as const) {
      const res = await editorFetch(h, who, "DELETE", path);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ deleted: true });
    }
    expect(await h.ids("replies")).not.toContain(newsReply);
    expect(await h.ids("notes")).toEqual([]);
    const keys = await h.blobKeys();
    for (const gone of [`replies/${newsReply}`, `notes/${newsNote}`, `notes/${otherNote}`]) expect(keys).not.toContain(gone);
    if (h.databaseFiles) expect(await rawText()).not.toContain(marker);

    // Gone, or never there, or not an id: 404 not_found.
    for (const path of [`/api/editor/replies/${newsReply}`, `/api/editor/notes/${randomId()}`, "/api/editor/notes/nope"]) {
      const res = await editorFetch(h, h.editor, "DELETE", path);
      expect(res.status).toBe(404);
      expect(await code(res)).toBe("not_found");
    }
  });

  it("deletes a whole source at once: its submissions, its mailbox with every reply, its notes; nothing outside the editor's desks", async () => {
    const marker = newMarker();
    const first = await submit("investigations", marker, true);
    const followup = await submit("investigations", marker, false);
    const mailbox = newMailbox();
    const answer = await reply(h.other, mailbox, "investigations", marker);
    const about = await note(h.other, "investigations", marker);
    const bystander = await submit("investigations", newMarker(), false);
    const newsTip = await submit("news", newMarker(), false);
    const request = { submissions: [first.id, followup.id], mailboxes: [mailbox.id], notes: [about] };

    // The second editor may not delete a "news" submission: nothing at all is deleted.
    const refused = await editorFetch(h, h.other, "POST", "/api/editor/sources/delete", { ...request, submissions: [...request.submissions, newsTip.id] });
    expect(refused.status).toBe(403);
    expect(await code(refused)).toBe("outside_desk");
    expect(await h.ids("submissions")).toEqual([first.id, followup.id, bystander.id, newsTip.id].sort());
    expect(await h.ids("mailboxes")).toContain(mailbox.id);

    // Bad bodies: a stable code, nothing deleted.
    const bad = await editorFetch(h, h.other, "POST", "/api/editor/sources/delete", { submissions: ["x"], mailboxes: [], notes: [] });
    expect(bad.status).toBe(400);
    expect(await code(bad)).toBe("invalid_body");

    const res = await editorFetch(h, h.other, "POST", "/api/editor/sources/delete", request);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ deleted: { submissions: 2, replies: 1, notes: 1, mailboxes: 1 } });
    expect(await h.ids("submissions")).toEqual([bystander.id, newsTip.id].sort());
    expect(await h.ids("attachments")).toEqual([]);
    expect(await h.ids("mailboxes")).not.toContain(mailbox.id);
    expect(await h.ids("replies")).not.toContain(answer);
    expect(await h.ids("notes")).not.toContain(about);
    const keys = await h.blobKeys();
    for (const gone of [`attachments/${first.attachment}`, `replies/${answer}`, `notes/${about}`]) expect(keys).not.toContain(gone);
    if (h.databaseFiles) {
      const raw = await rawText();
      expect(raw).not.toContain(first.envelopeBase64.slice(60, 120));
    }

    // Sent again (its answer lost): nothing left to delete, and that is no error.
    const again = await editorFetch(h, h.other, "POST", "/api/editor/sources/delete", request);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ deleted: { submissions: 0, replies: 0, notes: 0, mailboxes: 0 } });
  });
});
