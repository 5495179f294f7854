// The embedded default: SQLite in one file under the data directory, durable before every acknowledgement.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { migrate } from "../db/migrate.js";
import type { Database } from "../db/schema.js";
import { loadMigrations } from "./migrations.js";

export const SQLITE_FILE = "sealdrop.sqlite";

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
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: file }) });
  await migrate(db, await loadMigrations());
  return db;
}
