// Vault bundles carry the large attachments `pull` keeps as files in vault-files/: export streams them in,
// import checks each one's length and SHA-256 and stores nothing from a damaged or truncated bundle, and
// `read` on the offline machine then writes the attachment byte for byte. Real files, the real CLI.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { beforeAll, describe, expect, it } from "vitest";
import { randomId, toHex, utf8 } from "../../src/core/bytes.js";
import { type Envelope, sealBytes, sealEnvelope } from "../../src/core/envelope.js";
import { createEditor, saveEditor } from "../../src/cli/editor.js";
import { editorHome } from "../../src/cli/home.js";
import { writeBundle } from "../../src/cli/bundle-write.js";
import { Vault } from "../../src/cli/vault.js";
import { encodeV2 } from "./bundle-fixtures.js";
import { PASSPHRASE, runInProcess, tempDir, testEnv } from "./helpers.js";

const ids = { submission: randomId(), large: randomId(), small: randomId(), other: randomId(), reply: randomId() };
// Over three of the 1 MiB chunks bundles are read and written in, and not a multiple of one.
const plaintext = randomBytes(3 * (1 << 20) + 12_345);
const smallPlaintext = utf8("a small attachment, kept as a BLOB");
let root: string;
let online: string;
let sealedLarge: Uint8Array;
let bundleFile: string;

const manifest = (p: Uint8Array, name: string) => ({ name, type: "application/octet-stream", size: p.length, sha256: toHex(sha256(p)) });

/** A home with the editor's key, as on the offline machine before its first import. */
async function offlineHome(): Promise<string> {
  const home = join(await tempDir(), "offline");
  await mkdir(home, { recursive: true });
  await copyFile(join(online, "editor.key"), join(home, "editor.key"));
  return home;
}

/** Everything an import could change: the vault's rows and the files in the home. */
async function snapshot(home: string): Promise<unknown> {
  const list = async (dir: string): Promise<string[]> => (existsSync(dir) ? (await readdir(dir, { recursive: true })).sort() : []);
  if (!existsSync(join(home, "vault.sqlite"))) return { files: await list(home) };
  const vault = await Vault.open(join(home, "vault.sqlite"));
  try {
    const rows = {
      submissions: (await vault.submissions()).map((s) => s.id),
      attachments: (await vault.attachments()).map((a) => a.id),
      attachmentFiles: await vault.attachmentFiles(),
      replies: (await vault.items("replies")).map((r) => r.id),
    };
    const sizes = await Promise.all((await list(join(home, "vault-files"))).map(async (f) => [f, (await stat(join(home, "vault-files", f))).size]));
    return { rows, files: await list(home), sizes };
  } finally {
    await vault.close();
  }
}

/** A home that already holds one other submission, imported from an earlier bundle. */
async function homeWithOtherSubmission(): Promise<string> {
  const home = await offlineHome();
  const vault = await Vault.open(join(home, "vault.sqlite"));
  const recipient = await identityToRecipient(await generateX25519Identity());
  await vault.putSubmission({ id: ids.other, desk: "news", day: "2025-06-01", envelopeSize: 10, envelope: await sealBytes(utf8("other"), [recipient]) });
  await vault.close();
  return home;
}

