// `npm run simulate -- --nodes N`: N `sealdrop serve` processes on one PostgreSQL database (the one
// --database names, else a throwaway server started from Debian's binaries as the tests start it),
// behind the tests' round-robin proxy, set up by the simulator with a fresh setup token. Beside the
// simulation's own figures it reports what the run cost each side: CPU seconds of the nodes and of
// PostgreSQL (its backends, living and ended), commits, and the write-ahead log written, which is where
// every blob byte goes once before its table.
import { readdirSync, readFileSync } from "node:fs";
import pg from "pg";
import { randomId } from "../../src/core/bytes.js";
import { acquireCluster, releaseCluster } from "../../tests/helpers/backends.js";
import { startRoundRobinProxy } from "../../tests/helpers/round-robin-proxy.js";
import { serve, type Served } from "../../tests/postgres/serve.js";

export interface NodeCosts {
  nodesCpuSeconds: number;
  postgresCpuSeconds: number;
  commits: number;
  walBytes: number;
}

export interface Nodes {
  url: string;
  setupToken: string;
  /** Starts counting; `costs()` then says what was spent since. */
  mark(): Promise<void>;
  costs(): Promise<NodeCosts>;
  close(): Promise<void>;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime (+ cutime + cstime with `children`) of a process, in seconds. */
function cpuSeconds(pid: number, children = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After "pid (comm) ": state is field 3, so utime (14) is index 11 here.
    const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
    return (utime! + stime! + (children ? cutime! + cstime! : 0)) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

/** The postmaster and every process it started (ended ones are in its children's times). */
function postgresCpu(postmaster: number): number {
  let total = cpuSeconds(postmaster, true);
  for (const name of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    const pid = Number(name);
    try {
      if (parentOf(pid) === postmaster) total += cpuSeconds(pid);
    } catch {
      /* ended meanwhile */
    }
  }
  return total;
}

export async function startNodes(count: number, database?: string): Promise<Nodes> {
  const cluster = database ? undefined : await acquireCluster();
  const name = cluster ? await cluster.createDatabase() : undefined;
  const url = database ?? cluster!.urlFor(name!);
  const setupToken = `setup-${randomId()}`;
  const nodes: Served[] = [];
  const admin = new pg.Client({ connectionString: url });
  try {
    for (let i = 0; i < count; i++) nodes.push(await serve(["--database", url], { SEALDROP_SETUP_TOKEN: setupToken }));
    await admin.connect();
  } catch (e) {
    for (const n of nodes) await n.stop();
    if (cluster) await releaseCluster();
    throw e;
  }
  const proxy = await startRoundRobinProxy(nodes.map((n) => n.url));
  const backend = Number((await admin.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid);
  const postmaster = parentOf(backend);
  const sample = async (): Promise<NodeCosts> => {
    const db = (await admin.query<{ commits: string; wal: string }>("SELECT xact_commit::text AS commits, pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text AS wal FROM pg_stat_database WHERE datname = current_database()")).rows[0]!;
    return {
      nodesCpuSeconds: nodes.reduce((sum, n) => sum + cpuSeconds(n.child.pid!), 0),
      postgresCpuSeconds: postgresCpu(postmaster),
      commits: Number(db.commits),
      walBytes: Number(db.wal),
    };
  };
  let start: NodeCosts | undefined;
  return {
    url: proxy.url,
    setupToken,
    mark: async () => {
      start = await sample();
    },
    costs: async () => {
      // pg_stat_database is updated when a backend reports; ask for a fresh snapshot.
      await admin.query("SELECT pg_stat_clear_snapshot()");
      const end = await sample();
      const from = start ?? { nodesCpuSeconds: 0, postgresCpuSeconds: 0, commits: 0, walBytes: 0 };
      return {
        nodesCpuSeconds: +(end.nodesCpuSeconds - from.nodesCpuSeconds).toFixed(2),
        postgresCpuSeconds: +(end.postgresCpuSeconds - from.postgresCpuSeconds).toFixed(2),
        commits: end.commits - from.commits,
        walBytes: end.walBytes - from.walBytes,
      };
    },
    close: async () => {
      await proxy.close();
      for (const n of nodes) await n.stop();
      await admin.end();
      if (cluster) {
        await cluster.dropDatabase(name!);
        await releaseCluster();
      }
    },
  };
}
