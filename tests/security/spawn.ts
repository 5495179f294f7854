// Kept for the security suites' imports: the one implementation lives in tests/helpers/process.ts.
export { spawnServer as spawnServerProcess, type ServerProcess as KillableServer } from "../helpers/process.js";
