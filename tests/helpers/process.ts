// The Node server in exactly one OS process (node with tsx's loader, not the tsx wrapper, which would
// run the server as a grandchild that SIGKILL to the wrapper leaves serving).
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const SERVER_SCRIPT = fileURLToPath(new URL("./server-process.ts", import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the server wrote to stdout and stderr so far. */
  output(): Buffer;
  /** Sends `signal` (SIGKILL by default: a crash) and waits for the process to end. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** `serverOptions`: more startNodeServer options, as JSON (server-process.ts), e.g. `{ database: "postgres://…" }`. */
export function spawnServer(dataDir: string, options: { clientDir?: string; serverOptions?: Record<string, unknown> } = {}): Promise<ServerProcess> {
  const args = ["--import", TSX_LOADER, SERVER_SCRIPT, dataDir, ...(options.clientDir ? [options.clientDir] : [])];
  const env = options.serverOptions ? { ...process.env, SEALDROP_TEST_SERVER_OPTIONS: JSON.stringify(options.serverOptions) } : process.env;
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env });
  const chunks: Buffer[] = [];
  const output = () => Buffer.concat(chunks);
  const kill = (signal: NodeJS.Signals = "SIGKILL") =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once("exit", () => done());
      child.kill(signal);
    });
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (c: Buffer) => {
      chunks.push(c);
      const match = /listening (http:\/\/\S+)/.exec(output().toString());
      if (match) resolve({ url: match[1]!, child, output, kill });
    });
    child.stderr!.on("data", (c: Buffer) => chunks.push(c));
    child.once("exit", (code) => reject(new Error(`server exited early (${code}): ${output().toString()}`)));
  });
}
