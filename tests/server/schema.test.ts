// src/server/db/schema.ts describes the schema that migrations/ create: its run-time COLUMNS (which the
// type checks in schema.ts tie to the `Database` interfaces) must equal what SQLite reports after every
// migration is applied to a real file. tests/postgres/schema.test.ts shows D1 and PostgreSQL get the same.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COLUMNS, type ColumnDeclaration } from "../../src/server/db/schema.js";
import { MIGRATIONS_TABLE } from "../../src/server/db/migrate.js";
import { openNodeDatabase, SQLITE_FILE } from "../../src/server/node/database.js";

interface ColumnInfo {
  name: string;
  type: string;
  notnull: 0 | 1;
  dflt_value: string | null;
  pk: number;
}
type Described = Record<string, Record<string, { sql: string; nullable: boolean; default: boolean }>>;

let dir: string;
let migrated: Described;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sealdrop-schema-"));
  await (await openNodeDatabase(dir)).destroy(); // applies migrations/*.sql, as the server does on start
  const file = new SQLite(join(dir, SQLITE_FILE), { readonly: true, fileMustExist: true });
  try {
    const tables = file.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> ?").all(MIGRATIONS_TABLE) as { name: string }[];
    migrated = Object.fromEntries(
      tables.map(({ name }) => [
        name,
        Object.fromEntries(
          (file.prepare(`PRAGMA table_info("${name}")`).all() as ColumnInfo[]).map((c) => [
            c.name,
            // A primary key column counts as NOT NULL: that is what it declares (and what PostgreSQL enforces),
            // though SQLite lets a non-INTEGER key of a rowid table hold NULL.
            { sql: c.type.toUpperCase(), nullable: c.notnull === 0 && c.pk === 0, default: c.dflt_value !== null },
          ]),
        ),
      ]),
    );
  } finally {
    file.close();
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const declared: Described = Object.fromEntries(
  Object.entries(COLUMNS).map(([table, columns]) => [
    table,
    Object.fromEntries(
      Object.entries(columns as Record<string, ColumnDeclaration>).map(([name, c]) => [name, { sql: c.sql, nullable: c.nullable === true, default: c.default === true }]),
    ),
  ]),
);

describe("schema.ts and the migrated schema", () => {
  it("have the same tables", () => {
    expect(Object.keys(migrated).sort()).toEqual(Object.keys(declared).sort());
  });

  it.each(Object.keys(COLUMNS))("agree on every column of %s: name, SQL type, NULL and DEFAULT", (table) => {
    expect(migrated[table]).toEqual(declared[table]);
  });
});
