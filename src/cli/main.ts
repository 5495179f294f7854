// Entry point of the `sealdrop` command (bin/sealdrop.js imports this file).
import { processIo } from "./io.js";
import { run } from "./run.js";

process.exitCode = await run(process.argv.slice(2), processIo());
