// docs/DEPLOY.md's primary and streaming replica ("A primary and a streaming replica"), with Debian's
// binaries and the documented commands as written, on 127.0.0.1 instead of 10.0.0.x: the primary gets its
// replication role, slot, postgresql.conf and hostssl pg_hba.conf line; the replica is made by pg_basebackup
// -R and streams over TLS. A tip sent through a node on the primary appears on the replica, rows and blob
// bytes; with synchronous_standby_names naming the replica and the replica stopped, a write waits for it
// (no error) and completes when it is back. Then the documented failover: the address the node's URL names
// is moved to the replica (a TCP forwarder stands for the DNS name or HAProxy), where the node reports
// `"blobs": "unavailable"` while it is a standby; once `pg_ctl promote` makes it the primary, the same
// node, not restarted, takes a tip again.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, readFileSync, writeFileSync, appendFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { randomBytes } from "../../src/core/bytes.js";
import { type RunningServer, startNodeServer } from "../../src/server/node/serve.js";
import { openPostgresDatabase } from "../../src/server/postgres/database.js";
import { acquireCluster, freePort, type PostgresCluster, postgresBinDir, postgresUser, releaseCluster } from "../helpers/backends.js";
import { freshFetch } from "../helpers/http.js";
import { seedNewsroom } from "../helpers/newsroom.js";
import { submitTip } from "../helpers/source.js";
import { startTcpSwitch, type TcpSwitch } from "../helpers/tcp-switch.js";

const WAIT = { timeout: 60_000, interval: 100 };
const PASSWORD = randomBytes(12).reduce((s, b) => s + b.toString(16).padStart(2, "0"), "");

let primary: PostgresCluster;
let bin: string;
const user = postgresUser();
const asUser = user ? { uid: user.uid, gid: user.gid } : {};
let replicaRoot: string;
let replicaData: string;
let replicaPort: number;
let replica: ChildProcess | undefined;
let replicaLog = "";
let database: string;
let address: TcpSwitch;
let node: RunningServer | undefined;
let basebackup: { status: number | null; output: string };
let tip: { id: string } | undefined;
let waited: { id: string } | undefined;

/** Runs a PostgreSQL program as the user that owns the clusters (as `sudo -u postgres …` does). */
function run(program: string, args: string[], env: Record<string, string> = {}): { status: number | null; output: string } {
  // HOME: libpq reads ~/.postgresql, which must be the postgres user's, not root's.
  const out = spawnSync(join(bin, program), args, { ...asUser, encoding: "utf8", env: { ...process.env, HOME: replicaRoot ?? tmpdir(), ...env } });
  return { status: out.status, output: `${out.stdout}${out.stderr}` };
}

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

const replicaUrl = (db: string) => `postgres://sealdrop@127.0.0.1:${replicaPort}/${db}`;

beforeAll(async () => {
  primary = await acquireCluster();
  bin = postgresBinDir();
  const own = (path: string) => user && chownSync(path, user.uid, user.gid);

  // Primary, as documented: TLS on (a self-signed certificate stands for the operator's), the settings, and
  // the one pg_hba.conf line replication may use (the test's own superuser keeps trust on 127.0.0.1).
  const cert = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", join(primary.dataDir, "server.key"), "-out", join(primary.dataDir, "server.crt")], { encoding: "utf8" });
  expect(cert.status, cert.stderr).toBe(0);
  for (const f of ["server.key", "server.crt"]) own(join(primary.dataDir, f));
  chmodSync(join(primary.dataDir, "server.key"), 0o600);
  appendFileSync(join(primary.dataDir, "postgresql.conf"), "\nwal_level = replica\nmax_wal_senders = 5\nssl = on\narchive_mode = off\n");
  writeFileSync(join(primary.dataDir, "pg_hba.conf"), "hostssl replication replicator 127.0.0.1/32 scram-sha-256\nlocal all all trust\nhost all all 127.0.0.1/32 trust\n");
  await primary.restart();
  for (const command of ["CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '" + PASSWORD + "'", "SELECT pg_create_physical_replication_slot('replica1')"]) {
    const psql = run("psql", [primary.adminUrl, "-v", "ON_ERROR_STOP=1", "-c", command]);
    expect(psql.status, psql.output).toBe(0);
  }

  // Replica: an empty data directory filled from the primary, -R writing standby.signal and primary_conninfo.
  replicaRoot = await mkdtemp(join(tmpdir(), "sealdrop-replica-"));
  own(replicaRoot);
  replicaData = join(replicaRoot, "main");
  basebackup = run(
    "pg_basebackup",
    ["-h", "127.0.0.1", "-p", String(primary.port), "-U", "replicator", "-D", replicaData, "-R", "-X", "stream", "-S", "replica1", "-P", "-d", "application_name=replica1"],
    { PGPASSWORD: PASSWORD },
  );
  expect(basebackup.status, basebackup.output).toBe(0);
  replicaPort = await freePort();
  await startReplica();
});

