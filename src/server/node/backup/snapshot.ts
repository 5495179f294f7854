// A consistent, read-only view of every row at one instant, for a backup taken while the server runs.
// SQLite: the online backup API (better-sqlite3's db.backup()) copies the live database, WAL included,
// into a private file; the copy is then read at leisure. PostgreSQL: one REPEATABLE READ, READ ONLY
// transaction, read through a cursor per table. Rows come sorted by their columns (random ids first),
// never in the order they were written.
import { closeSync, existsSync, openSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { SQLITE_FILE } from "../database.js";
import { createPostgresPool, unavailableReason } from "../../postgres/database.js";
import { BackupError } from "./errors.js";
import type { BackupSource, Row } from "./format.js";

export interface Snapshot {
  source: BackupSource;
  migrations: string[];
  /** Tables in the order they were created, which is an order that satisfies their foreign keys. */
  tables: string[];
  rows(table: string): AsyncGenerator<Row>;
  close(): Promise<void>;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function sqliteSnapshot(dataDir: string, scratch: string, progress: (text: string) => void): Promise<Snapshot> {
  const live = join(dataDir, SQLITE_FILE);
  if (!existsSync(live)) throw new BackupError("no_database", `there is no sealdrop database in ${dataDir}`);
  const source = new SQLite(live, { fileMustExist: true });
  try {
    source.pragma("busy_timeout = 5000");
    closeSync(openSync(scratch, "wx", 0o600));
    // After a first step, the rest in one step: a copy that a concurrent commit restarts is redone whole,
    // so what lands in `scratch` is the database as of one instant.
    await source.backup(scratch, {
      progress: ({ totalPages, remainingPages }) => {
        progress(`rows: copying the database (${totalPages - remainingPages}/${totalPages} pages)`);
        return Math.max(totalPages, 100);
      },
    });
  } finally {
    source.close();
  }
  const copy = new SQLite(scratch);
  copy.pragma("journal_mode = DELETE");
  const tables = copy.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid").pluck().all() as string[];
  const migrations = tables.includes("sealdrop_migrations") ? (copy.prepare("SELECT name FROM sealdrop_migrations ORDER BY name").pluck().all() as string[]) : [];
  return {
    source: "sqlite",
    migrations,
    tables,
    async *rows(table) {
      const columns = (copy.prepare(`PRAGMA table_info(${quote(table)})`).all() as { name: string }[]).map((c) => quote(c.name));
      yield* copy.prepare(`SELECT * FROM ${quote(table)} ORDER BY ${columns.join(", ")}`).iterate() as IterableIterator<Row>;
    },
    async close() {
      copy.close();
      await rm(scratch, { force: true });
    },
  };
}

const FETCH_ROWS = 500;

export async function postgresSnapshot(url: string): Promise<Snapshot> {
  const pool = createPostgresPool(url, 1);
  try {
    const client = await pool.connect().catch(async (e: unknown) => {
      await pool.end();
      throw new BackupError("unavailable", `PostgreSQL does not answer (${unavailableReason(e) ?? (e as Error).message})`);
    });
    const release = async () => {
      client.release();
      await pool.end();
    };
    try {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      const tables = (
        await client.query<{ relname: string }>(
          "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY c.oid",
        )
      ).rows.map((r) => r.relname);
      if (!tables.includes("sealdrop_migrations")) throw new BackupError("no_database", "that PostgreSQL database holds no sealdrop tables");
      const migrations = (await client.query<{ name: string }>("SELECT name FROM sealdrop_migrations ORDER BY name")).rows.map((r) => r.name);
      return {
        source: "postgres",
        migrations,
        tables,
        async *rows(table) {
          const columns = (
            await client.query<{ column_name: string }>(
              "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
              [table],
            )
          ).rows.map((r) => quote(r.column_name));
          await client.query(`DECLARE backup_rows NO SCROLL CURSOR FOR SELECT * FROM ${quote(table)} ORDER BY ${columns.join(", ")}`);
          try {
            for (;;) {
              const batch = (await client.query<Row>(`FETCH ${FETCH_ROWS} FROM backup_rows`)).rows;
              yield* batch;
              if (batch.length < FETCH_ROWS) break;
            }
          } finally {
            await client.query("CLOSE backup_rows");
          }
        },
        async close() {
          await client.query("COMMIT").catch(() => {});
          await release();
        },
      };
    } catch (e) {
      await release();
      throw e;
    }
  } catch (e) {
    if (e instanceof BackupError) throw e;
    const reason = unavailableReason(e);
    if (reason !== null) throw new BackupError("unavailable", `PostgreSQL does not answer (${reason})`);
    throw e;
  }
}
