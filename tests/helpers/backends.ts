// The PostgreSQL and workerd deployments for tests (Node + SQLite is in server.ts, which picks among the
// three): a real PostgreSQL server started here from Debian's binaries on a temporary directory and port,
// and workerd (`wrangler dev --local`, D1 and R2 persisted to a temporary directory). Each test server
// holds the test newsroom and can scan its stores for plaintext.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { randomId } from "../../src/core/bytes.js";
import { openPostgresDatabase } from "../../src/server/postgres/database.js";
import { type RunningServer, startNodeServer } from "../../src/server/node/serve.js";
import { uploadQuotasFromEnv } from "../../src/server/upload-quotas.js";
import { filesUnder, type TestServer, type TestServerOptions } from "./deployment.js";
import { freshFetch } from "./http.js";
import { seedNewsroom, setUpNewsroomOver } from "./newsroom.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const WRANGLER = join(ROOT, "node_modules", ".bin", "wrangler");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, child: ChildProcess, log: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited early:\n${log()}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not become ready in ${timeoutMs} ms:\n${log()}`);
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals, group = false): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    process.kill(group ? -child.pid : child.pid, signal);
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(group ? -child.pid! : child.pid!, "SIGKILL");
    } catch {
      /* gone */
    }
  }, 10_000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------------
// PostgreSQL

/**
 * Where the PostgreSQL server binaries are: $SEALDROP_PG_BIN, else the newest Debian
 * /usr/lib/postgresql/<version>/bin, else `pg_config --bindir`. scripts/ensure-postgres.sh installs them.
 */
export function postgresBinDir(): string {
  const fromEnv = process.env.SEALDROP_PG_BIN;
  if (fromEnv) return fromEnv;
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(join(debian, v, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(debian, versions[0], "bin");
  }
  const config = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" });
  if (config.status === 0 && existsSync(join(config.stdout.trim(), "initdb"))) return config.stdout.trim();
  throw new Error("PostgreSQL server binaries not found: run scripts/ensure-postgres.sh or set SEALDROP_PG_BIN");
}

/** postgres refuses to run as root: as root, run it as the `postgres` system user (Debian's package creates it). */
export function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (uid.status !== 0 || gid.status !== 0) throw new Error("running as root needs a `postgres` system user to run the test database");
  return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
}

