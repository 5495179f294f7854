// Runs the Node server in its own process with a given page build, so a test can read everything the
// server prints: `tsx server-process.ts DATA_DIR CLIENT_DIR`. Prints "listening URL" once ready.
import { startNodeServer } from "../../src/server/node/serve.js";

const [dataDir, clientDir] = process.argv.slice(2);
if (!dataDir || !clientDir) throw new Error("usage: server-process.ts DATA_DIR CLIENT_DIR");
const server = await startNodeServer({ dataDir, clientDir, port: 0, host: "127.0.0.1" });
process.stdout.write(`listening ${server.url}\n`);
process.once("SIGTERM", () => void server.close().then(() => process.exit(0)));
