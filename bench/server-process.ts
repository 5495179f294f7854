// The sealdrop server for the benchmark, in its own process so its memory can be read from /proc:
// bench/run.ts bundles it (as scripts/build-cli.ts bundles the command) and runs it on plain Node: DATA_DIR CLIENT_DIR. Proof of work and rate limits are off
// (pow: false, rateLimits: false): the benchmark measures the server's own cost, not the abuse guard's.
import { startNodeServer } from "../src/server/node/serve.js";

const [dataDir, clientDir] = process.argv.slice(2);
if (!dataDir || !clientDir) throw new Error("usage: server-process.ts DATA_DIR CLIENT_DIR");
const server = await startNodeServer({ dataDir, clientDir, port: 0, host: "127.0.0.1", pow: false, rateLimits: false });
process.stdout.write(`listening ${server.url}\n`);
process.once("SIGTERM", () => void server.close().then(() => process.exit(0)));