async function startReplica(): Promise<void> {
  replica = spawn(join(bin, "postgres"), ["-D", replicaData, "-p", String(replicaPort), "-k", replicaRoot, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"], {
    ...asUser,
    // Its WAL receiver is a libpq client too (see run).
    env: { ...process.env, HOME: replicaRoot },
    stdio: ["ignore", "pipe", "pipe"],
  });
  replica.stdout!.on("data", (d) => (replicaLog += d));
  replica.stderr!.on("data", (d) => (replicaLog += d));
  await vi.waitFor(async () => {
    expect(replica!.exitCode, replicaLog).toBeNull();
    await query(replicaUrl("postgres"), "SELECT 1");
  }, WAIT);
}

async function stopReplica(): Promise<void> {
  if (!replica || replica.exitCode !== null || replica.signalCode !== null) return;
  const exited = new Promise((done) => replica!.once("exit", done));
  replica.kill("SIGINT");
  await exited;
}

afterAll(async () => {
  await node?.close();
  await address?.close();
  await stopReplica();
  if (database) await primary.dropDatabase(database);
  await releaseCluster();
  if (replicaRoot) await rm(replicaRoot, { recursive: true, force: true });
});

it("makes a replica with the documented pg_basebackup -R that streams from the primary over TLS, through its slot", async () => {
  expect(existsSync(join(replicaData, "standby.signal"))).toBe(true);
  const auto = readFileSync(join(replicaData, "postgresql.auto.conf"), "utf8");
  expect(auto).toMatch(/primary_conninfo = '.*application_name=replica1/);
  expect(auto).toContain("primary_slot_name = 'replica1'");
  // The documented check, on the replica.
  await vi.waitFor(async () => {
    expect(await query(replicaUrl("postgres"), "SELECT status, sender_host FROM pg_stat_wal_receiver"), replicaLog).toEqual([{ status: "streaming", sender_host: "127.0.0.1" }]);
  }, WAIT);
  const senders = await query(primary.adminUrl, "SELECT r.application_name, r.state, s.ssl FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid)");
  expect(senders).toEqual([{ application_name: "replica1", state: "streaming", ssl: true }]);
  expect(await query(primary.adminUrl, "SELECT slot_name, active FROM pg_replication_slots")).toEqual([{ slot_name: "replica1", active: true }]);
});

it("has on the synchronous replica a tip sent through a node on the primary, rows and blob bytes", async () => {
  // synchronous_standby_names = 'replica1': the application_name the replica connects with.
  await query(primary.adminUrl, "ALTER SYSTEM SET synchronous_standby_names = 'replica1'");
  await query(primary.adminUrl, "SELECT pg_reload_conf()");
  await vi.waitFor(async () => expect(await query(primary.adminUrl, "SELECT sync_state FROM pg_stat_replication")).toEqual([{ sync_state: "sync" }]), WAIT);

  database = await primary.createDatabase();
  // The test cluster runs with synchronous_commit off for speed; this database keeps the documented `on`.
  await query(primary.adminUrl, `ALTER DATABASE ${database} SET synchronous_commit = on`);
  const db = await openPostgresDatabase(primary.urlFor(database));
  await seedNewsroom(db).finally(() => db.destroy());
  address = await startTcpSwitch(primary.port);
  node = await startNodeServer({ dataDir: replicaRoot, port: 0, host: "127.0.0.1", database: `postgres://sealdrop@127.0.0.1:${address.port}/${database}` });
  const file = { name: "scan.jpg", type: "image/jpeg", bytes: randomBytes(300_000) };
  const sent = await submitTip(node.url, "through the primary", [file]);
  tip = sent;

  // The replica replays the tip, rows and blob bytes alike.
  const stored = (url: string) =>
    query<{ id: string; bytes: number }>(
      url,
      `SELECT s.id, (SELECT sum(octet_length(c.data))::int FROM attachments a JOIN blob_chunks c ON c.kind = 'attachments' AND c.id = a.id WHERE a.submission_id = s.id) AS bytes
       FROM submissions s WHERE s.id = $1`,
      [sent.id],
    );
  const onPrimary = await stored(primary.urlFor(database));
  expect(onPrimary).toHaveLength(1);
  expect(onPrimary[0]!.bytes).toBeGreaterThan(file.bytes.length);
  await vi.waitFor(async () => expect(await stored(replicaUrl(database))).toEqual(onPrimary), WAIT);
  expect(await query(replicaUrl(database), "SELECT pg_is_in_recovery() AS standby")).toEqual([{ standby: true }]);
});

it("with the synchronous replica down, makes a write wait for it (no error, no receipt) and completes it once the replica is back", async () => {
  await stopReplica();
  let settled = false;
  const pending = submitTip(node!.url, "while the replica is down").finally(() => (settled = true));
  // A commit of the node waits in PostgreSQL for the replica.
  await vi.waitFor(async () => expect((await query<{ n: number }>(primary.adminUrl, "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event = 'SyncRep'"))[0]!.n).toBeGreaterThan(0), WAIT);
  expect(settled).toBe(false);
  // Reads go on, and the node is healthy: a balancer keeps it.
  expect((await freshFetch(`${node!.url}/api/health`)).status).toBe(200);
  await startReplica();
  const receipt = await pending;
  expect(await query(primary.urlFor(database), "SELECT id FROM submissions WHERE id = $1", [receipt.id])).toEqual([{ id: receipt.id }]);
  waited = receipt;
  await query(primary.adminUrl, "ALTER SYSTEM RESET synchronous_standby_names");
  await query(primary.adminUrl, "SELECT pg_reload_conf()");
});

it("fails over as documented: a standby answers health with blobs unavailable, and once promoted the same node takes tips", async () => {
  const health = async () => {
    const res = await freshFetch(`${node!.url}/api/health`);
    return { status: res.status, body: (await res.json()) as { status: string; database: string; blobs: string } };
  };
  expect(await health()).toEqual({ status: 200, body: { status: "ok", database: "ok", blobs: "ok" } });

  address.moveTo(replicaPort);
  await vi.waitFor(async () => expect(await health()).toEqual({ status: 503, body: { status: "unavailable", database: "ok", blobs: "unavailable" } }), WAIT);

  const promote = run("pg_ctl", ["promote", "-D", replicaData]);
  expect(promote.status, promote.output).toBe(0);
  await vi.waitFor(async () => expect(await health()).toEqual({ status: 200, body: { status: "ok", database: "ok", blobs: "ok" } }), WAIT);
  const after = await submitTip(node!.url, "after the failover");
  const rows = await query<{ id: string }>(replicaUrl(database), "SELECT id FROM submissions ORDER BY id");
  expect(rows.map((r) => r.id).sort()).toEqual([tip!.id, waited!.id, after.id].sort());
});
