// One schema: migrations/*.sql applied to SQLite (migrate.ts), to D1 (`wrangler d1 migrations apply
// --local`) and to PostgreSQL (migrate.ts) must give the same tables, columns, types, defaults, keys and
// indexes. Bookkeeping tables (sealdrop_migrations, d1_migrations) and engine internals are ignored; so are
// the tables of migrations/postgres/ (PostgreSQL's blob store), which PostgreSQL alone has.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openNodeDatabase, SQLITE_FILE } from "../../src/server/node/database.js";
import { openPostgresDatabase } from "../../src/server/postgres/database.js";
import { POSTGRES_ONLY_TABLES } from "../../src/server/postgres/pg-blob-store.js";
import { acquireCluster, applyD1Migrations, d1DatabaseFile, type PostgresCluster, releaseCluster } from "../helpers/backends.js";

interface Column {
  type: string;
  notNull: boolean;
  default: string | null;
}
interface Table {
  columns: Record<string, Column>;
  primaryKey: string[];
  unique: string[][];
  foreignKeys: string[];
}
interface Schema {
  tables: Record<string, Table>;
  /** Explicitly created indexes (not those backing a key constraint): name → "table(columns)". */
  indexes: Record<string, string>;
}

const IGNORED = /^(sealdrop_migrations|d1_migrations|sqlite_.*|_cf_.*)$/;
const normalizeDefault = (d: string | null) => (d === null ? null : d.replace(/::[a-z ]+$/i, "").replace(/^\((.*)\)$/, "$1"));
const sorted = <T>(xs: T[]) => [...xs].sort();

function sqliteSchema(file: string): Schema {
  const db = new SQLite(file, { readonly: true });
  try {
    const schema: Schema = { tables: {}, indexes: {} };
    const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    for (const { name } of names.filter((t) => !IGNORED.test(t.name))) {
      const info = db.prepare(`PRAGMA table_info(${JSON.stringify(name)})`).all() as { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }[];
      const indexes = db.prepare(`PRAGMA index_list(${JSON.stringify(name)})`).all() as { name: string; unique: number; origin: string }[];
      const indexColumns = (index: string) => (db.prepare(`PRAGMA index_info(${JSON.stringify(index)})`).all() as { name: string }[]).map((c) => c.name);
      const fks = db.prepare(`PRAGMA foreign_key_list(${JSON.stringify(name)})`).all() as { table: string; from: string; to: string; on_delete: string }[];
      schema.tables[name] = {
        columns: Object.fromEntries(
          info.map((c) => [c.name, { type: c.type.toUpperCase(), notNull: c.notnull === 1 || c.pk > 0, default: normalizeDefault(c.dflt_value) }]),
        ),
        primaryKey: info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
        unique: sorted(indexes.filter((i) => i.origin === "u").map((i) => indexColumns(i.name).join(","))).map((c) => c.split(",")),
        foreignKeys: sorted(fks.map((f) => `${f.from} -> ${f.table}(${f.to}) on delete ${f.on_delete}`)),
      };
      for (const index of indexes.filter((i) => i.origin === "c")) {
        schema.indexes[index.name] = `${name}(${indexColumns(index.name).join(",")})${index.unique ? " unique" : ""}`;
      }
    }
    return schema;
  } finally {
    db.close();
  }
}

const PG_TYPES: Record<string, string> = { integer: "INTEGER", bigint: "BIGINT", text: "TEXT", real: "REAL", "double precision": "REAL", bytea: "BLOB" };

async function postgresSchema(url: string): Promise<Schema> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const schema: Schema = { tables: {}, indexes: {} };
    const columns = await client.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string; column_default: string | null }>(
      "SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
    );
    for (const c of columns.rows.filter((r) => !IGNORED.test(r.table_name))) {
      schema.tables[c.table_name] ??= { columns: {}, primaryKey: [], unique: [], foreignKeys: [] };
      schema.tables[c.table_name]!.columns[c.column_name] = {
        type: PG_TYPES[c.data_type] ?? c.data_type.toUpperCase(),
        notNull: c.is_nullable === "NO",
        default: normalizeDefault(c.column_default),
      };
    }
    const constraints = await client.query<{ table: string; type: string; columns: string[]; ref_table: string | null; ref_columns: string[] | null; on_delete: string }>(`
      SELECT c.conrelid::regclass::text AS table, c.contype AS type,
             ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS columns,
             c.confrelid::regclass::text AS ref_table,
             ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) AS ref_columns,
             c.confdeltype AS on_delete
      FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE n.nspname = 'public' AND c.contype IN ('p', 'u', 'f')`);
    const onDelete: Record<string, string> = { a: "NO ACTION", r: "RESTRICT", c: "CASCADE", n: "SET NULL", d: "SET DEFAULT" };
    for (const k of constraints.rows.filter((r) => !IGNORED.test(r.table))) {
      const table = schema.tables[k.table]!;
      if (k.type === "p") table.primaryKey = k.columns;
      if (k.type === "u") table.unique.push(k.columns);
      if (k.type === "f") table.foreignKeys.push(`${k.columns.join(",")} -> ${k.ref_table}(${k.ref_columns!.join(",")}) on delete ${onDelete[k.on_delete]}`);
    }
    for (const table of Object.values(schema.tables)) {
      table.unique = sorted(table.unique.map((u) => u.join(","))).map((u) => u.split(","));
      table.foreignKeys = sorted(table.foreignKeys);
    }
    const indexes = await client.query<{ name: string; table: string; unique: boolean; columns: string[] }>(`
      SELECT i.indexrelid::regclass::text AS name, i.indrelid::regclass::text AS table, i.indisunique AS unique,
             ARRAY(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o) AS columns
      FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`);
    for (const i of indexes.rows.filter((r) => !IGNORED.test(r.table))) {
      schema.indexes[i.name] = `${i.table}(${i.columns.join(",")})${i.unique ? " unique" : ""}`;
    }
    return schema;
  } finally {
    await client.end();
  }
}

let dir: string;
let cluster: PostgresCluster;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sealdrop-schema-"));
  cluster = await acquireCluster();
});
afterAll(async () => {
  await releaseCluster();
  await rm(dir, { recursive: true, force: true });
});

it("migrations/ gives the same schema on SQLite, D1 and PostgreSQL", async () => {
  const sqliteDb = await openNodeDatabase(join(dir, "sqlite"));
  await sqliteDb.destroy();
  const sqlite = sqliteSchema(join(dir, "sqlite", SQLITE_FILE));

  applyD1Migrations(join(dir, "d1"));
  const d1 = sqliteSchema(await d1DatabaseFile(join(dir, "d1")));

  const database = await cluster.createDatabase();
  const pgDb = await openPostgresDatabase(cluster.urlFor(database));
  await pgDb.destroy();
  const postgres = await postgresSchema(cluster.urlFor(database));
  await cluster.dropDatabase(database);

  expect(Object.keys(sqlite.tables).length).toBeGreaterThanOrEqual(8);
  expect(d1).toEqual(sqlite);
  // PostgreSQL's own tables are there, and only there.
  for (const table of POSTGRES_ONLY_TABLES) {
    expect(postgres.tables[table], table).toBeDefined();
    expect(sqlite.tables[table], table).toBeUndefined();
    delete postgres.tables[table];
  }
  expect(postgres).toEqual(sqlite);
});
