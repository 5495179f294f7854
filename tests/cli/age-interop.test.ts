// Invariant 5 (docs/INVARIANTS.md): stored ciphertext decrypts with the reference `age` tool. The identity a classic
// editor exports is one the Debian `age` command reads, and what `pull` stores is plain age files.
import { execFile } from "node:child_process";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { Encrypter } from "age-encryption";
import SQLite from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { fromUtf8, utf8 } from "../../src/core/bytes.js";
import { unpad } from "../../src/core/padding.js";
import { startNodeServer } from "../../src/server/node/serve.js";
import { submitTip } from "../helpers/source.js";
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

  it("decrypts a real submission pulled into the vault, attachment included", async () => {
    const dir = await tempDir();
    const home = join(dir, "home");
    const server = await startNodeServer({ dataDir: join(dir, "data"), port: 0, host: "127.0.0.1" });
    try {
      const init = await runCli(["init", "--name", "N", "--desk", "news", "--editor-name", "Alice", "--classic", "--home", home, "--data", join(dir, "data"), "--server-url", server.url]);
      expect(init.code).toBe(0);
      const file = utf8("the attached document");
      await submitTip(server.url, "read me with age", [{ name: "doc.txt", type: "text/plain", bytes: file }]);
      expect((await runCli(["pull", "--home", home])).code).toBe(0);
    } finally {
      await server.close();
    }
    const identity = join(dir, "identity.txt");
    expect((await runCli(["identity", "export", "--age", "--out", identity, "--home", home])).code).toBe(0);
    const db = new SQLite(join(home, "vault.sqlite"), { readonly: true });
    const envelope = db.prepare("SELECT envelope FROM submissions").get() as { envelope: Buffer };
    const attachment = db.prepare("SELECT data FROM attachments").get() as { data: Buffer };
    db.close();
    await writeFile(join(dir, "envelope.age"), envelope.envelope);
    await writeFile(join(dir, "attachment.age"), attachment.data);

    const opened = await run("age", ["-d", "-i", identity, join(dir, "envelope.age")], { encoding: "buffer" });
    const message = JSON.parse(fromUtf8(unpad(new Uint8Array(opened.stdout))));
    expect(message).toMatchObject({ v: 1, message: "read me with age", attachments: [{ name: "doc.txt", size: 21 }] });
    const doc = await run("age", ["-d", "-i", identity, join(dir, "attachment.age")], { encoding: "buffer" });
    expect(fromUtf8(unpad(new Uint8Array(doc.stdout)))).toBe("the attached document");
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
