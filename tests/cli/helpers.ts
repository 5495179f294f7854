// Running the `sealdrop` command in tests: as a real subprocess (bin/sealdrop.js), or in-process through
// run() with captured output when a test needs many quick invocations.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";
import type { Io } from "../../src/cli/io.js";
import { run } from "../../src/cli/run.js";

export const BIN = fileURLToPath(new URL("../../bin/sealdrop.js", import.meta.url));
export const PASSPHRASE = "correct horse battery staple";

/** The environment every test invocation gets: fast KDF, a passphrase, and no real ~/.sealdrop. */
export function testEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { SEALDROP_KDF: "interactive", SEALDROP_PASSPHRASE: PASSPHRASE, SEALDROP_HOME: undefined, ...extra };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

// Every folder tempDir made for this test file (editor homes, vaults, bundles): removed once the file's tests
// and their own afterAll hooks are done (hooks run in reverse order, and this one is registered first), so no
// test key file or vault is left behind in the system's temporary folder.
// Outside vitest (scripts/simulate imports these helpers through tests/postgres/serve.ts) nothing is removed.
const made: string[] = [];
if (process.env.VITEST) {
  afterAll(async () => {
    await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
}

export async function tempDir(prefix = "sealdrop-cli-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Runs `node bin/sealdrop.js ...args` with no TTY and waits for it to exit. */
export function runCli(args: string[], options: { env?: Record<string, string | undefined>; cwd?: string } = {}): Promise<CliResult> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...testEnv(), ...options.env })) if (v !== undefined) env[k] = v;
  const child = spawn(process.execPath, [BIN, ...args], { env, cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs the CLI in this process with captured output. */
export async function runInProcess(args: string[], options: { env?: Record<string, string | undefined>; cwd?: string } = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    out: (t) => (stdout += t.endsWith("\n") ? t : `${t}\n`),
    err: (t) => (stderr += t.endsWith("\n") ? t : `${t}\n`),
    env: testEnv(options.env),
    cwd: options.cwd ?? process.cwd(),
    interactive: false,
  };
  const code = await run(args, io);
  return { code, stdout, stderr };
}
