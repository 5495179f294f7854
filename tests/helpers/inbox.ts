// `sealdrop inbox` as a real subprocess: resolves once its first line (the address with the token) is out.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/sealdrop.js", import.meta.url));

export interface InboxProcess {
  /** The first line it printed: http://127.0.0.1:PORT/?token=… */
  url: string;
  origin: string;
  port: number;
  token: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export function spawnInbox(args: string[], env: Record<string, string | undefined>): Promise<InboxProcess> {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) if (v !== undefined) clean[k] = v;
  const child = spawn(process.execPath, [BIN, "inbox", ...args], { env: clean, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const output = () => `${stdout}${stderr}`;
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once("exit", () => done());
      child.kill("SIGTERM");
    });
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (c: Buffer) => {
      stdout += c.toString();
      const newline = stdout.indexOf("\n");
      if (newline < 0) return;
      const url = new URL(stdout.slice(0, newline));
      resolve({ url: url.href, origin: url.origin, port: Number(url.port), token: url.searchParams.get("token") ?? "", child, output, stop });
    });
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("exit", (code) => reject(new Error(`sealdrop inbox exited early (${code}): ${output()}`)));
  });
}
