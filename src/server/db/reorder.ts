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

/**
 * The blob store's table (postgres/pg-blob-store.ts): left alone too. Its bytes are TOAST values, whose
 * ids a CLUSTER keeps, so a CLUSTER would not erase their write order; storing every value anew would, at
 * the cost of copying the whole store on every run that finds anything new (one 4 GiB attachment: 164 s
 * and 8.7 GiB of WAL, scripts/measure-blob-reorder.ts). Its order is the known gap written down in
 * docs/THREAT-MODEL.md ("Arrival order").
 */
export const UNORDERED_BLOB_TABLES: ReadonlySet<string> = new Set(["blob_chunks"]);

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
  return rows.filter((r) => !PUBLIC_ORDER_TABLES.has(r.table) && !UNORDERED_BLOB_TABLES.has(r.table));
}

/** How many different transaction ids the rows of `tables` carry. */
async function transactionIds(db: Kysely<Database>, tables: KeyedTable[]): Promise<number> {
  const union = sql.join(tables.map((t) => sql`SELECT xmin::text AS x FROM ${sql.table(t.table)}`), sql` UNION ALL `);
  const { rows } = await sql<{ n: string }>`SELECT count(DISTINCT x) AS n FROM (${union}) AS versions`.execute(db);
  return Number(rows[0]!.n);
}

/** How long the rewrite waits for a lock before it steps aside (PostgreSQL's `lock_timeout`). */
const LOCK_WAIT = "100ms";
/** How many times one CLUSTER is tried before the run gives up on it (the next write makes a later run retry). */
const CLUSTER_TRIES = 100;

/** PostgreSQL's SQLSTATE 55P03: a lock was not granted within `lock_timeout`. */
const lockNotGranted = (e: unknown): boolean => (e as { code?: unknown } | null)?.code === "55P03";

/**
 * On PostgreSQL, erases the arrival order of every keyed row (see above); elsewhere nothing to do. A run
 * that finds every row still under one transaction id (nothing written since the last run) rewrites
 * nothing, so an idle newsroom costs a scan, not a copy of its tables.
 *
 * The rewrite always gives way to requests, so that it can never be the reason one fails. Updating every
 * row table by table while a request's transaction holds rows of a later table and waits for one of an
 * earlier table is a deadlock, and PostgreSQL would abort either side (a source's submission among them).
 * Instead the transaction first takes every keyed table at once in EXCLUSIVE mode (plain reads go on; no
 * writer holds or waits for a row of them), waiting at most LOCK_WAIT: a writer in the middle of its
 * transaction makes the run step aside and try again at its next interval, long before PostgreSQL's
 * deadlock check (one second by default) could pick the writer. Writers that arrive meanwhile wait for the
 * update, they do not fail. Each CLUSTER waits at most LOCK_WAIT per try too, so that it never queues
 * requests behind it for long.
 */
export async function eraseArrivalOrder(db: Kysely<Database>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  const tables = await keyedTables(db);
  if (tables.length === 0 || (await transactionIds(db, tables)) <= 1) return;
  const names = sql.join(tables.map((t) => sql.table(t.table)));
  try {
    // Setting a key to itself changes no value and fires no foreign-key check, but writes a new version of
    // every row, all under this one transaction id.
    await db.transaction().execute(async (tx) => {
      await sql`SET LOCAL lock_timeout = '${sql.raw(LOCK_WAIT)}'`.execute(tx);
      await sql`LOCK TABLE ${names} IN EXCLUSIVE MODE`.execute(tx);
      for (const t of tables) await sql`UPDATE ${sql.table(t.table)} SET ${sql.ref(t.column)} = ${sql.ref(t.column)}`.execute(tx);
    });
  } catch (e) {
    if (lockNotGranted(e)) return; // a request was writing: the next run tries again
    throw e;
  }
  await db.connection().execute(async (conn) => {
    await sql`SET lock_timeout = '${sql.raw(LOCK_WAIT)}'`.execute(conn);
    try {
      for (const t of tables) {
        for (let attempt = 1; ; attempt++) {
          try {
            await sql`CLUSTER ${sql.table(t.table)} USING ${sql.ref(t.index)}`.execute(conn);
            break;
          } catch (e) {
            if (!lockNotGranted(e) || attempt === CLUSTER_TRIES) throw e;
            await new Promise((resolve) => setTimeout(resolve, 20 * Math.min(attempt, 10)));
          }
        }
      }
    } finally {
      await sql`RESET lock_timeout`.execute(conn);
    }
  });
}
