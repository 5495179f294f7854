// The maintenance job's rewrite of PostgreSQL's tables (src/server/db/reorder.ts) must never be the reason
// a request fails. Updating every row table by table while a request holds rows of one table and waits
// for a row of another is a deadlock, and PostgreSQL then aborts one side: a request among them (seen once
// in CI as a 500 on an editor's "delete this source"). Here a real request-like transaction holds rows
// while the rewrite runs: the rewrite steps aside, the transaction commits, and a later run rewrites.
import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { migrate } from "../../src/server/db/migrate.js";
import { eraseArrivalOrder } from "../../src/server/db/reorder.js";
import type { Database } from "../../src/server/db/schema.js";
import { loadMigrations } from "../../src/server/node/migrations.js";
import { openPostgresDatabase } from "../../src/server/postgres/database.js";
import { acquireCluster, type PostgresCluster, releaseCluster } from "../helpers/backends.js";

let cluster: PostgresCluster;
let name: string;
let db: Kysely<Database>;
let client: pg.Client;

beforeAll(async () => {
  cluster = await acquireCluster();
  name = await cluster.createDatabase();
  db = await openPostgresDatabase(cluster.urlFor(name));
  await migrate(db, await loadMigrations());
  client = new pg.Client({ connectionString: cluster.urlFor(name) });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await db?.destroy();
  if (name) await cluster.dropDatabase(name);
  await releaseCluster();
});

const newId = (): string => randomBytes(16).toString("hex");

/** A mailbox with two replies, each written by its own transaction (so the rows carry several xmins). */
async function mailboxWithReplies(): Promise<string> {
  const mailbox = newId();
  await client.query("INSERT INTO mailboxes (id, credential_hash) VALUES ($1, 'x')", [mailbox]);
  for (let i = 0; i < 2; i++) {
    await client.query("INSERT INTO replies (id, mailbox_id, created_day, size, desk_id) VALUES ($1, $2, '2026-12-01', 10, NULL)", [newId(), mailbox]);
  }
  return mailbox;
}

async function distinctXmins(): Promise<number> {
  const { rows } = await client.query<{ n: string }>(
    "SELECT count(DISTINCT x) AS n FROM (SELECT xmin::text AS x FROM mailboxes UNION ALL SELECT xmin::text FROM replies) AS v",
  );
  return Number(rows[0]!.n);
}

it("steps aside while a request's transaction holds rows, lets it commit, and rewrites on a later run", async () => {
  const mailbox = await mailboxWithReplies();
  expect(await distinctXmins()).toBeGreaterThan(1);

  // A deletion in the order the server's deleteMailboxes uses: the replies first, then the mailbox.
  await client.query("BEGIN");
  await client.query("DELETE FROM replies WHERE mailbox_id = $1", [mailbox]);
  await eraseArrivalOrder(db); // must return (not wait for the transaction, not fail)
  await client.query("DELETE FROM mailboxes WHERE id = $1", [mailbox]);
  await client.query("COMMIT");
  expect((await client.query("SELECT id FROM mailboxes WHERE id = $1", [mailbox])).rowCount).toBe(0);

  await mailboxWithReplies();
  expect(await distinctXmins()).toBeGreaterThan(1);
  await eraseArrivalOrder(db);
  expect(await distinctXmins()).toBe(1);
});

it("never makes a concurrent replies-then-mailbox deletion fail, run after run", async () => {
  for (let round = 0; round < 25; round++) {
    const mailbox = await mailboxWithReplies();
    const deletion = (async () => {
      await client.query("BEGIN");
      try {
        await client.query("DELETE FROM replies WHERE mailbox_id = $1", [mailbox]);
        await client.query("SELECT pg_sleep(0.01)"); // widen the window between the two statements
        await client.query("DELETE FROM mailboxes WHERE id = $1", [mailbox]);
        await client.query("COMMIT");
      } catch (e) {
        await client.query("ROLLBACK");
        throw e;
      }
    })();
    const results = await Promise.allSettled([deletion, eraseArrivalOrder(db)]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
  }
  expect((await client.query("SELECT count(*)::int AS n FROM mailboxes")).rows[0].n).toBe(1);
});
