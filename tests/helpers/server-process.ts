// Runs a sealdrop server in its own process, for tests that kill it or read all it prints:
// `node --import tsx server-process.ts DATA_DIR [CLIENT_DIR]`. Prints "listening URL" once ready.
import { startNodeServer } from "../../src/server/node/serve.js";

const [dataDir, clientDir] = process.argv.slice(2);
if (!dataDir) throw new Error("usage: server-process.ts DATA_DIR [CLIENT_DIR]");
const server = await startNodeServer({ dataDir, port: 0, host: "127.0.0.1", ...(clientDir ? { clientDir } : {}) });
process.stdout.write(`listening ${server.url}\n`);
process.once("SIGTERM", () => void server.close().then(() => process.exit(0)));