beforeAll(async () => {
  root = await tempDir("sealdrop-bundle-large-");
  online = join(root, "online");
  const io = { out: () => {}, err: () => {}, env: testEnv(), cwd: root, interactive: false };
  const editor = await createEditor("Alice", "http://127.0.0.1:8787", "N", false);
  await saveEditor(editorHome(online), editor, PASSPHRASE, io);
  const envelope: Envelope = {
    v: 1,
    kind: "submission",
    desk: "news",
    message: "video attached",
    fields: {},
    attachments: [manifest(plaintext, "video.mp4"), manifest(smallPlaintext, "note.txt")],
    reply: null,
    client: "test",
    lang: "en",
  };
  const sealedEnvelope = await sealEnvelope(envelope, [editor.ageRecipient]);
  sealedLarge = await sealBytes(plaintext, [editor.ageRecipient]);
  const sealedSmall = await sealBytes(smallPlaintext, [editor.ageRecipient]);
  // What `pull` leaves for a large attachment: its age file in vault-files/ and a row naming it.
  const vault = await Vault.open(join(online, "vault.sqlite"));
  await vault.putSubmission({ id: ids.submission, desk: "news", day: "2025-06-02", envelopeSize: sealedEnvelope.length, envelope: sealedEnvelope });
  await mkdir(vault.filesDir, { recursive: true });
  const path = join(vault.filesDir, `${ids.large}.age`);
  await writeFile(path, sealedLarge);
  await vault.putAttachmentFile({ id: ids.large, submissionId: ids.submission, position: 0, size: sealedLarge.length, path });
  await vault.putAttachment({ id: ids.small, submissionId: ids.submission, position: 1, size: sealedSmall.length, data: sealedSmall });
  await vault.putItem("replies", { id: ids.reply, day: "2025-06-03", size: 99, data: await sealBytes(utf8("reply"), [editor.ageRecipient]) });
  await vault.close();

  bundleFile = join(root, "out", "vault.bundle");
  const exported = await runInProcess(["export", "--home", online, "--out", bundleFile]);
  expect(exported.stderr).toBe("");
  expect(exported.code).toBe(0);
  expect(exported.stdout).toMatch(/Wrote 1 submission\(s\), 2 attachment\(s\) \(1 large, \d+ bytes\), 1 reply\(s\)/);
});

