// src/server/db/schema.ts describes the schema that migrations/ create: its run-time COLUMNS (which the
// type checks in schema.ts tie to the `Database` interfaces) must equal what SQLite reports after every
// migration is applied to a real file, and no table but two keeps a rowid (migration 0006).
// tests/postgres/schema.test.ts shows D1 and PostgreSQL get the same.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COLUMNS, type ColumnDeclaration } from "../../src/server/db/schema.js";
import { Kysely, SqliteDialect } from "kysely";
import { migrate, MIGRATIONS_TABLE } from "../../src/server/db/migrate.js";
import { openNodeDatabase, SQLITE_FILE } from "../../src/server/node/database.js";
import { loadMigrations } from "../../src/server/node/migrations.js";

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
/** Tables that have a rowid (SQLite's hidden insertion counter). */
let rowidTables: string[];
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
    // PRAGMA table_list says "wr" (without rowid) for a table without one.
    rowidTables = (file.prepare("PRAGMA table_list").all() as { name: string; schema: string; wr: number }[])
      .filter((t) => t.schema === "main" && !t.name.startsWith("sqlite_") && t.name !== MIGRATIONS_TABLE && t.wr === 0)
      .map((t) => t.name)
      .sort();
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

  it("keep every table WITHOUT ROWID but the one-row newsroom and the public, numbered roster (invariant 3)", () => {
    expect(rowidTables).toEqual(["newsroom", "roster_entries"]);
  });

  it.each(Object.keys(COLUMNS))("agree on every column of %s: name, SQL type, NULL and DEFAULT", (table) => {
    expect(migrated[table]).toEqual(declared[table]);
  });
});

describe("migration 0006 (no order)", () => {
  it("keeps every row of a database made before it, foreign keys and cascades included", async () => {
    const upgradeDir = await mkdtemp(join(tmpdir(), "sealdrop-schema-0006-"));
    try {
      const file = new SQLite(join(upgradeDir, SQLITE_FILE));
      file.pragma("foreign_keys = ON");
      const db = new Kysely<any>({ dialect: new SqliteDialect({ database: file }) }); // eslint-disable-line @typescript-eslint/no-explicit-any
      const all = await loadMigrations();
      await migrate(db, all.filter((m) => m.name < "0006"));
      const rows: [string, Record<string, unknown>][] = [
        ["desks", { id: "desk1", name: "News", position: 0, names: null, listed: 1 }],
        ["editors", { id: "ed1", name: "E", age_recipient: "age1x", sign_public_key: "pk1", revoked: 0, added_day: "2026-01-01", role: "admin" }],
        ["desk_editors", { desk_id: "desk1", editor_id: "ed1" }],
        ["submissions", { id: "sub1", desk_id: "desk1", received_day: "2026-01-02", envelope_size: 10, envelope: "QUJD" }],
        ["attachments", { id: "att1", submission_id: "sub1", position: 0, size: 20 }],
        ["uploads", { id: "up1", parts: 1, bytes: 5, expires_day: "2026-01-03" }],
        ["request_nonces", { nonce: "ed1:abc", expires_at: 1 }],
        ["mailboxes", { id: "mb1", credential_hash: "00" }],
        ["replies", { id: "rep1", mailbox_id: "mb1", created_day: "2026-01-02", size: 30, desk_id: "desk1" }],
        ["notes", { id: "note1", created_day: "2026-01-02", size: 40, desk_id: null }],
        ["pow_spent", { seed: "seed1", expires_at: 300 }],
        ["server_secrets", { name: "pow", value: "ff" }],
      ];
      for (const [table, row] of rows) await db.insertInto(table).values(row).execute();
      expect(await migrate(db, all.filter((m) => m.name < "0007"))).toEqual(["0006_no_order.sql"]);
      // Nonces are not carried over (their rows named an editor and an exact second); all else is.
      for (const [table, row] of rows) {
        expect(await db.selectFrom(table).selectAll().execute(), table).toEqual(table === "request_nonces" ? [] : [row]);
      }
      expect(file.prepare("PRAGMA foreign_key_check").all()).toEqual([]);
      expect(() => file.prepare("INSERT INTO attachments (id, submission_id, position, size) VALUES ('att2', 'nope', 0, 1)").run()).toThrow(/FOREIGN KEY/);
      await db.deleteFrom("submissions").where("id", "=", "sub1").execute();
      expect(await db.selectFrom("attachments").selectAll().execute()).toEqual([]);
      await db.destroy();
    } finally {
      await rm(upgradeDir, { recursive: true, force: true });
    }
  });
});
