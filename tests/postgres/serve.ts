// `sealdrop serve` as a real process (bin/sealdrop.js), on PostgreSQL or SQLite, with all it prints kept.
import { type ChildProcess, spawn } from "node:child_process";
import { BIN, runCli, testEnv } from "../cli/helpers.js";

export interface Served {
  child: ChildProcess;
  url: string;
  /** stdout and stderr so far. */
  output(): string;
  /** True while the process runs. */
  alive(): boolean;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export function serve(args: string[], env: Record<string, string> = {}): Promise<Served> {
  const full: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...testEnv(), ...env })) if (v !== undefined) full[k] = v;
  const child = spawn(process.execPath, [BIN, "serve", "--port", "0", ...args], { env: full, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const alive = () => child.exitCode === null && child.signalCode === null;
  return new Promise((resolve, reject) => {
    child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
    child.stdout!.on("data", (c: Buffer) => {
      output += c.toString();
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url)
        resolve({
          child,
          url,
          output: () => output,
          alive,
          stop: () =>
            new Promise((done) => {
              if (!alive()) return done(child.exitCode);
              child.once("exit", (code) => done(code));
              child.kill("SIGTERM");
            }),
        });
    });
    child.once("exit", (code) => reject(new Error(`sealdrop serve exited (${code}): ${output}`)));
  });
}

/** `sealdrop init --server URL --setup-token TOKEN` into `home`: a newsroom with one desk, classic keys. */
export async function initRemote(url: string, token: string, home: string): Promise<void> {
  const r = await runCli(["init", "--server", url, "--setup-token", token, "--name", "Border Desk", "--desk", "news", "--editor-name", "Test Editor", "--classic", "--home", home]);
  if (r.code !== 0) throw new Error(`sealdrop init failed: ${r.stderr}`);
}
