// The Node entry: embedded SQLite and files on disk under one data directory, or, with a postgres:// URL,
// everything in PostgreSQL (rows, blobs, upload locks) and nothing on this machine, so that any number of
// these nodes can serve one newsroom behind a load balancer. It only wires deps.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { serveStatic } from "@hono/node-server/serve-static";
import type { MiddlewareHandler } from "hono";
import { createApp } from "../app.js";
import type { Deps, ServerConfig } from "../deps.js";
import { groupCommit } from "../group-commit.js";
import { openServerDatabase } from "./database.js";
import { FsBlobStore } from "./fs-blob-store.js";
import { Maintenance, type MaintenanceReport } from "../maintenance.js";
import { advisoryLocks } from "../postgres/advisory-locks.js";
import { isPostgresUrl, openPostgresDatabase } from "../postgres/database.js";
import { postgresMaintenanceLock } from "../postgres/maintenance-lock.js";
import { PostgresBlobStore } from "../postgres/pg-blob-store.js";
import { postgresBudgets } from "../postgres/pg-budgets.js";
import { throttledLog } from "../throttled-log.js";
import { runEvery } from "./periodic.js";
import { startRestamping } from "./timestamps.js";

function requirePostgresUrl(database: string): string {
  if (!isPostgresUrl(database)) throw new Error("--database takes a postgres:// or postgresql:// URL");
  return database;
}

/** At most one "maintenance skipped" line per this interval (tests run the job every few hundred ms). */
const SKIPPED_LOG_INTERVAL_MS = 10 * 60_000;

export const DEFAULT_CLIENT_DIR = fileURLToPath(new URL("../../../dist/client/", import.meta.url));

