// Runs a sealdrop server in its own process (for crash tests): `tsx server-process.ts DATA_DIR`.
// Prints "listening URL" once ready.
import { startNodeServer } from "../../src/server/node/serve.js";

const dataDir = process.argv[2];
if (!dataDir) throw new Error("usage: server-process.ts DATA_DIR");
const server = await startNodeServer({ dataDir, port: 0, host: "127.0.0.1" });
process.stdout.write(`listening ${server.url}\n`);
