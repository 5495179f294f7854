// The Node server in exactly one OS process (node --import tsx), so SIGKILL kills the server itself.
// (The tsx command is a wrapper that runs the script in a child; killing the wrapper with SIGKILL
// leaves that child serving.)
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const SERVER_SCRIPT = fileURLToPath(new URL("../helpers/server-process.ts", import.meta.url));

export interface KillableServer {
  url: string;
  child: ChildProcess;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnServerProcess(dataDir: string): Promise<KillableServer> {
  const child = spawn(process.execPath, ["--import", "tsx", SERVER_SCRIPT, dataDir], { stdio: ["ignore", "pipe", "pipe"], cwd: fileURLToPath(new URL("../..", import.meta.url)) });
  let output = "";
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (http:\/\/\S+)/.exec(output);
      if (match)
        resolve({
          url: match[1]!,
          child,
          kill: (signal = "SIGKILL") =>
            new Promise((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once("exit", () => done());
              child.kill(signal);
            }),
        });
    });
    child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
    child.once("exit", (code) => reject(new Error(`server exited early (${code}): ${output}`)));
  });
}
