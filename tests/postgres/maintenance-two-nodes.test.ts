// The maintenance job on two `sealdrop serve` processes on one PostgreSQL (src/server/postgres/
// maintenance-lock.ts): both run it on their timers (here every 120 ms), and a run takes the database's
// maintenance lock first, so one runs at a time and the other skips its turn. To hold a run in the middle
// of its work, the test locks the `attachments` table, which every run reads after it has deleted expired
// uploads: the run that holds the maintenance lock waits there, and every turn of the other node meanwhile
// reports `skipped`. Expired uploads written then are deleted, once the table is free, by exactly one run.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import type { MaintenanceReport } from "../../src/server/maintenance.js";
import { MAINTENANCE_LOCK_KEY } from "../../src/server/postgres/maintenance-lock.js";
import { acquireCluster, type PostgresCluster, releaseCluster } from "../helpers/backends.js";
import { type ServerProcess, spawnServer } from "../helpers/process.js";

const EXPIRED = 3;
const WAIT = { timeout: 60_000, interval: 50 };

let cluster: PostgresCluster;
let database: string;
let dataDir: string;
let client: pg.Client;
const nodes: ServerProcess[] = [];

beforeAll(async () => {
  cluster = await acquireCluster();
  database = await cluster.createDatabase();
  dataDir = await mkdtemp(join(tmpdir(), "sealdrop-maintenance-nodes-"));
  const serverOptions = { database: cluster.urlFor(database), maintenanceMinutes: 0.002, reportMaintenance: true, pow: false };
  for (const name of ["a", "b"]) nodes.push(await spawnServer(join(dataDir, name), { serverOptions }));
  client = new pg.Client({ connectionString: cluster.urlFor(database) });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await Promise.all(nodes.map((n) => n.kill("SIGTERM")));
  if (database) await cluster.dropDatabase(database);
  await releaseCluster();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Every report a node printed, in order. */
const reportsOf = (node: ServerProcess): MaintenanceReport[] =>
  [...node.output().toString().matchAll(/^maintenance (\{.*\})$/gm)].map((m) => JSON.parse(m[1]!) as MaintenanceReport);

/** Expired uploads with a blob each, committed in one transaction; resolves with their ids. */
async function expiredUploads(): Promise<string[]> {
  const ids = Array.from({ length: EXPIRED }, () => randomBytes(16).toString("hex"));
  const writer = new pg.Client({ connectionString: cluster.urlFor(database) });
  await writer.connect();
  try {
    await writer.query("BEGIN");
    for (const id of ids) {
      await writer.query("INSERT INTO uploads (id, parts, bytes, expires_day) VALUES ($1, 1, 100, '2000-01-01')", [id]);
      await writer.query("INSERT INTO blob_chunks (kind, id, start, data) VALUES ('uploads', $1, 0, $2)", [id, randomBytes(100)]);
    }
    await writer.query("COMMIT");
  } finally {
    await writer.end();
  }
  return ids;
}

async function remaining(ids: string[]): Promise<{ uploads: number; chunks: number }> {
  const uploads = (await client.query<{ n: number }>("SELECT count(*)::int AS n FROM uploads WHERE id = ANY($1)", [ids])).rows[0]!.n;
  const chunks = (await client.query<{ n: number }>("SELECT count(*)::int AS n FROM blob_chunks WHERE id = ANY($1)", [ids])).rows[0]!.n;
  return { uploads, chunks };
}

/** Sessions of the nodes waiting for the test's table lock. */
async function waitingOnTableLock(): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
  );
  return rows[0]!.n;
}

/** Holds `attachments` until the returned function is called; every maintenance run waits there meanwhile. */
async function holdAttachments(): Promise<() => Promise<void>> {
  await client.query("BEGIN");
  await client.query("LOCK TABLE attachments IN ACCESS EXCLUSIVE MODE");
  return async () => {
    await client.query("ROLLBACK");
  };
}