export interface PostgresCluster {
  /** Superuser URL of the `postgres` database. */
  adminUrl: string;
  /** The data directory (postgresql.conf, pg_hba.conf) and the port on 127.0.0.1. */
  dataDir: string;
  port: number;
  urlFor(database: string): string;
  createDatabase(): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  /** pg_dump of one database, as SQL text. */
  dump(name: string): Buffer;
  /** `pg_ctl restart -m fast`: every session is ended (57P01) and the server is back when this resolves. */
  restart(): Promise<void>;
  /** `pg_ctl stop -m fast`, then `pg_ctl start`: the server is down between the two. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

const PG_ROLE = "sealdrop";

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  const user = postgresUser();
  const dir = await mkdtemp(join(tmpdir(), "sealdrop-pg-"));
  const data = join(dir, "data");
  if (user) chownSync(dir, user.uid, user.gid);
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  const init = spawnSync(join(bin, "initdb"), ["-D", data, "-U", PG_ROLE, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"], {
    ...asUser,
    encoding: "utf8",
  });
  if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}\n${init.stderr}`);
  const port = await freePort();
  let log = "";
  // Test data is thrown away: durability settings off for speed.
  const serverOptions = ["-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"];
  const child = spawn(join(bin, "postgres"), ["-D", data, ...serverOptions], { ...asUser, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const urlFor = (database: string) => `postgres://${PG_ROLE}@127.0.0.1:${port}/${database}`;
  const adminUrl = urlFor("postgres");
  // After a pg_ctl restart the server is pg_ctl's child, not ours: postmaster.pid names it.
  let viaPgCtl = false;
  const postmasterPid = (): number | undefined => {
    try {
      return Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]) || undefined;
    } catch {
      return undefined;
    }
  };
  const stopNow = () => {
    try {
      const pid = viaPgCtl ? postmasterPid() : child.exitCode === null ? child.pid : undefined;
      if (pid) process.kill(pid, "SIGQUIT");
    } catch {
      /* gone */
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const pgCtl = async (args: string[]): Promise<void> => {
    const ctl = spawn(join(bin, "pg_ctl"), ["-D", data, "-w", "-t", "60", ...args], { ...asUser, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    ctl.stdout!.on("data", (d) => (out += d));
    ctl.stderr!.on("data", (d) => (out += d));
    const code = await new Promise<number | null>((done) => ctl.once("exit", done));
    if (code !== 0) throw new Error(`pg_ctl ${args.join(" ")} failed (${code}):\n${out}`);
  };
  const logFile = join(dir, "restarted.log");
  const pgCtlStart = async (args: string[]) => {
    await pgCtl([...args, "-l", logFile, "-o", serverOptions.join(" ")]);
    viaPgCtl = true;
  };
  process.once("exit", stopNow);
  const admin = async <T>(work: (c: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  await waitFor("postgres", () => admin(async () => true), child, () => log, 30_000);
  return {
    adminUrl,
    dataDir: data,
    port,
    urlFor,
    async createDatabase() {
      const name = `sealdrop_${randomId().slice(0, 12)}`;
      await admin((c) => c.query(`CREATE DATABASE ${name}`));
      return name;
    },
    async dropDatabase(name) {
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
    dump(name) {
      const out = spawnSync(join(bin, "pg_dump"), ["--no-owner", urlFor(name)], { maxBuffer: 1 << 30 });
      if (out.status !== 0) throw new Error(`pg_dump failed: ${out.stderr}`);
      return out.stdout;
    },
    restart: () => pgCtlStart(["restart", "-m", "fast"]),
    pause: () => pgCtl(["stop", "-m", "fast"]),
    resume: () => pgCtlStart(["start"]),
    async stop() {
      process.removeListener("exit", stopNow);
      if (viaPgCtl) await pgCtl(["stop", "-m", "fast"]).catch(() => {});
      else await stopChild(child, "SIGINT");
      await rm(dir, { recursive: true, force: true });
    },
  };
}

let sharedCluster: Promise<PostgresCluster> | undefined;
let clusterUsers = 0;

/**
 * One PostgreSQL server shared by the test servers of a process, started on first use and stopped when the
 * last one releases it (vitest may end a test process without running exit handlers). Each test server
 * gets its own database on it.
 */
export async function acquireCluster(): Promise<PostgresCluster> {
  clusterUsers++;
  sharedCluster ??= startPostgresCluster();
  try {
    return await sharedCluster;
  } catch (e) {
    clusterUsers--;
    sharedCluster = undefined;
    throw e;
  }
}

export async function releaseCluster(): Promise<void> {
  if (--clusterUsers > 0 || !sharedCluster) return;
  const cluster = sharedCluster;
  sharedCluster = undefined;
  await (await cluster).stop();
}

// ---------------------------------------------------------------------------------------------------
// workerd

export interface RunningWorker {
  url: string;
  persistDir: string;
  /** Stops wrangler and workerd; the persist directory stays. */
  stop(): Promise<void>;
  /** Stops and removes the persist directory. */
  dispose(): Promise<void>;
}

function wrangler(args: string[], cwd = ROOT) {
  return spawnSync(WRANGLER, args, { cwd, encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" } });
}

/** `wrangler d1 migrations apply DB --local` into `persistDir`: the migrations/ files, as D1 applies them. */
export function applyD1Migrations(persistDir: string): void {
  const out = wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistDir]);
  if (out.status !== 0) throw new Error(`wrangler d1 migrations apply failed:\n${out.stdout}\n${out.stderr}`);
}

/** The D1 database file wrangler keeps under `persistDir` (miniflare's SQLite file). */
export async function d1DatabaseFile(persistDir: string): Promise<string> {
  const dir = join(persistDir, "v3", "d1", "miniflare-D1DatabaseObject");
  const files = (await readdir(dir)).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (files.length !== 1) throw new Error(`expected one D1 database file in ${dir}, found ${files.length}`);
  return join(dir, files[0]!);
}

/**
 * Starts the worker with `wrangler dev --local` on free ports, its D1 and R2 in a fresh temporary directory;
 * `assetsDir` serves that build of the page instead of wrangler.toml's dist/client.
 */
/**
 * `vars`: more worker variables (`--var NAME:value`), e.g. request budgets. `persistDir`: the D1 and R2 of
 * an earlier worker (stopped first: two workerd processes must not share one), already migrated.
 */
export async function startWorker(options: { setupToken: string; assetsDir?: string; vars?: Record<string, string>; persistDir?: string }): Promise<RunningWorker> {
  const persistDir = options.persistDir ?? (await mkdtemp(join(tmpdir(), "sealdrop-workerd-")));
  if (!options.persistDir) applyD1Migrations(persistDir);
  // wrangler.toml serves dist/client as assets and refuses to start without the directory.
  if (!existsSync(join(ROOT, "dist", "client"))) await import("node:fs/promises").then((fs) => fs.mkdir(join(ROOT, "dist", "client"), { recursive: true }));
  const port = await freePort();
  const inspectorPort = await freePort();
  let log = "";
  const child = spawn(
    WRANGLER,
    [
      "dev", "--local", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort),
      "--persist-to", persistDir, "--show-interactive-dev-session=false", "--live-reload=false", "--log-level", "warn",
      "--var", `SEALDROP_SETUP_TOKEN:${options.setupToken}`, "--var", "SEALDROP_HTTPS:false",
      ...(options.assetsDir ? ["--assets", options.assetsDir] : []),
      ...Object.entries(options.vars ?? {}).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
    ],
    { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" } },
  );
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const stopNow = () => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      /* gone */
    }
    rmSync(persistDir, { recursive: true, force: true });
  };
  process.once("exit", stopNow);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor("wrangler dev", async () => (await freshFetch(`${url}/api/newsroom`)).status > 0, child, () => log, 90_000);
  } catch (e) {
    stopNow();
    throw e;
  }
  const stop = async () => {
    process.removeListener("exit", stopNow);
    // wrangler starts workerd as a child: signal the whole process group this harness created.
    await stopChild(child, "SIGTERM", true);
  };
  return {
    url,
    persistDir,
    stop,
    async dispose() {
      await stop();
      await rm(persistDir, { recursive: true, force: true });
    },
  };
}

export interface BundledWorker {
  url: string;
  mf: import("miniflare").Miniflare;
  dispose(): Promise<void>;
}

/** The worker as `wrangler deploy --dry-run` bundles it, with a D1 migrated for it: what Miniflare runs. */
export interface WorkerBundle {
  /** A temporary folder holding the bundle and the persisted D1 and R2 state; the caller removes it. */
  dir: string;
  /** The bundle's one module, index.js. */
  contents: string;
  /** From wrangler.toml: what a deployed worker gets. */
  compatibilityDate: string;
  databaseId: string;
  /** The Durable Object class wrangler.toml binds as BUDGETS. */
  budgetsClass: string;
  d1Persist: string;
  r2Persist: string;
}

export async function bundleWorker(prefix: string): Promise<WorkerBundle> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  // wrangler.toml serves dist/client as assets and refuses to bundle without the directory.
  await mkdir(join(ROOT, "dist", "client"), { recursive: true });
  const built = wrangler(["deploy", "--dry-run", "--outdir", join(dir, "bundle")]);
  if (built.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${built.stdout}\n${built.stderr}`);
  applyD1Migrations(join(dir, "state"));
  const toml = await readFile(join(ROOT, "wrangler.toml"), "utf8");
  const member = (name: string) => new RegExp(`${name}\\s*=\\s*"([^"]+)"`).exec(toml)![1]!;
  return {
    dir,
    contents: await readFile(join(dir, "bundle", "index.js"), "utf8"),
    compatibilityDate: member("compatibility_date"),
    databaseId: member("database_id"),
    budgetsClass: member("class_name"),
    d1Persist: join(dir, "state", "v3", "d1"),
    r2Persist: join(dir, "state", "v3", "r2"),
  };
}

