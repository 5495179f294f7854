// PostgreSQL keeps what SQLite's WITHOUT ROWID tables do not (migration 0006): a heap table stores rows in
// the order they arrived (their `ctid`), and every row version carries the id of the transaction that wrote
// it (`xmin`), a counter shared by all tables. Either would give a seized database's arrival order, across
// tables too. The maintenance job therefore rewrites each keyed table: one transaction touches every row
// (so all rows carry the same xmin), then CLUSTER rewrites each table in its primary key's order, i.e. in
// the order of random ids, into a new file (the old one is unlinked). Rows that arrive between two runs
// keep their order until the next run. What this does not undo is written down in docs/THREAT-MODEL.md
// (the TOAST value ids of large envelopes, PostgreSQL's own write-ahead log, freed disk blocks).
import { type Kysely, PostgresAdapter, sql } from "kysely";
import type { Database } from "./schema.js";

/** Tables whose order is public (or that have one row): left alone. */
export const PUBLIC_ORDER_TABLES: ReadonlySet<string> = new Set(["newsroom", "roster_entries", "sealdrop_migrations"]);

interface KeyedTable {
  table: string;
  index: string;
  column: string;
}

/** Every table of the current schema with a primary key, its key's index and the key's first column. */
async function keyedTables(db: Kysely<Database>): Promise<KeyedTable[]> {
  const { rows } = await sql<KeyedTable>`
    SELECT t.relname AS "table", i.relname AS "index", a.attname AS "column"
    FROM pg_index x
    JOIN pg_class t ON t.oid = x.indrelid
    JOIN pg_class i ON i.oid = x.indexrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
    WHERE x.indisprimary AND n.nspname = current_schema()
    ORDER BY t.relname`.execute(db);
  return rows.filter((r) => !PUBLIC_ORDER_TABLES.has(r.table));
}

/** How many different transaction ids the rows of `tables` carry. */
async function transactionIds(db: Kysely<Database>, tables: KeyedTable[]): Promise<number> {
  const union = sql.join(tables.map((t) => sql`SELECT xmin::text AS x FROM ${sql.table(t.table)}`), sql` UNION ALL `);
  const { rows } = await sql<{ n: string }>`SELECT count(DISTINCT x) AS n FROM (${union}) AS versions`.execute(db);
  return Number(rows[0]!.n);
}

/**
 * On PostgreSQL, erases the arrival order of every keyed row (see above); elsewhere nothing to do. A run
 * that finds every row still under one transaction id (nothing written since the last run) rewrites
 * nothing, so an idle newsroom costs a scan, not a copy of its tables.
 */
export async function eraseArrivalOrder(db: Kysely<Database>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  const tables = await keyedTables(db);
  if (tables.length === 0 || (await transactionIds(db, tables)) <= 1) return;
  // Setting a key to itself changes no value and fires no foreign-key check, but writes a new version of
  // every row, all under this one transaction id.
  await db.transaction().execute(async (tx) => {
    for (const t of tables) await sql`UPDATE ${sql.table(t.table)} SET ${sql.ref(t.column)} = ${sql.ref(t.column)}`.execute(tx);
  });
  for (const t of tables) await sql`CLUSTER ${sql.table(t.table)} USING ${sql.ref(t.index)}`.execute(db);
}
