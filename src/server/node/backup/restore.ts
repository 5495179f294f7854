// `sealdrop restore`: a backup (format.ts) into an empty data directory and, with --database, an empty
// PostgreSQL database. The whole file is checked first (structure and digest), so a cut or damaged
// backup writes nothing. Then, as the server itself does, files first and rows last: the rows go in one
// transaction, so a failure leaves no row, and the files written before it are removed again. Into
// PostgreSQL the blobs go into its blob store inside that same transaction, and nothing into DIR.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, open, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { type Kysely, sql } from "kysely";
import { openNodeDatabase } from "../database.js";
import type { BlobStore } from "../../blobs.js";
import type { Database } from "../../db/schema.js";
import { PostgresBlobStore } from "../../postgres/pg-blob-store.js";
import { FsBlobStore } from "../fs-blob-store.js";
import { loadMigrations } from "../migrations.js";
import { openPostgresDatabase } from "../../postgres/database.js";
import { StoreUnavailableError } from "../../unavailable.js";
import { BackupError } from "./errors.js";
import { type Manifest, readBackup, type Row } from "./format.js";

export interface RestoreOptions {
  file: string;
  dataDir: string;
  database?: string | undefined;
  progress?: (text: string) => void;
}

export interface RestoreSummary {
  source: Manifest["source"];
  day: string;
  rows: Record<string, number>;
  blobs: number;
}

/** Files are written to the blob store in parts of this size (each part is made durable). */
const PART = 8 << 20;
/** Rows per INSERT, and bytes: envelopes are inline and up to a MiB each. */
const BATCH_ROWS = 200;
const BATCH_BYTES = 4 << 20;

async function isEmptyDir(dir: string): Promise<boolean> {
  if (!existsSync(dir)) return true;
  return (await readdir(dir)).length === 0;
}

// The restore writes any table the backup names, so it works on an untyped Kysely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

async function rowsIn(db: AnyDb, tables: readonly string[]): Promise<number> {
  let n = 0;
  for (const t of tables) n += Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(t)}`.execute(db)).rows[0]?.n ?? 0);
  return n;
}

export async function restoreBackup(options: RestoreOptions): Promise<RestoreSummary> {
  const progress = options.progress ?? (() => {});
  const file = await open(options.file, "r").catch((e: NodeJS.ErrnoException) => {
    throw new BackupError("not_a_backup", `cannot read ${options.file}: ${e.code ?? e.message}`);
  });
  try {
    // 1. The whole file holds together, and this sealdrop knows its schema.
    progress("checking the backup");
    const { manifest } = await readBackup(file);
    const known = new Set((await loadMigrations("postgres")).map((m) => m.name));
    const unknown = manifest.migrations.filter((m) => !known.has(m));
    if (unknown.length > 0) throw new BackupError("backup_newer_schema", `the backup was made by a newer sealdrop (migrations ${unknown.join(", ")}); upgrade, then restore`);

    // 2. Only into an empty target.
    if (!(await isEmptyDir(options.dataDir))) throw new BackupError("target_not_empty", `${options.dataDir} is not empty; restore writes only into an empty data directory`);
    let db: AnyDb;
    if (options.database) {
      db = await openPostgresDatabase(options.database).catch((e: unknown) => {
        if (e instanceof StoreUnavailableError) throw new BackupError("unavailable", `PostgreSQL does not answer (${e.reason})`);
        throw e;
      });
    } else {
      await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
      db = await openNodeDatabase(options.dataDir);
    }
    const created = !options.database;
    let blobsDir: string | undefined;
    try {
      const tables = (await db.introspection.getTables()).map((t) => t.name).filter((n) => n !== "sealdrop_migrations");
      if ((await rowsIn(db, tables)) > 0) throw new BackupError("target_not_empty", "the target database already holds sealdrop data; restore writes only into an empty one");
      if (!options.database) blobsDir = join(options.dataDir, "blobs");
      const fileStore: BlobStore | null = blobsDir ? await new FsBlobStore(blobsDir).init() : null;

      // 3. Files, then every row in one transaction.
      const rows: Record<string, number> = {};
      let files = 0;
      await db.transaction().execute(async (tx) => {
        const blobs: BlobStore = fileStore ?? new PostgresBlobStore(tx as Kysely<Database>);
        await readBackup(file, {
          async blob(record, read) {
            if (record.size === 0) {
              await read(() => {});
              await blobs.put(record.key, new Uint8Array(0));
            } else {
              const upload = randomBytes(16).toString("hex");
              let offset = 0;
              let pending: Buffer[] = [];
              let pendingBytes = 0;
              let names = "";
              const flush = async () => {
                if (pendingBytes === 0) return;
                names += await blobs.writeUploadPart(upload, offset, Buffer.concat(pending));
                offset += pendingBytes;
                pending = [];
                pendingBytes = 0;
              };
              await read(async (chunk) => {
                pending.push(Buffer.from(chunk));
                pendingBytes += chunk.length;
                if (pendingBytes >= PART) await flush();
              });
              await flush();
              await blobs.completeUpload(upload, record.size, record.key, names);
            }
            files++;
            if (files % 50 === 0) progress(`files: ${files}`);
          },
          async table(record, read) {
            let batch: Row[] = [];
            let bytes = 0;
            const insert = async () => {
              if (batch.length > 0) await tx.insertInto(record.name).values(batch).execute();
              batch = [];
              bytes = 0;
            };
            for await (const row of read()) {
              batch.push(row);
              bytes += JSON.stringify(row).length;
              if (batch.length >= BATCH_ROWS || bytes >= BATCH_BYTES) await insert();
            }
            await insert();
            rows[record.name] = record.rows;
            progress(`rows: ${record.name}: ${record.rows}`);
          },
        });
      });
      progress(`restored ${files} file(s) and ${Object.values(rows).reduce((a, b) => a + b, 0)} row(s)`);
      return { source: manifest.source, day: manifest.day, rows, blobs: files };
    } catch (e) {
      // Nothing half-written: the rows rolled back; the files (and, for SQLite, the new database) go too.
      await db.destroy().catch(() => {});
      if (created) {
        for (const entry of await readdir(options.dataDir).catch(() => [] as string[])) await rm(join(options.dataDir, entry), { recursive: true, force: true });
      } else if (blobsDir) {
        await rm(blobsDir, { recursive: true, force: true });
      }
      throw e;
    } finally {
      await db.destroy().catch(() => {});
    }
  } finally {
    await file.close();
  }
}