export interface NodeServerOptions {
  /** SQLite's database and blob files; unused (nothing is written there) with `database`. */
  dataDir: string;
  port: number;
  host: string;
  clientDir?: string;
  setupToken?: string;
  https?: boolean;
  /** A `postgres://…` URL: rows, blobs and upload locks live in PostgreSQL, and nothing in `dataDir`. */
  database?: string;
  /** Proof of work and budgets for anonymous writes: on by default (docs/SECURITY.md). */
  pow?: ServerConfig["pow"];
  rateLimits?: ServerConfig["rateLimits"];
  /** What expires and when (retention.ts); swept by the maintenance job. Unset: nothing does. */
  retention?: ServerConfig["retention"];
  /** Quotas and lifetime of unfinished uploads (upload-quotas.ts); unset fields keep the defaults. */
  uploads?: ServerConfig["uploads"];
  /** The form for browsers without JavaScript (routes/nojs.ts): on by default. */
  nojs?: ServerConfig["nojs"];
  /** Body gates and the body idle time (body.ts, docs/SECURITY.md); unset fields keep the defaults. */
  bodies?: ServerConfig["bodies"];
  /**
   * Minutes between re-stamps of every file time under `dataDir` (timestamps.ts): the longest a file's
   * exact change time stays on disk. Default 60.
   */
  restampMinutes?: number;
  /** Minutes between runs of the maintenance job (maintenance.ts), which also runs at start. Default 60. */
  maintenanceMinutes?: number;
  /** Called with the report of every maintenance run, the start-up one included (skipped ones too). */
  onMaintenance?: (report: MaintenanceReport) => void;
  /** The server's clock; default the system's. Tests move it. */
  now?: () => Date;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function createNodeDeps(
  dataDir: string,
  options: Pick<NodeServerOptions, "setupToken" | "https" | "database" | "pow" | "rateLimits" | "retention" | "uploads" | "nojs" | "bodies" | "now"> = {},
): Promise<Deps> {
  const now = options.now ?? (() => new Date());
  const config: ServerConfig = { setupToken: options.setupToken, https: options.https ?? false, pow: options.pow, rateLimits: options.rateLimits, retention: options.retention, uploads: options.uploads, nojs: options.nojs, bodies: options.bodies };
  if (options.database) {
    // PostgreSQL commits each transaction durably itself (synchronous_commit), one per request.
    const db = await openPostgresDatabase(requirePostgresUrl(options.database));
    const blobs = new PostgresBlobStore(db);
    // Nodes on one PostgreSQL count anonymous writes in its tables too (postgres/pg-budgets.ts); one SQLite
    // process counts in its memory (the default).
    return { db, blobs, now, locks: advisoryLocks(db, blobs), budgets: postgresBudgets(db), config };
  }
  const { db, durable, scrub } = await openServerDatabase(dataDir);
  const blobs = await new FsBlobStore(join(dataDir, "blobs"), now).init();
  return {
    db,
    blobs,
    now,
    // SQLite commits one transaction at a time: submissions arriving together share one, and requests
    // answered together share one fsync of its log (database.ts).
    commit: groupCommit(db),
    durable,
    scrub,
    config,
  };
}

/**
 * The built page, with the .br/.gz copies the build writes beside each text file (scripts/vite/
 * precompress.ts) served to a browser that accepts them. `Vary` is set on every text file, compressed or
 * not, so nothing between here and the browser hands one encoding to a client that asked for another.
 */
function staticClient(root: string): MiddlewareHandler {
  const files = serveStatic({ root, precompressed: true, rewriteRequestPath: (p) => (p === "/" ? "/index.html" : p) });
  return async (c, next) => {
    const answered = await files(c, next);
    if (answered && /^(text\/|application\/(javascript|json))/.test(c.res.headers.get("content-type") ?? "") && !/accept-encoding/i.test(c.res.headers.get("vary") ?? "")) {
      c.res.headers.append("Vary", "Accept-Encoding");
    }
    return answered;
  };
}

export async function startNodeServer(options: NodeServerOptions): Promise<RunningServer> {
  const deps = await createNodeDeps(options.dataDir, options);
  // Before the app serves, nothing is being written: orphans left by a crash go at once. Not on
  // PostgreSQL, where other nodes may be writing right now: its orphans wait out the grace like any, and
  // a run takes the database's maintenance lock, so that nodes run the job one at a time.
  const lock = options.database ? postgresMaintenanceLock(options.database) : undefined;
  const maintenance = new Maintenance({ db: deps.db, blobs: deps.blobs, now: deps.now, retention: deps.config.retention, scrub: deps.scrub, lock });
  const logSkipped = throttledLog(SKIPPED_LOG_INTERVAL_MS, (_, more) => `sealdrop: maintenance skipped: another node is running it${more > 0 ? ` (and ${more} more skipped turns since the last line)` : ""}`, (l) => console.log(l));
  const report = (r: MaintenanceReport) => {
    if (r.skipped) logSkipped("skipped");
    options.onMaintenance?.(r);
  };
  report(await maintenance.run({ quiescent: !options.database }));
  const periodic = runEvery(options.maintenanceMinutes ?? 60, "maintenance", async () => report(await maintenance.run()));
  // File times exist only where there are files.
  const restamper = options.database ? { stop: async () => {} } : await startRestamping(options.dataDir, options.restampMinutes ?? 60, deps.now);
  const clientDir = options.clientDir ?? DEFAULT_CLIENT_DIR;
  const hasClient = existsSync(join(clientDir, "index.html"));
  if (!hasClient) console.warn(`sealdrop: no built source page in ${clientDir}; run "npm run build" to serve it.`);
  const app = createApp(deps, hasClient ? { client: staticClient(clientDir), sourcePage: () => readFile(join(clientDir, "index.html"), "utf8") } : {});
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, (info) => {
      const host = info.address.includes(":") ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${host}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => {
              void Promise.all([restamper.stop(), periodic.stop()])
                .then(() => deps.db.destroy())
                .then(() => done());
            });
          }),
      });
    });
  });
}
