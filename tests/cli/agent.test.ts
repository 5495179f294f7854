// The unlock agent (src/cli/agent.ts, `sealdrop unlock` / `sealdrop lock`), run as the shipped command in
// real subprocesses over a real Unix socket: commands run while it holds the key need no passphrase; its
// socket is the user's alone; the key is never in its arguments or environment; it ends on `lock`, at its
// time and on SIGTERM, removing its socket; a wrong passphrase starts nothing; an agent for another key
// file, one that hands a wrong key and one that hangs are all passed over for the passphrase.
import { readFileSync } from "node:fs";
import { readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import sodium from "libsodium-wrappers-sumo";
import { afterEach, describe, expect, it } from "vitest";
import { agentSocketPath, parseAgentDuration } from "../../src/cli/agent.js";
import { createEditor, readKeyFile, saveEditor, unlockEditor } from "../../src/cli/editor.js";
import { editorHome } from "../../src/cli/home.js";
import type { Io } from "../../src/cli/io.js";
import { startUnlocking } from "../../src/cli/unlock-early.js";
import { fromBase64, toBase64, toHex, utf8 } from "../../src/core/bytes.js";
import { PASSPHRASE, runCli, tempDir } from "./helpers.js";

const NO_PASSPHRASE = { SEALDROP_PASSPHRASE: undefined };

function captureIo(env: Record<string, string | undefined> = {}): Io & { errors: string[] } {
  const errors: string[] = [];
  return { out: () => {}, err: (t) => errors.push(t), env: { SEALDROP_KDF: "interactive", ...env }, cwd: process.cwd(), interactive: false, errors };
}

async function newHome() {
  const dir = await tempDir("sd-agent-");
  const editor = await createEditor("Alice", "http://127.0.0.1:8787", "Test News", true);
  await saveEditor(editorHome(dir), editor, PASSPHRASE, captureIo());
  return { dir, home: editorHome(dir), editor };
}

/** Whether the process runs: one that has exited but not yet been reaped by its new parent (a zombie) does not. */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

/** Resolves once the process has ended (checked each 50 ms; the test's own timeout bounds it). */
async function ended(pid: number): Promise<void> {
  while (alive(pid)) await new Promise((r) => setTimeout(r, 50));
}

const exists = (path: string) => stat(path).then(() => true, () => false);

async function statusPid(dir: string): Promise<number> {
  const status = await runCli(["unlock", "--status", "--home", dir]);
  const m = /agent process (\d+)/.exec(status.stdout);
  expect(m, status.stdout + status.stderr).not.toBeNull();
  return Number(m![1]);
}

const servers: Server[] = [];
const sockets: Socket[] = [];
const started: number[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  for (const pid of started.splice(0)) if (alive(pid)) process.kill(pid, "SIGTERM");
});

