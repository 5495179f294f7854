// The embedded default: SQLite in one file under the data directory, durable before every acknowledgement.
import { chmodSync, closeSync, openSync } from "node:fs";
import { mkdir, open } from "node:fs/promises";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, sql, SqliteDialect, type SqliteDatabase } from "kysely";
import { migrate } from "../db/migrate.js";
import type { Database } from "../db/schema.js";
import { loadMigrations } from "./migrations.js";
import { fsyncPath } from "./fsync.js";

export const SQLITE_FILE = "sealdrop.sqlite";

/** What a ROLLBACK outside a transaction runs instead: nothing (see withStatementCache). */
const NO_OP = { reader: false, run: () => ({ changes: 0, lastInsertRowid: 0 }) };

/**
 * Kysely prepares every query it runs; better-sqlite3 compiles a statement each time. Keeping the
 * compiled statements (the server runs a few dozen distinct queries) saves that work on every request.
 * Nothing here streams rows, so a statement is never busy when it is reused.
 */
function withStatementCache(file: SQLite.Database, max = 256): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => file.close(),
    prepare(sql) {
      // On some errors (SQLITE_FULL, SQLITE_IOERR, …) SQLite has already rolled the transaction back; the
      // ROLLBACK Kysely then sends would fail and its error ("no transaction is active") would replace the
      // one that says what happened (storage-full.ts needs the SQLITE_FULL).
      if (sql === "rollback" && !file.inTransaction) return NO_OP as unknown as SQLite.Statement;
      let statement = statements.get(sql);
      if (!statement) {
        statement = file.prepare(sql);
        if (statements.size >= max) statements.delete(statements.keys().next().value!);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

/**
 * The database file exists, readable by its owner only, before SQLite opens it: SQLite creates its -wal
 * and -shm files with the database file's permissions, so all three are 0600 whatever the umask. A file
 * left wider by an older version is narrowed, with its companions.
 */
function ownerOnly(dataDir: string): void {
  const path = join(dataDir, SQLITE_FILE);
  closeSync(openSync(path, "a", 0o600));
  for (const p of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      chmodSync(p, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }
}

function openFile(dataDir: string): SQLite.Database {
  ownerOnly(dataDir);
  const file = new SQLite(join(dataDir, SQLITE_FILE));
  file.pragma("journal_mode = WAL");
  // FULL: a commit is on disk when it returns (invariant 6). The server switches to NORMAL once migrated
  // and syncs the WAL itself before answering (openServerDatabase); every other opener keeps FULL.
  file.pragma("synchronous = FULL");
  file.pragma("foreign_keys = ON");
  file.pragma("busy_timeout = 5000");
  // Deleted ciphertext metadata should not linger in free pages.
  file.pragma("secure_delete = ON");
  return file;
}

/** SQLite under `dataDir`, migrated; every commit is on disk when it returns (synchronous = FULL). */
export async function openNodeDatabase(dataDir: string): Promise<Kysely<Database>> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(openFile(dataDir)) }) });
  await migrate(db, await loadMigrations());
  return db;
}

export interface ServerDatabase {
  db: Kysely<Database>;
  /**
   * Resolves once every write committed so far is on disk. The server awaits it before answering any
   * request (app.ts), so no acknowledgement goes out ahead of the data it acknowledges.
   */
  durable: () => Promise<void>;
  /**
   * Empties the WAL into the database file and truncates it to nothing (`wal_checkpoint(TRUNCATE)`), so a
   * deleted row's old page images leave the WAL; with secure_delete the database file keeps zeros where
   * the row was. Runs on the app's own connection, between transactions. Called after deletions (Deps.scrub).
   */
  scrub: () => Promise<void>;
}

/**
 * The server's SQLite. Commits run with synchronous = NORMAL, so a commit only writes its frames to
 * the WAL (the page cache; a killed process loses nothing) and does not block the event loop on an
 * fsync. Durability against power loss comes from `durable()`: an fdatasync of the WAL file on libuv's
 * thread pool, shared by every request waiting at the time, started only after their commits were
 * written. A frame SQLite has since checkpointed into the main file was synced by the checkpoint itself
 * (it syncs the WAL, then the database) before the WAL is reused.
 */
export async function openServerDatabase(dataDir: string): Promise<ServerDatabase> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = openFile(dataDir);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(file) }) });
  await migrate(db, await loadMigrations());
  // Migrations committed with FULL; make sure the WAL file and its directory entry are on disk too.
  const wal = join(dataDir, `${SQLITE_FILE}-wal`);
  await fsyncPath(wal);
  await fsyncPath(dataDir);
  file.pragma("synchronous = NORMAL");
  // SQLite deletes the WAL only when the last connection closes, and this one stays open until the
  // database is destroyed, so one handle reaches the same file for as long as `durable` is used.
  const walHandle = await open(wal, "r");
  const changes = file.prepare("SELECT total_changes()").pluck();
  const totalChanges = () => changes.get() as number;
  // Whoever holds the database closes it with db.destroy(); the WAL handle goes with it.
  const close = db.destroy.bind(db);
  db.destroy = async () => {
    await close();
    await walHandle.close().catch(() => {});
  };
  const scrub = async () => {
    const { rows } = await sql<{ busy: number }>`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
    if (rows[0]?.busy) throw new Error("the WAL checkpoint was blocked by another connection");
  };
  return { db, durable: coalescedSync(totalChanges, () => walHandle.datasync()), scrub };
}

/**
 * `durable()` for a connection whose change counter is `totalChanges`: resolves at once when nothing
 * changed since the last sync; otherwise joins the next sync to start (never one already running, which
 * may have started before the caller's commit). One sync runs at a time, covering everyone who asked
 * while the one before it ran.
 */
export function coalescedSync(totalChanges: () => number, sync: () => Promise<void>): () => Promise<void> {
  let synced = totalChanges();
  let waiting: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  let running = false;
  const drain = async () => {
    running = true;
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      const upTo = totalChanges();
      try {
        await sync();
        synced = Math.max(synced, upTo);
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    running = false;
  };
  return () => {
    if (totalChanges() === synced) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      waiting.push({ resolve, reject });
      if (!running) void drain();
    });
  };
}
