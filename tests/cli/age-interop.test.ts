// DESIGN invariant 5: stored ciphertext decrypts with the reference `age` tool. The identity a classic
// editor exports is one the Debian `age` command reads.
import { execFile } from "node:child_process";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { Encrypter } from "age-encryption";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "./helpers.js";

const run = promisify(execFile);

describe("identity export --age", () => {
  it("writes a 0600 identity file that the age command uses to decrypt a file sent to the editor", async () => {
    const dir = await tempDir();
    const home = join(dir, "home");
    const init = await runCli(["init", "--name", "N", "--desk", "news", "--editor-name", "Alice", "--classic", "--home", home, "--data", join(dir, "data")]);
    expect(init.code).toBe(0);
    const out = join(dir, "alice.age-identity");
    const exported = await runCli(["identity", "export", "--age", "--out", out, "--home", home]);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toMatch(/NOT encrypted/);
    expect((await stat(out)).mode & 0o777).toBe(0o600);

    const text = await readFile(out, "utf8");
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe("# sealdrop editor Alice");
    expect(lines[2]).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]+$/);
    const recipient = /^# public key: (age1[0-9a-z]+)$/.exec(lines[1]!)![1]!;

    const e = new Encrypter();
    e.addRecipient(recipient);
    await writeFile(join(dir, "secret.age"), await e.encrypt("a tip for the desk"));
    const { stdout } = await run("age", ["-d", "-i", out, join(dir, "secret.age")]);
    expect(stdout).toBe("a tip for the desk");
  });

  it("refuses to replace an existing file", async () => {
    const dir = await tempDir();
    const home = join(dir, "home");
    expect((await runCli(["init", "--name", "N", "--desk", "news", "--editor-name", "A", "--classic", "--home", home, "--data", join(dir, "data")])).code).toBe(0);
    await writeFile(join(dir, "taken"), "x");
    const result = await runCli(["identity", "export", "--age", "--out", join(dir, "taken"), "--home", home]);
    expect(result.code).toBe(1);
    expect(await readFile(join(dir, "taken"), "utf8")).toBe("x");
  });
});
