// The CLI's helper threads (key derivation, first indexing, hashing large attachments) run plain
// CommonJS text, so they behave the same from the TypeScript sources and from the bundled command.
import { Worker } from "node:worker_threads";

/**
 * A worker thread running `source` (CommonJS text) with `workerData`. It gets none of the command's own
 * Node flags: `--input-type=module` among them would make Node read the text as a module.
 */
export const evalWorker = (source: string, workerData: unknown): Worker => new Worker(source, { eval: true, execArgv: [], workerData });
