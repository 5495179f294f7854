// Measures what each submission, attachment, reply and note costs in rows and bytes on a real
// Node + SQLite server: submits items over HTTP as the page and the CLI do, and reads the growth of each
// table (rows, and bytes from SQLite's dbstat, indexes included) and of the blob directory.
//
//   npm run measure:scaling -- [N]        (N tips per kind; default 200)
//
// docs/SCALING.md quotes its output.
import { randomBytes } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { randomId, toBase64, toHex } from "../src/core/bytes.js";
import { sealBytes } from "../src/core/envelope.js";
import { SQLITE_FILE } from "../src/server/node/database.js";
import { editorFetch, startTestServer } from "../tests/helpers/server.js";
import { fetchNewsroom, submitTip } from "../tests/helpers/source.js";

const N = Number(process.argv[2] ?? 200);

interface Snapshot {
  rows: Record<string, number>;
  /** Bytes of row (and index entry) payloads of each table and index, from dbstat: page overhead excluded. */
  objects: Record<string, number>;
  dbFileBytes: number;
  blobBytes: number;
  blobFiles: number;
}

async function blobUsage(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    bytes += (await stat(join(entry.parentPath ?? entry.path, entry.name))).size;
    files++;
  }
  return { bytes, files };
}

async function snapshot(dataDir: string): Promise<Snapshot> {
  const db = new SQLite(join(dataDir, SQLITE_FILE), { readonly: true });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((t) => t.name);
    const rows = Object.fromEntries(tables.map((t) => [t, (db.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n]));
    const objects = Object.fromEntries(
      (db.prepare("SELECT name, sum(payload) AS bytes FROM dbstat GROUP BY name").all() as { name: string; bytes: number }[]).map((o) => [o.name, o.bytes]),
    );
    const pages = db.pragma("page_count", { simple: true }) as number;
    const pageSize = db.pragma("page_size", { simple: true }) as number;
    const blobs = await blobUsage(join(dataDir, "blobs"));
    return { rows, objects, dbFileBytes: pages * pageSize, blobBytes: blobs.bytes, blobFiles: blobs.files };
  } finally {
    db.close();
  }
}

function diff(before: Snapshot, after: Snapshot, count: number) {
  const per = (a: number, b: number) => Math.round(((b - a) / count) * 10) / 10;
  const rows = Object.fromEntries(Object.keys(after.rows).map((t) => [t, per(before.rows[t] ?? 0, after.rows[t]!)]).filter(([, v]) => v !== 0));
  const objects = Object.fromEntries(
    Object.keys(after.objects).map((o) => [o, per(before.objects[o] ?? 0, after.objects[o]!)]).filter(([, v]) => v !== 0),
  );
  return {
    rowsPerItem: rows,
    dbBytesPerItem: per(before.dbFileBytes, after.dbFileBytes),
    payloadBytesByObjectPerItem: objects,
    blobBytesPerItem: per(before.blobBytes, after.blobBytes),
    blobFilesPerItem: per(before.blobFiles, after.blobFiles),
  };
}

const text = (chars: number) => "보도 内容 report ".repeat(Math.ceil(chars / 15)).slice(0, chars);

async function main(): Promise<void> {
  const server = await startTestServer({ classic: process.env.MEASURE_CLASSIC === "1" });
  const results: Record<string, unknown> = {};
  try {
    const recipients = (await fetchNewsroom(server.url)).desks[0]!.recipients;
    const measure = async (name: string, count: number, one: (i: number) => Promise<void>) => {
      const before = await snapshot(server.dataDir);
      const started = performance.now();
      for (let i = 0; i < count; i++) await one(i);
      const ms = performance.now() - started;
      results[name] = { count, msPerItem: Math.round((ms / count) * 10) / 10, ...diff(before, await snapshot(server.dataDir), count) };
    };

    await measure("tip, 1,000-character message, no attachment", N, async () => {
      await submitTip(server.url, text(1000));
    });
    await measure("tip with one 100 kB attachment", Math.max(1, Math.floor(N / 4)), async () => {
      await submitTip(server.url, text(300), [{ name: "doc.pdf", type: "application/pdf", bytes: new Uint8Array(randomBytes(100_000)) }]);
    });
    await measure("tip with one 5 MB attachment", Math.max(1, Math.floor(N / 20)), async () => {
      const bytes = new Uint8Array(randomBytes(5_000_000));
      await submitTip(server.url, text(300), [{ name: "video.mp4", type: "video/mp4", bytes }]);
    });
    const mailbox = randomId();
    const credentialHash = toHex(crypto.getRandomValues(new Uint8Array(32)));
    await measure("reply, 500 characters, all to one mailbox", Math.max(1, Math.floor(N / 2)), async () => {
      const ciphertext = toBase64(await sealBytes(new TextEncoder().encode(text(500)), recipients));
      const res = await editorFetch(server, server.editor, "POST", "/api/editor/replies", { mailbox, credentialHash, ciphertext });
      if (res.status !== 201) throw new Error(`reply: ${res.status} ${await res.text()}`);
    });
    await measure("desk note, 500 characters", Math.max(1, Math.floor(N / 2)), async () => {
      const ciphertext = toBase64(await sealBytes(new TextEncoder().encode(text(500)), recipients));
      const res = await editorFetch(server, server.editor, "POST", "/api/editor/notes", { ciphertext });
      if (res.status !== 201) throw new Error(`note: ${res.status} ${await res.text()}`);
    });
    const final = await snapshot(server.dataDir);
    results.totals = { rows: final.rows, dbFileBytes: final.dbFileBytes, payloadBytesByObject: final.objects, blobBytes: final.blobBytes };
  } finally {
    await server.dispose();
  }
  console.log(JSON.stringify({ recipients: process.env.MEASURE_CLASSIC === "1" ? "classic X25519" : "hybrid post-quantum", results }, null, 2));
}

await main();
