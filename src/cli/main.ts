// Entry point of the `sealdrop` command (bin/sealdrop.js imports this file).
import { processIo } from "./io.js";
import { run } from "./run.js";

const code = await run(process.argv.slice(2), processIo());
// Exit once output is flushed rather than waiting for idle keep-alive connections to time out.
const flush = (stream: NodeJS.WriteStream) => new Promise<void>((done) => (stream.destroyed || stream.writableEnded ? done() : stream.write("", () => done())));
await Promise.all([flush(process.stdout), flush(process.stderr)]);
process.exit(code);