describe("the unlock agent", () => {
  it("serves the key to the commands run while it runs, never shows it, and forgets it on lock", async () => {
    const { dir, home, editor } = await newHome();
    const unlocked = await runCli(["unlock", "--home", dir, "--for", "5m"]);
    expect(unlocked.code, unlocked.stderr).toBe(0);
    expect(unlocked.stdout).toMatch(/^unlocked until \d\d:\d\d: commands on /);
    const pid = await statusPid(dir);
    started.push(pid);
    expect((await stat(agentSocketPath(home))).mode & 0o777).toBe(0o600);

    // A command in its own process, with no passphrase anywhere: the agent's key opens the key file.
    const exported = await runCli(["identity", "export", "--age", "--home", dir], { env: NO_PASSPHRASE });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain(editor.secrets.ageIdentity);
    // And the early path (unlock-early.ts) the listing commands take.
    const io = captureIo();
    await startUnlocking(io, { home: dir });
    expect((await unlockEditor(home, io, undefined)).secrets.ageIdentity).toBe(editor.secrets.ageIdentity);
    expect(io.errors).toEqual([]);

    // The key is in neither the agent's arguments nor its environment.
    const file = await readKeyFile(home);
    await sodium.ready;
    const key = sodium.crypto_pwhash(32, utf8(PASSPHRASE), fromBase64(file.kdf.salt), file.kdf.opslimit, file.kdf.memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13);
    for (const part of ["cmdline", "environ"]) {
      const shown = await readFile(`/proc/${pid}/${part}`);
      expect(shown.includes(Buffer.from(key))).toBe(false);
      expect(shown.toString("latin1")).not.toContain(toHex(key));
      expect(shown.toString("latin1")).not.toContain(toBase64(key));
      expect(shown.toString("latin1")).not.toContain(PASSPHRASE);
    }

    const locked = await runCli(["lock", "--home", dir]);
    expect(locked.stdout).toMatch(/^locked: the agent for .* has forgotten your key/);
    await ended(pid);
    expect(await exists(agentSocketPath(home))).toBe(false);
    const refused = await runCli(["identity", "export", "--age", "--home", dir], { env: NO_PASSPHRASE });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/no passphrase/);
    expect((await runCli(["lock", "--home", dir])).stdout).toMatch(/^nothing to lock/);
    expect((await runCli(["unlock", "--status", "--home", dir])).stdout).toMatch(/^locked: no unlock agent/);
  }, 60_000);

  it("refuses a wrong passphrase before starting anything", async () => {
    const { dir, home } = await newHome();
    const r = await runCli(["unlock", "--home", dir], { env: { SEALDROP_PASSPHRASE: "not the passphrase at all" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/wrong passphrase or damaged key file/);
    expect(await exists(agentSocketPath(home))).toBe(false);
    const bad = await runCli(["unlock", "--home", dir, "--for", "13d"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/\(bad_duration\)/);
  }, 60_000);

  it("ends at its time and on SIGTERM, removing its socket", async () => {
    const { dir, home } = await newHome();
    expect((await runCli(["unlock", "--home", dir, "--for", "10s"])).code).toBe(0);
    const pid = await statusPid(dir);
    started.push(pid);
    await ended(pid); // about 10 s after it started
    expect(await exists(agentSocketPath(home))).toBe(false);

    expect((await runCli(["unlock", "--home", dir, "--for", "1h"])).code).toBe(0);
    const second = await statusPid(dir);
    started.push(second);
    process.kill(second, "SIGTERM");
    await ended(second);
    expect(await exists(agentSocketPath(home))).toBe(false);
  }, 60_000);

  it("replaces a running agent when run again, and passes over one unlocked for another key file", async () => {
    const { dir, home, editor } = await newHome();
    expect((await runCli(["unlock", "--home", dir])).code).toBe(0);
    const first = await statusPid(dir);
    started.push(first);
    expect((await runCli(["unlock", "--home", dir, "--for", "2h"])).code).toBe(0);
    await ended(first);
    const second = await statusPid(dir);
    started.push(second);

    // An agent whose socket was taken away, then replaced by a new agent's, leaves the new one's socket when it ends.
    await rm(agentSocketPath(home));
    expect((await runCli(["unlock", "--home", dir])).code).toBe(0);
    const third = await statusPid(dir);
    started.push(third);
    process.kill(second, "SIGTERM");
    await ended(second);
    expect(await statusPid(dir)).toBe(third);

    // A new key file (another salt) in the home: the agent has no key for it, so the passphrase is needed.
    const other = await newHome();
    await writeFile(home.keyFile, await readFile(other.home.keyFile));
    await expect(unlockEditor(home, captureIo(), undefined)).rejects.toThrow(/no passphrase/);
    const io = captureIo({ SEALDROP_PASSPHRASE: PASSPHRASE });
    const opened = await unlockEditor(home, io, undefined);
    expect(opened.secrets.ageIdentity).toBe(other.editor.secrets.ageIdentity);
    expect(opened.secrets.ageIdentity).not.toBe(editor.secrets.ageIdentity);
    expect(io.errors).toEqual([]);
  }, 60_000);

  it("passes over a socket that hands a wrong key, saying so, and one that never answers", async () => {
    const { home, editor } = await newHome();
    let hung = false;
    const fake = createServer((sock) => {
      sockets.push(sock);
      sock.on("error", () => {});
      if (!hung) sock.end(Buffer.concat([Buffer.from("K"), Buffer.alloc(32, 7)]));
    });
    servers.push(fake);
    await new Promise<void>((r) => fake.listen(agentSocketPath(home), r));
    const io = captureIo({ SEALDROP_PASSPHRASE: PASSPHRASE });
    expect((await unlockEditor(home, io, undefined)).secrets.ageIdentity).toBe(editor.secrets.ageIdentity);
    expect(io.errors.join("\n")).toMatch(/warning: the unlock agent's key does not open .*editor\.key; asking for the passphrase/);

    hung = true; // accepts, then says nothing: given up after the reply timeout
    const quiet = captureIo({ SEALDROP_PASSPHRASE: PASSPHRASE });
    expect((await unlockEditor(home, quiet, undefined)).secrets.ageIdentity).toBe(editor.secrets.ageIdentity);
    expect(quiet.errors).toEqual([]);
  }, 60_000);

  it("reads --for as minutes, or with s, m or h, within 10 s and 12 h", () => {
    expect(parseAgentDuration(undefined)).toBe(1800);
    expect(parseAgentDuration("90")).toBe(5400);
    expect(parseAgentDuration("2h")).toBe(7200);
    expect(parseAgentDuration("45s")).toBe(45);
    for (const bad of ["5s", "13h", "1d", "-5m", "", "1.5h"]) expect(() => parseAgentDuration(bad), bad).toThrow(/--for/);
  });
});
