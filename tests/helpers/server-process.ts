// Runs a sealdrop server in its own process, for tests that kill it or read all it prints:
// `node --import tsx server-process.ts DATA_DIR [CLIENT_DIR]`. Prints "listening URL" once ready.
// SEALDROP_TEST_SERVER_OPTIONS (JSON) adds startNodeServer options (a database URL, budgets, proof of work),
// and its `clock` (an ISO time) freezes the server's clock there; `reportMaintenance: true` prints each
// maintenance run's report as a line "maintenance {json}".
import type { MaintenanceReport } from "../../src/server/maintenance.js";
import { startNodeServer } from "../../src/server/node/serve.js";

const [dataDir, clientDir] = process.argv.slice(2);
if (!dataDir) throw new Error("usage: server-process.ts DATA_DIR [CLIENT_DIR]");
const { clock, reportMaintenance, ...extra } = JSON.parse(process.env.SEALDROP_TEST_SERVER_OPTIONS ?? "{}") as { clock?: string; reportMaintenance?: boolean } & Record<string, unknown>;
const frozen = clock === undefined ? {} : { now: () => new Date(clock) };
const reports = reportMaintenance ? { onMaintenance: (r: MaintenanceReport) => void process.stdout.write(`maintenance ${JSON.stringify(r)}\n`) } : {};
const server = await startNodeServer({ dataDir, port: 0, host: "127.0.0.1", ...(clientDir ? { clientDir } : {}), ...extra, ...frozen, ...reports });
process.stdout.write(`listening ${server.url}\n`);
process.once("SIGTERM", () => void server.close().then(() => process.exit(0)));