/**
 * The worker as `wrangler deploy` bundles it, run by Miniflare (workerd) on D1 and R2 that wrangler migrated,
 * with `bindings` as its variables. Miniflare rather than `wrangler dev`: only it can fire the `scheduled`
 * handler with a chosen `scheduledTime` (wrangler dev's trigger URLs either fix the time at now or fail to
 * pass the controller through its proxy).
 */
export async function startBundledWorker(bindings: Record<string, string>): Promise<BundledWorker> {
  const { Miniflare } = await import("miniflare");
  const bundle = await bundleWorker("sealdrop-scheduled-");
  const { dir } = bundle;
  const mf = new Miniflare({
    modules: [{ type: "ESModule", path: "index.js", contents: bundle.contents }],
    compatibilityDate: bundle.compatibilityDate,
    d1Databases: { DB: bundle.databaseId },
    d1Persist: bundle.d1Persist,
    r2Buckets: { BLOBS: "sealdrop-blobs" },
    r2Persist: bundle.r2Persist,
    bindings,
  });
  const url = (await mf.ready).toString().replace(/\/$/, "");
  return {
    url,
    mf,
    dispose: async () => {
      await mf.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface WorkerIsolates {
  /** One real HTTP address per isolate, each served by its own copy of the worker. */
  urls: string[];
  mf: import("miniflare").Miniflare;
  dispose(): Promise<void>;
}

/**
 * The bundled worker (as startBundledWorker builds it) loaded `count` times into one workerd, as workers
 * named isolate-0, isolate-1, …: each is its own isolate with its own module state (its own app, its own
 * in-memory locks), and all share one D1 database and one R2 bucket, as a deployment's isolates do. Each
 * isolate gets a direct socket, so a test can send requests to the one it chooses.
 */
export async function startWorkerIsolates(bindings: Record<string, string>, count: number): Promise<WorkerIsolates> {
  const { Miniflare } = await import("miniflare");
  const bundle = await bundleWorker("sealdrop-isolates-");
  const { dir } = bundle;
  const names = Array.from({ length: count }, (_, i) => `isolate-${i}`);
  const mf = new Miniflare({
    d1Persist: bundle.d1Persist,
    r2Persist: bundle.r2Persist,
    workers: names.map((name) => ({
      name,
      modules: [{ type: "ESModule" as const, path: "index.js", contents: bundle.contents }],
      compatibilityDate: bundle.compatibilityDate,
      d1Databases: { DB: bundle.databaseId },
      r2Buckets: { BLOBS: "sealdrop-blobs" },
      bindings,
      unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
    })),
  });
  await mf.ready;
  const urls = await Promise.all(names.map(async (name) => (await mf.unsafeGetDirectURL(name)).toString().replace(/\/$/, "")));
  return {
    urls,
    mf,
    dispose: async () => {
      await mf.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Test servers (tests/helpers/server.ts chooses among them)

/** The test newsroom in its own database on the shared cluster, served by the Node entry. */
export async function startPostgresTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const cluster = await acquireCluster();
  let database: string | undefined;
  let dataDir: string | undefined;
  let server: RunningServer;
  let editor: TestServer["editor"];
  try {
    database = await cluster.createDatabase();
    const db = await openPostgresDatabase(cluster.urlFor(database));
    ({ editor } = await seedNewsroom(db, options).finally(() => db.destroy()));
    dataDir = await mkdtemp(join(tmpdir(), "sealdrop-test-pg-"));
    server = await startNodeServer({ dataDir, port: 0, host: "127.0.0.1", clientDir: options.clientDir, database: cluster.urlFor(database), uploads: uploadQuotasFromEnv(options.env ?? {}), bodies: options.bodies });
  } catch (e) {
    if (database) await cluster.dropDatabase(database);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    await releaseCluster();
    throw e;
  }
  return {
    ...server,
    backend: "postgres",
    dataDir: dataDir!,
    databaseUrl: cluster.urlFor(database!),
    editor,
    storedBytes: async () => [{ where: `pg_dump ${database}`, bytes: cluster.dump(database!) }, ...(await filesUnder(dataDir!))],
    dispose: async () => {
      await server.close();
      await cluster.dropDatabase(database!);
      await releaseCluster();
      await rm(dataDir!, { recursive: true, force: true });
    },
  };
}

/** The test newsroom on workerd, set up by its setup request: D1 is not reachable from this process. */
export async function startWorkerdTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  if (options.bodies) throw new Error("bodies is a setting of the Node entry; workerd has no body gates of ours (docs/SECURITY.md)");
  const token = `setup-${randomId()}`;
  const worker = await startWorker({ setupToken: token, assetsDir: options.clientDir, vars: options.env });
  let editor: TestServer["editor"];
  try {
    ({ editor } = await setUpNewsroomOver(worker.url, token, options));
  } catch (e) {
    await worker.dispose();
    throw e;
  }
  return {
    url: worker.url,
    backend: "workerd",
    dataDir: worker.persistDir,
    editor,
    close: () => worker.stop(),
    dispose: () => worker.dispose(),
    storedBytes: () => filesUnder(worker.persistDir),
  };
}
