// Invariant 3, "no order": on every deployment (Node + SQLite, Node + PostgreSQL, workerd with D1), after
// a source's first tip, an editor's reply and note, the source's mailbox check and its follow-up, every
// table is dumped as it is stored. No row carries a rowid or a serial number, rows are stored in the order
// of their random keys (PostgreSQL: after the maintenance job, with one transaction id for all), replay
// nonces name no editor and no exact second, nothing holds an instant, and the mailbox check changed no
// stored byte, so nothing marks the tip after it as a follow-up.
import { createHash } from "node:crypto";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes, toBase64 } from "../../src/core/bytes.js";
import { newCodenameEntropy } from "../../src/core/codename.js";
import { credentialHash, deriveSourceKeys } from "../../src/core/derive.js";
import { type Note, noteSchema, type Reply, replySchema, sealJson } from "../../src/core/messages.js";
import { PUBLIC_ORDER_TABLES, UNORDERED_BLOB_TABLES } from "../../src/server/db/reorder.js";
import { Maintenance } from "../../src/server/maintenance.js";
import { SQLITE_FILE } from "../../src/server/node/database.js";
import { openPostgresDatabase } from "../../src/server/postgres/database.js";
import { PostgresBlobStore } from "../../src/server/postgres/pg-blob-store.js";
import { NONCE_EXPIRY_BUCKET_SECONDS } from "../../src/server/request-nonces.js";
import { d1DatabaseFile } from "../helpers/backends.js";
import { selectedBackends } from "../helpers/deployment.js";
import { powFetch } from "../helpers/pow.js";
import { editorFetch, startTestServer, type TestServer } from "../helpers/server.js";
import { fetchNewsroom, submitTip } from "../helpers/source.js";

type Row = Record<string, unknown>;
interface StoredTable {
  name: string;
  /** SQLite and D1: whether the table has a rowid; PostgreSQL: null (it has none). */
  rowid: boolean | null;
  key: string[];
  /** Rows in storage order (SQLite: a plain scan; PostgreSQL: by ctid), engine columns left out. */
  rows: Row[];
  /** PostgreSQL: the xmin of each row, in the same order. */
  xmins: string[];
}

/** Bookkeeping tables of the migration runners and of workerd itself. */
const BOOKKEEPING = /^(sqlite_.*|_cf_.*|d1_migrations|sealdrop_migrations)$/;

function sqliteTables(file: string): StoredTable[] {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const list = (db.prepare("PRAGMA table_list").all() as { schema: string; name: string; type: string; wr: number }[]).filter(
      (t) => t.schema === "main" && t.type === "table" && !BOOKKEEPING.test(t.name),
    );
    return list.map((t) => {
      const info = db.prepare(`PRAGMA table_info("${t.name}")`).all() as { name: string; pk: number }[];
      const key = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
      // No ORDER BY: the order SQLite stores and scans the table in.
      return { name: t.name, rowid: t.wr === 0, key, rows: db.prepare(`SELECT * FROM "${t.name}"`).all() as Row[], xmins: [] };
    });
  } finally {
    db.close();
  }
}

async function postgresTables(url: string): Promise<StoredTable[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const names = (await client.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).rows.map((r) => r.tablename);
    const out: StoredTable[] = [];
    for (const name of names.filter((n) => !BOOKKEEPING.test(n))) {
      const key = (
        await client.query<{ attname: string }>(
          `SELECT a.attname FROM pg_index x JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = ANY (x.indkey)
           WHERE x.indisprimary AND x.indrelid = $1::regclass ORDER BY array_position(x.indkey::int2[], a.attnum)`,
          [name],
        )
      ).rows.map((r) => r.attname);
      const { rows } = await client.query<Row>(`SELECT xmin::text AS "xmin of row", * FROM "${name}" ORDER BY ctid`);
      out.push({
        name,
        rowid: null,
        key,
        xmins: rows.map((r) => r["xmin of row"] as string),
        rows: rows.map(({ ["xmin of row"]: _, ...rest }) => rest),
      });
    }
    return out;
  } finally {
    await client.end();
  }
}

const digest = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");

