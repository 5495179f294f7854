// Applies migrations/*.sql in name order, each once, each in a transaction. D1 applies the same files
// with `wrangler d1 migrations apply` (its own bookkeeping table); this runner serves SQLite and
// PostgreSQL. Statements are separated by a semicolon at the end of a line.
//
// One dialect difference is bridged here: SQLite and D1 keep a table WITHOUT ROWID in its key's order with
// no counter of arrivals (migration 0006); PostgreSQL has no rowid and does not know the words, so they are
// dropped from a CREATE TABLE for it (its heap order is undone by reorder.ts instead).
//
// Several servers may start at once on one PostgreSQL database (two nodes behind one address): each
// transaction first takes a transaction-scoped advisory lock, so they migrate one after the other, and
// each re-reads what is done under the lock. SQLite serialises writers itself.
import { type Kysely, PostgresAdapter, sql, type Transaction } from "kysely";

export interface Migration {
  name: string;
  sql: string;
}

export const MIGRATIONS_TABLE = "sealdrop_migrations";

/** pg_advisory_xact_lock key for migrations: any fixed 64-bit number ("sealdrop" in ASCII). */
export const MIGRATION_LOCK_KEY = 0x7365616c64726f70n;

export function splitStatements(text: string): string[] {
  return text
    .split(/;\s*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, "").trim())
    .filter((s) => s.length > 0);
}

// The migration runner works on any schema, so it takes an untyped Kysely.
/* eslint-disable @typescript-eslint/no-explicit-any */
async function lockMigrations(tx: Transaction<any>): Promise<void> {
  if (tx.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`SELECT pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK_KEY.toString())}::bigint)`.execute(tx);
  }
}

/** `statement` as PostgreSQL takes it: a trailing WITHOUT ROWID (SQLite's) removed. */
export function forPostgres(statement: string): string {
  return statement.replace(/\)\s*WITHOUT\s+ROWID\s*$/i, ")");
}

export async function migrate(db: Kysely<any>, migrations: readonly Migration[]): Promise<string[]> {
  await db.transaction().execute(async (tx) => {
    await lockMigrations(tx);
    await sql`CREATE TABLE IF NOT EXISTS ${sql.table(MIGRATIONS_TABLE)} (name TEXT PRIMARY KEY)`.execute(tx);
  });
  const applied: string[] = [];
  for (const m of [...migrations].sort((a, b) => a.name.localeCompare(b.name))) {
    const done = await db.transaction().execute(async (tx) => {
      await lockMigrations(tx);
      if (await tx.selectFrom(MIGRATIONS_TABLE).select("name").where("name", "=", m.name).executeTakeFirst()) return true;
      const postgres = tx.getExecutor().adapter instanceof PostgresAdapter;
      for (const statement of splitStatements(m.sql)) await sql.raw(postgres ? forPostgres(statement) : statement).execute(tx);
      await tx.insertInto(MIGRATIONS_TABLE).values({ name: m.name }).execute();
      return false;
    });
    if (!done) applied.push(m.name);
  }
  return applied;
}
