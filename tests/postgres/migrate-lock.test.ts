// Two nodes starting at once on one fresh PostgreSQL database both migrate it: the runner takes an
// advisory lock, so they apply the migrations one after the other and each exactly once.
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { migrate } from "../../src/server/db/migrate.js";
import { loadMigrations } from "../../src/server/node/migrations.js";
import { openPostgresDatabase } from "../../src/server/postgres/database.js";
import { acquireCluster, type PostgresCluster, releaseCluster } from "../helpers/backends.js";

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await acquireCluster();
});
afterAll(() => releaseCluster());

it("lets four concurrent migrate() calls on one fresh database all succeed, each migration applied once", async () => {
  const name = await cluster.createDatabase();
  const opened = await Promise.all([1, 2, 3, 4].map(() => openPostgresDatabase(cluster.urlFor(name))));
  try {
    const migrations = await loadMigrations("postgres");
    // Once migrated, another run applies nothing.
    expect(await migrate(opened[0]!, migrations)).toEqual([]);
    const client = new pg.Client({ connectionString: cluster.urlFor(name) });
    await client.connect();
    try {
      const rows = (await client.query("SELECT name FROM sealdrop_migrations ORDER BY name")).rows.map((r: { name: string }) => r.name);
      expect(rows).toEqual(migrations.map((m) => m.name).sort());
    } finally {
      await client.end();
    }
  } finally {
    await Promise.all(opened.map((db) => db.destroy()));
    await cluster.dropDatabase(name);
  }
});
