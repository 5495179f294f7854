// The vault bundle: what `export` writes and `import` reads, checked whole before anything is stored.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { beforeAll, describe, expect, it } from "vitest";
import { fromUtf8, utf8 } from "../../src/core/bytes.js";
import { sealBytes } from "../../src/core/envelope.js";
import { type Bundle, decodeBundle, encodeBundle } from "../../src/cli/bundle.js";
import { Vault } from "../../src/cli/vault.js";
import { runInProcess, tempDir } from "./helpers.js";

let bundle: Bundle;
const id = (n: number) => n.toString(16).padStart(32, "0");

beforeAll(async () => {
  const recipient = await identityToRecipient(await generateX25519Identity());
  const age = (text: string) => sealBytes(utf8(text), [recipient]);
  bundle = {
    submissions: [
      { id: id(1), desk: "news", day: "2025-03-01", envelopeSize: 100, envelope: await age("one") },
      { id: id(2), desk: "investigations", day: "2025-03-02", envelopeSize: 200, envelope: await age("two") },
    ],
    attachments: [{ id: id(3), submissionId: id(1), position: 0, size: 300, data: await age("three") }],
  };
});

async function vaultWith(b: Bundle): Promise<string> {
  const file = join(await tempDir(), "home", "vault.sqlite");
  const vault = await Vault.open(file);
  await vault.putAll(b.submissions, b.attachments);
  await vault.close();
  return file;
}

describe("vault bundle", () => {
  it("decodes to exactly what was encoded", () => {
    const decoded = decodeBundle(encodeBundle(bundle));
    expect(decoded).toEqual(bundle);
  });

  it("is JSON lines with a header, one record per line, and an end line", () => {
    const lines = fromUtf8(encodeBundle(bundle)).trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ sealdrop: "vault-bundle-v1", submissions: 2, attachments: 1 });
    expect(Object.keys(lines[1])).toEqual(["submission"]);
    expect(Object.keys(lines[3])).toEqual(["attachment"]);
    expect(lines[4].end.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ["cut short", (b: Uint8Array) => b.subarray(0, b.length - 10)],
    ["missing its last record", (b: Uint8Array) => { const text = fromUtf8(b).split("\n"); return utf8([...text.slice(0, 3), ...text.slice(4)].join("\n")); }],
    ["changed in one byte", (b: Uint8Array) => { const c = b.slice(); c[120]! ^= 1; return c; }],
    ["empty", () => new Uint8Array()],
    ["not a bundle", () => utf8("hello\n")],
  ])("is refused when %s", (_, damage) => {
    expect(() => decodeBundle(damage(encodeBundle(bundle)))).toThrow(/damaged or incomplete bundle/);
  });

  it("export and import move every record between vaults, idempotently", async () => {
    const source = await vaultWith(bundle);
    const dir = await tempDir();
    const file = join(dir, "out.bundle");
    expect((await runInProcess(["export", "--home", join(source, ".."), "--out", file])).code).toBe(0);
    const first = await runInProcess(["import", file, "--home", join(dir, "offline"), "--json"]);
    expect(JSON.parse(first.stdout)).toMatchObject({ newSubmissions: 2, newAttachments: 1 });
    const second = await runInProcess(["import", file, "--home", join(dir, "offline"), "--json"]);
    expect(JSON.parse(second.stdout)).toMatchObject({ newSubmissions: 0, newAttachments: 0 });
    const vault = await Vault.open(join(dir, "offline", "vault.sqlite"));
    expect(await vault.submissions()).toEqual([...bundle.submissions].reverse());
    expect(await vault.attachments()).toEqual(bundle.attachments);
    await vault.close();
  });

  it("export refuses to overwrite a file", async () => {
    const source = await vaultWith(bundle);
    const file = join(await tempDir(), "exists.bundle");
    await writeFile(file, "keep me");
    const result = await runInProcess(["export", "--home", join(source, ".."), "--out", file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/already exists/);
  });

  it("import refuses an attachment whose submission is nowhere, and stores nothing", async () => {
    const orphan = { submissions: [bundle.submissions[1]!], attachments: bundle.attachments };
    const dir = await tempDir();
    await writeFile(join(dir, "orphan.bundle"), encodeBundle(orphan));
    const result = await runInProcess(["import", join(dir, "orphan.bundle"), "--home", join(dir, "home")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/belongs to a submission that is neither in the bundle nor in the vault/);
    const vault = await Vault.open(join(dir, "home", "vault.sqlite"));
    expect(await vault.submissions()).toEqual([]);
    await vault.close();
  });
});
