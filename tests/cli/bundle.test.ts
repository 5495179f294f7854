// The vault bundle: what `export` writes and `import` reads, checked whole before anything is stored.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "@noble/hashes/sha2.js";
import { fromUtf8, toHex, utf8 } from "../../src/core/bytes.js";
import { sealBytes } from "../../src/core/envelope.js";
import type { Bundle } from "../../src/cli/bundle.js";
import { readBundle } from "../../src/cli/bundle-read.js";
import { writeBundle } from "../../src/cli/bundle-write.js";
import { Vault } from "../../src/cli/vault.js";
import { encodeV2 } from "./bundle-fixtures.js";
import { runInProcess, tempDir } from "./helpers.js";

let bundle: Bundle;
const id = (n: number) => n.toString(16).padStart(32, "0");

beforeAll(async () => {
  const recipient = await identityToRecipient(await generateX25519Identity());
  const age = (text: string) => sealBytes(utf8(text), [recipient]);
  bundle = {
    roster: null,
    submissions: [
      { id: id(1), desk: "news", day: "2025-03-01", envelopeSize: 100, envelope: await age("one") },
      { id: id(2), desk: "investigations", day: "2025-03-02", envelopeSize: 200, envelope: await age("two") },
    ],
    attachments: [{ id: id(3), submissionId: id(1), position: 0, size: 300, data: await age("three") }],
    replies: [{ id: id(4), day: "2025-03-03", size: 400, data: await age("four") }],
    notes: [
      { id: id(6), day: "2025-03-03", size: 600, data: await age("six") },
      { id: id(5), day: "2025-03-03", size: 500, data: await age("five") },
    ],
  };
});

/** A bundle in the current format, as `export` writes it (no large attachments here; see bundle-large.test.ts). */
async function encodeBundle(b: Bundle): Promise<Uint8Array> {
  const file = join(await tempDir(), "b.bundle");
  await writeBundle(file, b, []);
  return new Uint8Array(await readFile(file));
}

async function decodeBundle(data: Uint8Array): Promise<Bundle> {
  const dir = await tempDir();
  await writeFile(join(dir, "b.bundle"), data);
  const { files, ...records } = await readBundle(join(dir, "b.bundle"), { stageDir: join(dir, "stage"), wanted: async () => true });
  expect(files).toEqual([]);
  return records;
}

async function vaultWith(b: Bundle): Promise<string> {
  const file = join(await tempDir(), "home", "vault.sqlite");
  const vault = await Vault.open(file);
  await vault.putAll(b.submissions, b.attachments, b);
  await vault.close();
  return file;
}

describe("vault bundle", () => {
  it("decodes to exactly what was encoded", async () => {
    const decoded = await decodeBundle(await encodeBundle(bundle));
    expect(decoded).toEqual(bundle);
  });

  it("is JSON lines with a header, one record per line, and an end line", async () => {
    const lines = fromUtf8(await encodeBundle(bundle)).trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ sealdrop: "vault-bundle-v4", submissions: 2, attachments: 1, replies: 1, notes: 2, files: 0, roster: 0 });
    expect(lines.slice(1).map((l) => Object.keys(l))).toEqual([["submission"], ["submission"], ["attachment"], ["reply"], ["note"], ["note"], ["end"]]);
    expect(lines[7].end.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("still reads a version 2 bundle, and version 2 is not what is written now", async () => {
    expect(await decodeBundle(encodeV2(bundle))).toEqual(bundle);
    expect(Buffer.compare(encodeV2(bundle), await encodeBundle(bundle))).not.toBe(0);
  });

  it("still reads a version 1 bundle, which has no replies or notes", async () => {
    const v1 = { ...bundle, replies: [], notes: [] };
    const text = fromUtf8(encodeV2(v1)).split("\n").slice(0, -2);
    text[0] = JSON.stringify({ sealdrop: "vault-bundle-v1", submissions: 2, attachments: 1 });
    const body = utf8(text.map((l) => `${l}\n`).join(""));
    const end = utf8(`${JSON.stringify({ end: { sha256: toHex(sha256(body)) } })}\n`);
    expect(await decodeBundle(new Uint8Array([...body, ...end]))).toEqual(v1);
  });

  it.each([
    ["cut short", (b: Uint8Array) => b.subarray(0, b.length - 10)],
    ["missing its last record", (b: Uint8Array) => { const text = fromUtf8(b).split("\n"); return utf8([...text.slice(0, 3), ...text.slice(4)].join("\n")); }],
    ["changed in one byte", (b: Uint8Array) => { const c = b.slice(); c[120]! ^= 1; return c; }],
    ["empty", () => new Uint8Array()],
    ["not a bundle", () => utf8("hello\n")],
    ["followed by more bytes", (b: Uint8Array) => new Uint8Array([...b, 0x7b, 0x0a])],
  ])("is refused when %s", async (_, damage) => {
    await expect(decodeBundle(damage(await encodeBundle(bundle)))).rejects.toThrow(/damaged or incomplete bundle/);
  });

  it("export and import move every record between vaults, idempotently", async () => {
    const source = await vaultWith(bundle);
    const dir = await tempDir();
    const file = join(dir, "out.bundle");
    expect((await runInProcess(["export", "--home", join(source, ".."), "--out", file])).code).toBe(0);
    const first = await runInProcess(["import", file, "--home", join(dir, "offline"), "--json"]);
    expect(JSON.parse(first.stdout)).toMatchObject({ newSubmissions: 2, newAttachments: 1, newReplies: 1, newNotes: 2 });
    const second = await runInProcess(["import", file, "--home", join(dir, "offline"), "--json"]);
    expect(JSON.parse(second.stdout)).toMatchObject({ newSubmissions: 0, newAttachments: 0, newReplies: 0, newNotes: 0 });
    const vault = await Vault.open(join(dir, "offline", "vault.sqlite"));
    expect(await vault.submissions()).toEqual([...bundle.submissions].reverse());
    expect(await vault.attachments()).toEqual(bundle.attachments);
    expect(await vault.items("replies")).toEqual(bundle.replies);
    // Notes keep the order they had in the exporting vault: it is the order they combine in.
    expect(await vault.items("notes")).toEqual(bundle.notes);
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
    const orphan = { submissions: [bundle.submissions[1]!], attachments: bundle.attachments, replies: [], notes: [] };
    const dir = await tempDir();
    await writeFile(join(dir, "orphan.bundle"), await encodeBundle(orphan));
    const result = await runInProcess(["import", join(dir, "orphan.bundle"), "--home", join(dir, "home")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/belongs to a submission that is neither in the bundle nor in the vault/);
    const vault = await Vault.open(join(dir, "home", "vault.sqlite"));
    expect(await vault.submissions()).toEqual([]);
    await vault.close();
  });
});
