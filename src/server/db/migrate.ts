// Applies migrations/*.sql in name order, each once, each in a transaction. D1 applies the same files
// with `wrangler d1 migrations apply` (its own bookkeeping table); this runner serves SQLite and
// PostgreSQL. Statements are separated by a semicolon at the end of a line.
import { type Kysely, sql } from "kysely";

export interface Migration {
  name: string;
  sql: string;
}

export const MIGRATIONS_TABLE = "sealdrop_migrations";

export function splitStatements(text: string): string[] {
  return text
    .split(/;\s*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, "").trim())
    .filter((s) => s.length > 0);
}

// The migration runner works on any schema, so it takes an untyped Kysely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrate(db: Kysely<any>, migrations: readonly Migration[]): Promise<string[]> {
  await sql`CREATE TABLE IF NOT EXISTS ${sql.table(MIGRATIONS_TABLE)} (name TEXT PRIMARY KEY)`.execute(db);
  const done = new Set(
    (await db.selectFrom(MIGRATIONS_TABLE).select("name").execute()).map((r: { name: string }) => r.name),
  );
  const applied: string[] = [];
  for (const m of [...migrations].sort((a, b) => a.name.localeCompare(b.name))) {
    if (done.has(m.name)) continue;
    await db.transaction().execute(async (tx) => {
      for (const statement of splitStatements(m.sql)) await sql.raw(statement).execute(tx);
      await tx.insertInto(MIGRATIONS_TABLE).values({ name: m.name }).execute();
    });
    applied.push(m.name);
  }
  return applied;
}
