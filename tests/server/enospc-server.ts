// The server of tests/server/enospc.test.ts in its own process (which that test starts inside a mount
// namespace whose blob directory is a tiny tmpfs): `node --import tsx enospc-server.ts DATA_DIR`.
// Prints "listening URL" once ready; SIGTERM stops it.
import { startNodeServer } from "../../src/server/node/serve.js";

const [dataDir] = process.argv.slice(2);
if (!dataDir) throw new Error("usage: enospc-server.ts DATA_DIR");
const server = await startNodeServer({ dataDir, port: 0, host: "127.0.0.1", pow: false, rateLimits: false });
process.stdout.write(`listening ${server.url}\n`);
process.once("SIGTERM", () => void server.close().then(() => process.exit(0)));
