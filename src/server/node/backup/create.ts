// `sealdrop backup`: a consistent online copy of a running deployment's rows and blobs, in that order.
// The rows are read from one snapshot (snapshot.ts) into a scratch file; only then are the blobs those
// rows name copied, so every blob a copied row needs exists (blobs are written before their rows, and
// only deleted after them). A blob gone by the time it is copied was deleted after the snapshot: its
// rows are left out too, so the backup never holds a submission, reply or note it cannot restore whole.
// Unfinished uploads, spent proofs of work and request nonces are not backed up: they expire anyway.
// On PostgreSQL the blobs are in the database too (its blob_chunks table is read as blobs, not as rows).
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { link, open, rm, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { coarseDay } from "../../../core/time.js";
import type { BlobStore } from "../../blobs.js";
import { connectPostgresDatabase } from "../../postgres/database.js";
import { PostgresBlobStore, POSTGRES_ONLY_TABLES } from "../../postgres/pg-blob-store.js";
import { FsBlobStore } from "../fs-blob-store.js";
import { fsyncPath } from "../fsync.js";
import { BackupError } from "./errors.js";
import { type BlobRecord, BackupReader, BackupWriter, MAGIC, type Manifest, readBackup, type Row, type TableRecord } from "./format.js";
import { postgresSnapshot, type Snapshot, sqliteSnapshot } from "./snapshot.js";

/** Tables whose rows are not worth restoring: the runner's bookkeeping and short-lived abuse state. */
export const NOT_BACKED_UP = new Set(["sealdrop_migrations", "d1_migrations", "uploads", "request_nonces", "pow_spent", "budget_windows", ...POSTGRES_ONLY_TABLES]);

export interface BackupOptions {
  dataDir: string;
  /** postgres://… when the rows live in PostgreSQL; else the SQLite file in `dataDir`. */
  database?: string | undefined;
  out: string;
  /** Progress for a person, one line at a time (stderr). */
  progress?: (text: string) => void;
  now?: () => Date;
}

export interface BackupSummary {
  file: string;
  bytes: number;
  rows: Record<string, number>;
  blobs: number;
  /** Items deleted between the snapshot and the copy of their blobs, left out. */
  leftOut: number;
}

/** What one row needs from the blob store, and what to leave out if it is gone. */
function blobOf(table: string, row: Row): { key: string; owner: string } | null {
  const id = String(row.id);
  if (table === "attachments") return { key: `attachments/${id}`, owner: `submissions/${String(row.submission_id)}` };
  if (table === "submissions" && row.envelope === null) return { key: `envelopes/${id}`, owner: `submissions/${id}` };
  if (table === "replies" || table === "notes") return { key: `${table}/${id}`, owner: `${table}/${id}` };
  return null;
}

/** The owner a row belongs to, if it is one that a missing blob would take out with it. */
function ownerOf(table: string, row: Row): string | null {
  if (table === "attachments") return `submissions/${String(row.submission_id)}`;
  if (table === "submissions" || table === "replies" || table === "notes") return `${table}/${String(row.id)}`;
  return null;
}

const MiB = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

export async function createBackup(options: BackupOptions): Promise<BackupSummary> {
  const progress = options.progress ?? (() => {});
  if (existsSync(options.out)) throw new BackupError("exists", `${options.out} exists already; a backup never replaces a file`);
  const dir = dirname(options.out);
  const tag = randomBytes(8).toString("hex");
  const partial = join(dir, `.${basename(options.out)}.${tag}.partial`);
  const rowsScratch = join(dir, `.${basename(options.out)}.${tag}.rows`);
  const sqliteScratch = join(dir, `.${basename(options.out)}.${tag}.sqlite`);
  try {
    // 1. Rows, from one snapshot, into a scratch file; and which blobs they need.
    const snapshot: Snapshot = options.database ? await postgresSnapshot(options.database) : await sqliteSnapshot(options.dataDir, sqliteScratch, progress);
    const needed: { key: string; owner: string }[] = [];
    const rows: Record<string, number> = {};
    const tables: string[] = [];
    /** Per table, how many of its rows each owner (a submission, reply or note) has. */
    const owners = new Map<string, Map<string, number>>();
    const scratch = await open(rowsScratch, "wx", 0o600);
    try {
      const writer = new BackupWriter(scratch);
      for (const table of snapshot.tables) {
        if (NOT_BACKED_UP.has(table)) continue;
        let n = 0;
        const counts = new Map<string, number>();
        for await (const row of snapshot.rows(table)) {
          await writer.line(row);
          const blob = blobOf(table, row);
          if (blob) needed.push(blob);
          const owner = ownerOf(table, row);
          if (owner !== null) counts.set(owner, (counts.get(owner) ?? 0) + 1);
          n++;
        }
        owners.set(table, counts);
        rows[table] = n;
        tables.push(table);
        progress(`rows: ${table}: ${n}`);
      }
      await writer.flush();
    } finally {
      await scratch.close();
      await snapshot.close();
    }

    // 2. The blobs those rows name, copied after the snapshot. Read-only: the file store is not init()ed,
    // which would clear the running server's temporary files.
    const pgBlobs = options.database ? connectPostgresDatabase(options.database) : null;
    const blobs: BlobStore = pgBlobs ? new PostgresBlobStore(pgBlobs) : new FsBlobStore(join(options.dataDir, "blobs"));
    const out = await open(partial, "wx", 0o600).catch(async (e: unknown) => {
      await pgBlobs?.destroy();
      throw e;
    });
    let written = 0;
    let copiedBlobs = 0;
    const gone = new Set<string>();
    try {
      const writer = new BackupWriter(out);
      await writer.write(MAGIC);
      const manifest: Manifest = { kind: "manifest", source: snapshot.source, day: coarseDay((options.now ?? (() => new Date()))()), migrations: snapshot.migrations };
      await writer.line(manifest);
      let copied = 0;
      let bytes = 0;
      let lastReport = 0;
      for (const [i, { key, owner }] of needed.entries()) {
        if (gone.has(owner)) continue;
        const blob = await blobs.get(key);
        if (!blob) {
          // Deleted since the snapshot: its rows stay out. A file of the same owner copied before this
          // one stays in the backup unreferenced; the server sweeps such files at its first start.
          gone.add(owner);
          continue;
        }
        const record: BlobRecord = { kind: "blob", key, size: blob.size };
        await writer.line(record);
        let seen = 0;
        const body = blob.body.getReader();
        for (;;) {
          const { done, value } = await body.read();
          if (done) break;
          seen += value.length;
          if (seen > blob.size) {
            await body.cancel();
            break;
          }
          await writer.write(value);
        }
        if (seen !== blob.size) throw new Error(`the file for ${key} changed size while it was copied`);
        await writer.write("\n");
        copied++;
        bytes += blob.size;
        if (Date.now() - lastReport > 1000 || i === needed.length - 1) {
          progress(`files: ${copied}/${needed.length} (${MiB(bytes)})`);
          lastReport = Date.now();
        }
      }
      // 3. The rows, minus those whose files went away meanwhile, streamed from the scratch file.
      const scratchIn = await open(rowsScratch, "r");
      try {
        const reader = new BackupReader(scratchIn);
        let t = 0;
        for (const table of tables) {
          let dropped = 0;
          for (const owner of gone) dropped += owners.get(table)?.get(owner) ?? 0;
          const total = rows[table]!;
          const record: TableRecord = { kind: "table", name: table, rows: total - dropped };
          await writer.line(record);
          for (let r = 0; r < total; r++) {
            const line = await reader.line();
            if (line === null) throw new Error("the scratch copy of the rows was cut short");
            const owner = ownerOf(table, JSON.parse(line) as Row);
            if (owner === null || !gone.has(owner)) await writer.write(`${line}\n`);
          }
          rows[table] = total - dropped;
          t++;
        }
        await writer.end(copied, t);
        written = writer.written;
        copiedBlobs = copied;
      } finally {
        await scratchIn.close();
      }
      await out.sync();
    } finally {
      await out.close();
      await pgBlobs?.destroy();
    }
    // Check what was written, then give it its name (never replacing a file) and make the name durable.
    const check = await open(partial, "r");
    try {
      await readBackup(check);
    } finally {
      await check.close();
    }
    try {
      await link(partial, options.out);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") throw new BackupError("exists", `${options.out} appeared while the backup was written; it was left alone`);
      throw e;
    }
    await unlink(partial);
    await fsyncPath(dir);
    const leftOut = gone.size;
    if (leftOut > 0) progress(`left out ${leftOut} item(s) deleted while the backup ran`);
    return { file: options.out, bytes: written, rows, blobs: copiedBlobs, leftOut };
  } finally {
    await rm(partial, { force: true });
    await rm(rowsScratch, { force: true });
    await rm(sqliteScratch, { force: true });
  }
}
