// A sealdrop server process serving a given build of the page, with all of its output captured.
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const SCRIPT = fileURLToPath(new URL("./server-process.ts", import.meta.url));
// Node itself with tsx's loader, not the tsx wrapper: the wrapper runs the server as a grandchild,
// which a signal to the wrapper may leave running.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export interface PageServer {
  url: string;
  child: ChildProcess;
  /** Everything the server wrote to stdout and stderr so far. */
  output(): Buffer;
  stop(): Promise<void>;
}

export function startPageServer(dataDir: string, clientDir: string): Promise<PageServer> {
  const child = spawn(process.execPath, ["--import", TSX_LOADER, SCRIPT, dataDir, clientDir], { stdio: ["ignore", "pipe", "pipe"] });
  const chunks: Buffer[] = [];
  const output = () => Buffer.concat(chunks);
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once("exit", () => done());
      child.kill("SIGTERM");
    });
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (c: Buffer) => {
      chunks.push(c);
      const match = /listening (http:\/\/\S+)/.exec(output().toString());
      if (match) resolve({ url: match[1]!, child, output, stop });
    });
    child.stderr!.on("data", (c: Buffer) => chunks.push(c));
    child.once("exit", (code) => reject(new Error(`server exited early (${code}): ${output().toString()}`)));
  });
}