/**
 * The rows of the D1 database, read from a copy of its file and WAL. D1's own `_cf_METADATA` is left out:
 * workerd bumps a counter there on every query, reads included (a `GET /api/newsroom`, which every visit to
 * the page makes, writes it too), so that write is the same for a mailbox check as for any page load.
 */
async function d1Rows(persistDir: string): Promise<string> {
  const file = await d1DatabaseFile(persistDir);
  const dir = await mkdtemp(join(tmpdir(), "sealdrop-d1-copy-"));
  try {
    await copyFile(file, join(dir, "d1.sqlite"));
    await copyFile(`${file}-wal`, join(dir, "d1.sqlite-wal")).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "ENOENT") throw e;
    });
    const db = new SQLite(join(dir, "d1.sqlite"));
    try {
      const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> '_cf_METADATA' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
      return JSON.stringify(names.map((n) => [n, db.prepare(`SELECT * FROM "${n}"`).all()]));
    } finally {
      db.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Every stored byte, as a digest per file: SQLite's -shm (a table of readers' locks) aside, pg_dump's
 * random per-dump `\restrict` key aside, and D1's file as its rows (d1Rows).
 */
async function storeDigest(server: TestServer): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const c of await server.storedBytes()) {
    if (c.where.endsWith("-shm") || c.where.includes("miniflare-D1DatabaseObject")) continue;
    out[c.where] = c.where.startsWith("pg_dump") ? digest(c.bytes.toString("utf8").replace(/^\\(un)?restrict .*$/gm, "")) : digest(c.bytes);
  }
  if (server.backend === "workerd") out["D1 rows"] = digest(await d1Rows(server.dataDir));
  return out;
}

