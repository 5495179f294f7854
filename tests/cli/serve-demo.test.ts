// `sealdrop serve --demo`: a person can try the whole flow from one command, and the server logs no requests.
import { type ChildProcess, spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { submitTip } from "../helpers/source.js";
import { BIN, runCli, tempDir, testEnv } from "./helpers.js";

interface Served {
  child: ChildProcess;
  url: string;
  output: () => { stdout: string; stderr: string };
  stop(): Promise<number | null>;
}

const running: Served[] = [];

/** Starts `sealdrop serve` in `cwd` and resolves once `until` appears on stdout. */
function serve(cwd: string, args: string[], until: RegExp): Promise<Served> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...testEnv({ SEALDROP_PASSPHRASE: undefined }) })) if (v !== undefined) env[k] = v;
  const child = spawn(process.execPath, [BIN, "serve", "--port", "0", ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (c: Buffer) => {
      stdout += c.toString();
      const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      if (url && until.test(stdout)) {
        const served: Served = {
          child,
          url,
          output: () => ({ stdout, stderr }),
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done(child.exitCode);
              child.once("exit", (code) => done(code));
              child.kill("SIGTERM");
            }),
        };
        running.push(served);
        resolve(served);
      }
    });
    child.once("exit", (code) => reject(new Error(`serve exited (${code}): ${stdout}${stderr}`)));
  });
}

afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

describe("sealdrop serve --demo", () => {
  it("creates a demo newsroom and editor whose key reads tips sent to it, with a warning", async () => {
    const cwd = await tempDir();
    const server = await serve(cwd, ["--demo"], /sealdrop read ID/);
    const { stdout } = server.output();
    expect(stdout).toContain(`demo: created "Demo Newsroom" (desks news, investigations) and an editor key in ${join(cwd, "demo-editor", "editor.key")}`);
    expect(stdout).toContain("SEALDROP_PASSPHRASE=demo-passphrase npx sealdrop pull --home");
    await expect.poll(() => server.output().stderr).toMatch(/WARNING: .*demo-passphrase.*for trying sealdrop only/);
    expect((await stat(join(cwd, "demo-editor", "editor.key"))).mode & 0o777).toBe(0o600);

    const tip = await submitTip(server.url, "Trying the demo", [], "investigations");
    const env = { SEALDROP_PASSPHRASE: "demo-passphrase" };
    expect((await runCli(["pull", "--home", "demo-editor"], { cwd, env })).code).toBe(0);
    const listed = await runCli(["list", "--home", "demo-editor", "--json"], { cwd, env });
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: tip.id, desk: "investigations", firstLine: "Trying the demo" })]);

    // Nothing about the requests above reached the log.
    const after = server.output();
    expect(after.stdout + after.stderr).not.toMatch(/\/api\/|POST|GET|127\.0\.0\.1:\d+ -/);
    expect(await server.stop()).toBe(0);
  });

  it("leaves an existing newsroom alone", async () => {
    const cwd = await tempDir();
    await (await serve(cwd, ["--demo"], /sealdrop read ID/)).stop();
    const again = await serve(cwd, ["--demo"], /sealdrop read ID/);
    await expect.poll(() => again.output().stderr).toContain("demo: the database already has a newsroom; nothing to set up");
    expect(again.output().stdout).not.toContain("demo: created");
  });

  it("without --demo serves an empty database without creating anything", async () => {
    const cwd = await tempDir();
    const server = await serve(cwd, ["--data", "elsewhere"], /listening on/);
    const res = await fetch(`${server.url}/api/newsroom`);
    expect(res.status).toBe(404);
    await expect(stat(join(cwd, "demo-editor"))).rejects.toThrow();
    await expect(stat(join(cwd, "elsewhere", "sealdrop.sqlite"))).resolves.toBeDefined();
  });
});