describe("bundles with large attachments kept as files", () => {
  it("export writes one file, mode 0600, with the large attachment's bytes in it and no temporary file beside it", async () => {
    expect(await readdir(join(root, "out"))).toEqual(["vault.bundle"]);
    expect((await stat(bundleFile)).mode & 0o777).toBe(0o600);
    const bytes = await readFile(bundleFile);
    expect(bytes.indexOf(Buffer.from(sealedLarge))).toBeGreaterThan(0);
    expect(bytes.subarray(0, bytes.indexOf(0x0a)).toString()).toBe(JSON.stringify({ sealdrop: "vault-bundle-v4", submissions: 1, attachments: 1, replies: 1, notes: 0, files: 1, roster: 0 }));
  });

  it("import then read on the offline machine writes the large attachment byte for byte", async () => {
    const home = await offlineHome();
    const imported = await runInProcess(["import", bundleFile, "--home", home, "--json"]);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ newSubmissions: 1, newAttachments: 2, newReplies: 1, inBundle: { attachments: 2, largeAttachments: 1 } });
    expect(await readdir(join(home, "vault-files"))).toEqual([`${ids.large}.age`]);
    expect(Buffer.compare(await readFile(join(home, "vault-files", `${ids.large}.age`)), sealedLarge)).toBe(0);

    const out = join(home, "read");
    const read = await runInProcess(["read", ids.submission, "--home", home, "--out", out, "--json"]);
    expect(read.stderr).toBe("");
    expect(read.code).toBe(0);
    const shown = JSON.parse(read.stdout) as { attachments: { name: string; sha256: string; savedAs: string }[] };
    expect(shown.attachments.map((a) => [a.name, a.sha256])).toEqual([["video.mp4", toHex(sha256(plaintext))], ["note.txt", toHex(sha256(smallPlaintext))]]);
    expect(Buffer.compare(await readFile(shown.attachments[0]!.savedAs), plaintext)).toBe(0);
    expect(Buffer.compare(await readFile(shown.attachments[1]!.savedAs), smallPlaintext)).toBe(0);
  });

  it("importing the same bundle again adds nothing and leaves the stored file as it is", async () => {
    const home = await offlineHome();
    expect((await runInProcess(["import", bundleFile, "--home", home])).code).toBe(0);
    const before = await stat(join(home, "vault-files", `${ids.large}.age`));
    const again = await runInProcess(["import", bundleFile, "--home", home, "--json"]);
    expect(JSON.parse(again.stdout)).toMatchObject({ newSubmissions: 0, newAttachments: 0, newReplies: 0 });
    const after = await stat(join(home, "vault-files", `${ids.large}.age`));
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(await readdir(join(home, "vault-files"))).toEqual([`${ids.large}.age`]);
  });

  const cuts: [string, (b: Buffer, at: number) => Buffer, RegExp][] = [
    ["in the middle of the large attachment", (b, at) => b.subarray(0, at + 2_000_000), /^sealdrop: damaged or incomplete bundle: it ends early, in attachment [0-9a-f]{32} \(truncated\?\)\n$/],
    ["before its end line", (b) => b.subarray(0, b.lastIndexOf(0x0a, b.length - 2) + 1), /^sealdrop: damaged or incomplete bundle: it ends early, in line 7 \(truncated\?\)\n$/],
    ["by its last byte", (b) => b.subarray(0, b.length - 1), /^sealdrop: damaged or incomplete bundle: it ends early, in line 7 \(truncated\?\)\n$/],
  ];
  const flips: [string, (b: Buffer, at: number) => Buffer, RegExp][] = [
    ["has one byte flipped in the large attachment", (b, at) => flip(b, at + 2_500_000), /^sealdrop: damaged or incomplete bundle: the bytes of attachment [0-9a-f]{32} do not match their SHA-256 \(the file was changed or damaged\)\n$/],
    ["has one byte flipped in the large attachment's age header", (b, at) => flip(b, at + 3), /^sealdrop: damaged or incomplete bundle: attachment [0-9a-f]{32} is not an age file\n$/],
  ];
  it.each([...cuts.map(([what, f, m]) => [`is cut short ${what}`, f, m] as const), ...flips])("a bundle that %s is refused, and the vault is unchanged", async (_, damage, message) => {
    const bytes = await readFile(bundleFile);
    const damaged = join(await tempDir(), "damaged.bundle");
    await writeFile(damaged, damage(bytes, bytes.indexOf(Buffer.from(sealedLarge.subarray(0, 256)))));
    for (const home of [await homeWithOtherSubmission(), await offlineHome()]) {
      const before = await snapshot(home);
      const result = await runInProcess(["import", damaged, "--home", home]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(message);
      // No rows, no file in vault-files (not even a temporary one), and no vault where there was none.
      expect(await snapshot(home)).toEqual(before);
    }
  });

  it("a large attachment whose submission is nowhere is refused, and no file is left in vault-files", async () => {
    const orphan = join(await tempDir(), "orphan.bundle");
    const vault = await Vault.open(join(online, "vault.sqlite"));
    const files = await vault.attachmentFiles();
    await vault.close();
    await writeBundle(orphan, { submissions: [], attachments: [], replies: [], notes: [] }, files);
    for (const home of [await homeWithOtherSubmission(), await offlineHome()]) {
      const before = await snapshot(home);
      const result = await runInProcess(["import", orphan, "--home", home]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`sealdrop: damaged or incomplete bundle: attachment ${ids.large} belongs to a submission that is neither in the bundle nor in the vault\n`);
      expect(await snapshot(home)).toEqual(before);
    }
  });

  it("old version 2 bundles still import", async () => {
    const vault = await Vault.open(join(online, "vault.sqlite"));
    const records = { submissions: await vault.submissions(), attachments: await vault.attachments(), replies: await vault.items("replies"), notes: [] };
    await vault.close();
    const home = await offlineHome();
    const old = join(home, "old.bundle");
    await writeFile(old, encodeV2(records));
    const imported = await runInProcess(["import", old, "--home", home, "--json"]);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ newSubmissions: 1, newAttachments: 1, newReplies: 1, inBundle: { largeAttachments: 0 } });
    // The large attachment comes later, in a version 3 bundle, into the same vault.
    const v3 = JSON.parse((await runInProcess(["import", bundleFile, "--home", home, "--json"])).stdout);
    expect(v3).toMatchObject({ newSubmissions: 0, newAttachments: 1, newReplies: 0 });
    const read = await runInProcess(["read", ids.submission, "--home", home, "--out", join(home, "read"), "--json"]);
    expect(read.code).toBe(0);
    expect(Buffer.compare(await readFile(JSON.parse(read.stdout).attachments[0].savedAs), plaintext)).toBe(0);
  });
});

function flip(b: Buffer, at: number): Buffer {
  const c = Buffer.from(b);
  c[at]! ^= 0x01;
  return c;
}
