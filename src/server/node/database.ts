// The embedded default: SQLite in one file under the data directory, durable before every acknowledgement.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect, type SqliteDatabase } from "kysely";
import { migrate } from "../db/migrate.js";
import type { Database } from "../db/schema.js";
import { loadMigrations } from "./migrations.js";

export const SQLITE_FILE = "sealdrop.sqlite";

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

export async function openNodeDatabase(dataDir: string): Promise<Kysely<Database>> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = new SQLite(join(dataDir, SQLITE_FILE));
  file.pragma("journal_mode = WAL");
  // FULL: a commit is on disk before the receipt goes out (invariant 6), not merely in the WAL buffer.
  file.pragma("synchronous = FULL");
  file.pragma("foreign_keys = ON");
  file.pragma("busy_timeout = 5000");
  // Deleted ciphertext metadata should not linger in free pages.
  file.pragma("secure_delete = ON");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(file) }) });
  await migrate(db, await loadMigrations());
  return db;
}