const keyOf = (t: StoredTable, row: Row) => t.key.map((k) => String(row[k])).join("\u0000");
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe.each(selectedBackends())("on %s", (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend });
  });
  afterAll(() => server?.dispose());

  it("stores no rowid or serial order, no editor or exact second in nonces, and nothing that marks a follow-up", async () => {
    const startedSeconds = Math.floor(Date.now() / 1000);
    const keys = await deriveSourceKeys(newCodenameEntropy(), "pq");
    const reply = { recipient: keys.replyRecipient, mailbox: { id: keys.mailboxId, credential: keys.mailboxCredential } };
    const file = (n: number) => [{ name: `f${n}.bin`, type: "application/octet-stream", bytes: randomBytes(5000) }];
    const first = await submitTip(server.url, "first tip", file(1), "news", { reply });

    const editor = server.editor;
    const recipients = (await fetchNewsroom(server.url)).desks.find((d) => d.id === "news")!.recipients;
    expect((await editorFetch(server, editor, "GET", "/api/editor/submissions")).status).toBe(200);
    const replyValue: Reply = { v: 1, kind: "reply", message: "When?", from: "News", to: keys.replyRecipient, inReplyTo: null, day: "2026-11-28" };
    const posted = await editorFetch(server, editor, "POST", "/api/editor/replies", {
      mailbox: keys.mailboxId,
      credentialHash: credentialHash(keys.mailboxCredential),
      ciphertext: toBase64(await sealJson(replySchema, replyValue, [keys.replyRecipient, editor.recipient])),
    });
    expect(posted.status).toBe(201);
    const note: Note = { v: 1, kind: "note", subject: { type: "source", pseudonym: "Amber Heron 1" }, tags: [], reliability: "B", credibility: 2, text: "n", links: [], author: "e", day: "2026-01-01" };
    expect((await editorFetch(server, editor, "POST", "/api/editor/notes", { ciphertext: toBase64(await sealJson(noteSchema, note, recipients)) })).status).toBe(201);

    // The mailbox check, as a returning source makes it just before a follow-up: not one stored byte changes.
    const beforeCheck = await storeDigest(server);
    const checked = await powFetch(`${server.url}/api/mailbox`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: keys.mailboxId, credential: keys.mailboxCredential }),
    });
    expect(checked.status).toBe(200);
    expect(((await checked.json()) as { replies: unknown[] }).replies).toHaveLength(1);
    expect(await storeDigest(server)).toEqual(beforeCheck);

    const followUp = await submitTip(server.url, "follow-up", file(2), "news", { reply, kind: "followup" });
    expect((await editorFetch(server, editor, "GET", "/api/editor/submissions")).status).toBe(200);
    const endedSeconds = Math.floor(Date.now() / 1000);

    let tables: StoredTable[];
    if (backend === "postgres") {
      // The maintenance job, as every Node server runs it at start and on its timer (here beside the live server).
      const db = await openPostgresDatabase(server.databaseUrl!);
      try {
        const maintenance = new Maintenance({ db, blobs: new PostgresBlobStore(db), now: () => new Date() });
        await maintenance.run();
        tables = await postgresTables(server.databaseUrl!);
        // A run with nothing new since the last rewrites nothing.
        await maintenance.run();
        expect((await postgresTables(server.databaseUrl!)).flatMap((t) => t.xmins)).toEqual(tables.flatMap((t) => t.xmins));
      } finally {
        await db.destroy();
      }
    } else {
      tables = sqliteTables(backend === "workerd" ? await d1DatabaseFile(server.dataDir) : `${server.dataDir}/${SQLITE_FILE}`);
    }
    const byName = Object.fromEntries(tables.map((t) => [t.name, t]));
    // PostgreSQL's blob chunks keep their write order: the known gap (docs/THREAT-MODEL.md, "Arrival order").
    const items = tables.filter((t) => !PUBLIC_ORDER_TABLES.has(t.name) && !UNORDERED_BLOB_TABLES.has(t.name));

    // The journey is there.
    expect(byName.submissions!.rows.map((r) => r.id).sort()).toEqual([first.id, followUp.id].sort());
    expect(byName.attachments!.rows).toHaveLength(2);
    expect(byName.mailboxes!.rows).toHaveLength(1);
    expect(byName.replies!.rows).toHaveLength(1);
    expect(byName.notes!.rows).toHaveLength(1);
    expect(byName.request_nonces!.rows.length).toBeGreaterThanOrEqual(4);

    // No rowid, a key on every table, rows stored in key order.
    if (backend !== "postgres") expect(items.filter((t) => t.rowid).map((t) => t.name)).toEqual([]);
    expect(items.filter((t) => t.key.length === 0).map((t) => t.name)).toEqual([]);
    for (const t of items) {
      const stored = t.rows.map((r) => keyOf(t, r));
      expect(stored, `${t.name} in storage order`).toEqual([...stored].sort(compare));
    }
    // PostgreSQL: no row's transaction id tells when it arrived either (one for all, the maintenance's).
    if (backend === "postgres") expect(new Set(items.flatMap((t) => t.xmins)).size).toBe(1);

    // Nonces: neither the editor nor the second of a request.
    for (const row of byName.request_nonces!.rows) {
      expect(String(row.nonce)).not.toContain(editor.id);
      expect(Number(row.expires_at) % NONCE_EXPIRY_BUCKET_SECONDS).toBe(0);
    }
    // PostgreSQL's write budgets: only clock-aligned window ends (a whole minute or coarser), which any requester
    // can work out from the clock, so one may fall inside the test's run when it crosses a minute.
    const windowEnd = (table: string, column: string) => table === "budget_windows" && column === "window_end";
    for (const row of byName.budget_windows?.rows ?? []) expect(Number(row.window_end) % 60).toBe(0);
    // No instant anywhere: no number within the test's run in seconds or milliseconds, no time of day in text,
    // and the editor's id nowhere but in the editor tables.
    const instants: string[] = [];
    for (const t of items) {
      for (const row of t.rows) {
        for (const [column, value] of Object.entries(row)) {
          if (windowEnd(t.name, column)) continue;
          const n = Number(value);
          const seconds = n >= startedSeconds - 5 && n <= endedSeconds + 5;
          const millis = n >= (startedSeconds - 5) * 1000 && n <= (endedSeconds + 5) * 1000;
          if (typeof value !== "string" || /^\d+$/.test(value)) {
            if (seconds || millis) instants.push(`${t.name}.${column} = ${String(value)}`);
          } else if (/\d{4}-\d\d-\d\d[T ]\d\d:\d\d/.test(value)) instants.push(`${t.name}.${column} = ${value}`);
          if (!["editors", "desk_editors"].includes(t.name) && String(value).includes(editor.id)) instants.push(`${t.name}.${column} names the editor`);
        }
      }
    }
    expect(instants).toEqual([]);
  });
});