/**
 * With `attachments` held: waits until a node's run waits on it, then until the other node reports a
 * skipped turn (the waiting node reports nothing until its run ends); resolves with [holder, skipper].
 */
async function oneRunsOneSkips(): Promise<[ServerProcess, ServerProcess]> {
  await vi.waitFor(async () => expect(await waitingOnTableLock()).toBe(1), WAIT);
  const marks = nodes.map((n) => reportsOf(n).length);
  let skipper = -1;
  await vi.waitFor(() => {
    skipper = nodes.findIndex((n, i) => reportsOf(n).slice(marks[i]).some((r) => r.skipped));
    expect(skipper).toBeGreaterThanOrEqual(0);
  }, WAIT);
  const holder = nodes[1 - skipper]!;
  expect(reportsOf(holder).length).toBe(marks[1 - skipper]);
  return [holder, nodes[skipper]!];
}

it("runs the job on one node at a time: the other skips its turns, the expired uploads are deleted once", async () => {
  const marks = nodes.map((n) => reportsOf(n).length);
  const release = await holdAttachments();
  let ids: string[];
  try {
    const [holder, skipper] = await oneRunsOneSkips();
    // Written while the holder's run waits past the point where it deletes expired uploads: a later run
    // deletes them.
    ids = await expiredUploads();
    const holderAt = reportsOf(holder).length;
    // The maintenance lock is held, by one session (the holder's), while the holder waits mid-run.
    const locks = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = $1", [MAINTENANCE_LOCK_KEY.toString()]);
    expect(locks.rows[0]!.n).toBe(1);
    expect(reportsOf(holder).length).toBe(holderAt);
    // The skipper's turns did nothing.
    for (const r of reportsOf(skipper).slice(marks[nodes.indexOf(skipper)]).filter((x) => x.skipped)) expect(r).toEqual({ expiredUploads: 0, orphanBlobs: 0, skipped: true });
  } finally {
    await release();
  }

  // Released: the held run finishes, and every later turn of either node finds nothing left.
  const released = nodes.map((n) => reportsOf(n).length);
  await vi.waitFor(async () => {
    expect(await remaining(ids)).toEqual({ uploads: 0, chunks: 0 });
    for (const [i, n] of nodes.entries()) expect(reportsOf(n).slice(released[i]).filter((r) => !r.skipped).length).toBeGreaterThanOrEqual(2);
  }, WAIT);
  const since = nodes.flatMap((n, i) => reportsOf(n).slice(marks[i]));
  expect(since.filter((r) => r.expiredUploads > 0)).toEqual([{ expiredUploads: EXPIRED, orphanBlobs: 0 }]);
  for (const n of nodes) expect(n.output().toString()).not.toMatch(/failed|error/i);
});

it("does not keep the lock for a node that dies mid-run: the other node takes over", async () => {
  const marks = nodes.map((n) => reportsOf(n).length);
  const release = await holdAttachments();
  let ids: string[];
  let survivor: ServerProcess;
  try {
    const [holder, skipper] = await oneRunsOneSkips();
    ids = await expiredUploads();
    survivor = skipper;
    await holder.kill("SIGKILL");
    // The dead node's lock session ended, the lock with it: the survivor's next turn runs and waits on the
    // table too (beside the dead node's query, which PostgreSQL ends once the table is free).
    await vi.waitFor(async () => expect(await waitingOnTableLock()).toBe(2), WAIT);
  } finally {
    await release();
  }
  await vi.waitFor(async () => {
    expect(await remaining(ids)).toEqual({ uploads: 0, chunks: 0 });
    expect(reportsOf(survivor).slice(marks[nodes.indexOf(survivor)]).filter((r) => r.expiredUploads > 0)).toEqual([{ expiredUploads: EXPIRED, orphanBlobs: 0 }]);
  }, WAIT);
  expect(survivor.output().toString()).not.toMatch(/failed|error/i);
});
