// The PostgreSQL entry's database: a pg pool behind Kysely's PostgreSQL dialect, migrated from the same
// migrations/*.sql files as SQLite and D1. Blobs stay on disk (the Node entry's FsBlobStore).
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { migrate } from "../db/migrate.js";
import type { Database } from "../db/schema.js";
import { loadMigrations } from "../node/migrations.js";

const INT8_OID = 20;

/** True for a `postgres://` or `postgresql://` connection string. */
export const isPostgresUrl = (value: string): boolean => /^postgres(ql)?:\/\//i.test(value);

/**
 * pg hands BIGINT (int8) columns and COUNT(*) back as strings, because they may exceed 2^53. Every int8
 * here is a byte size or a time in seconds, far below that, so they become numbers as on SQLite and D1.
 */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${text} does not fit a JavaScript number`);
  return n;
}

export function createPostgresPool(connectionString: string, max = 10): pg.Pool {
  return new pg.Pool({
    connectionString,
    max,
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === INT8_OID && format !== "binary" ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
}

export async function openPostgresDatabase(connectionString: string): Promise<Kysely<Database>> {
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPostgresPool(connectionString) }) });
  try {
    await migrate(db, await loadMigrations());
  } catch (e) {
    await db.destroy();
    throw e;
  }
  return db;
}
