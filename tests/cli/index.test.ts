// The vault's local index (src/cli/index/): built on first use, used after, sealed at rest, rebuilt when it
// cannot be used, and never believed over the vault; the conversation order it serves. A vault filled
// without a server, read by the real CLI in this process.
import { readFile, writeFile, copyFile } from "node:fs/promises";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { beforeAll, describe, expect, it } from "vitest";
import { randomId, utf8 } from "../../src/core/bytes.js";
import { type Envelope, sealBytes, sealEnvelope } from "../../src/core/envelope.js";
import type { Reply } from "../../src/core/messages.js";
import { pseudonymFor } from "../../src/core/pseudonym.js";
import { createEditor, type Editor, editorIdentities, saveEditor } from "../../src/cli/editor.js";
import { editorHome } from "../../src/cli/home.js";
import { syncIndex } from "../../src/cli/index/store.js";
import { listSubmissions, openDesk, search } from "../../src/cli/index/query.js";
import { Vault } from "../../src/cli/vault.js";
import { PASSPHRASE, runInProcess, tempDir, testEnv } from "./helpers.js";

const MARKER = "Blue-heron-7731 crossed the river";
const CREDENTIAL = "cd".repeat(32);
let home: string;
let editor: Editor;
let source: { recipient: string; pseudonym: string };
const ids = { first: randomId(), followup: randomId(), reply: randomId(), other: randomId(), notForMe: randomId() };
const quiet = { out: () => {}, err: () => {}, env: testEnv(), cwd: process.cwd(), interactive: false };

const envelope = (message: string, kind: Envelope["kind"], reply: Envelope["reply"], desk = "news"): Envelope => ({
  v: 1, kind, desk, message, fields: {}, attachments: [{ name: "map.jpg", type: "image/jpeg", size: 3, sha256: "ab".repeat(32) }], reply, client: "test", lang: "en",
});

async function putEnvelope(vault: Vault, id: string, day: string, e: Envelope, recipients: string[]) {
  const sealed = await sealEnvelope(e, recipients);
  await vault.putSubmission({ id, desk: e.desk, day, envelopeSize: sealed.length, envelope: sealed });
}

const listJson = async (...args: string[]) => {
  const r = await runInProcess(["list", "--home", home, "--json", ...args]);
  expect(r.code, r.stderr).toBe(0);
  return { rows: JSON.parse(r.stdout) as { id: string; firstLine: string | null; desk: string }[], stderr: r.stderr };
};
const sync = async () => {
  const vault = await Vault.open(join(home, "vault.sqlite"));
  try {
    return await syncIndex(editorHome(home), editor, editorIdentities(editor), vault);
  } finally {
    await vault.close();
  }
};

beforeAll(async () => {
  home = join(await tempDir(), "home");
  editor = await createEditor("Alice", "http://127.0.0.1:8787", "N", true);
  await saveEditor(editorHome(home), editor, PASSPHRASE, quiet);
  const recipient = await identityToRecipient(await generateX25519Identity());
  source = { recipient, pseudonym: pseudonymFor(recipient) };
  const channel = { recipient, mailbox: { id: "ab".repeat(16), credential: CREDENTIAL } };
  const vault = await Vault.open(join(home, "vault.sqlite"));
  const day = "2026-11-30";
  // What happened, in this order: the first submission is pulled, Alice replies, the follow-up is pulled.
  await putEnvelope(vault, ids.first, day, envelope(MARKER, "submission", channel), [editor.ageRecipient]);
  const reply: Reply = { v: 1, kind: "reply", message: "Thank you; tell us more.", from: "News", to: recipient, inReplyTo: ids.first, day };
  const sealedReply = await sealBytes(utf8(JSON.stringify(reply)), [editor.ageRecipient, recipient]);
  await vault.putItem("replies", { id: ids.reply, day, size: sealedReply.length, data: sealedReply });
  await putEnvelope(vault, ids.followup, day, envelope("Twelve trucks, army plates", "followup", channel), [editor.ageRecipient]);
  await putEnvelope(vault, ids.other, "2026-11-29", envelope("중국 국경 시장 소식", "submission", null, "inv"), [editor.ageRecipient]);
  await putEnvelope(vault, ids.notForMe, "2026-11-28", envelope("not for Alice", "submission", null), [await identityToRecipient(await generateX25519Identity())]);
  await vault.close();
});

describe("the vault index", () => {
  it("is built by the first command, then used: the second decrypts nothing", async () => {
    const { rows } = await listJson();
    expect(rows.map((r) => r.id)).toEqual([ids.followup, ids.first, ids.other, ids.notForMe]);
    expect((await sync()).decrypted).toBe(0);
  });

  it("is sealed at rest: no message, pseudonym, credential or id in the file", async () => {
    const bytes = await readFile(join(home, "vault.index"));
    const text = bytes.toString("latin1");
    for (const secret of [MARKER, "Blue-heron", source.pseudonym, source.recipient, CREDENTIAL, "map.jpg", ids.first, "Thank you", "submission"]) expect(text).not.toContain(secret);
    expect(text.startsWith("sealdrop-vault-index-v2\n")).toBe(true);
  });

  it("names each source once, when indexed; a record without the name is named when read", async () => {
    const { records } = await sync();
    const first = records.find((r) => r.id === ids.first)!;
    expect("pseudonym" in first && first.pseudonym).toBe(source.pseudonym);
    expect(records.find((r) => r.id === ids.other)).not.toHaveProperty("pseudonym"); // no reply channel
    const { deskFromRecords } = await import("../../src/cli/network.js");
    const reader = { identities: editorIdentities(editor), recipients: [editor.ageRecipient], roster: null };
    const unnamed = records.map((r) => (r.kind === "submission" && "envelope" in r ? { ...r, pseudonym: undefined } : r));
    const pseudonyms = (rs: typeof records) => deskFromRecords(rs, reader).submissions.map((s) => [s.id, s.pseudonym]);
    expect(pseudonyms(unnamed)).toEqual(pseudonyms(records));
    expect(pseudonyms(records)).toContainEqual([ids.first, source.pseudonym]);
  });

  it("decrypts only what reached the vault since the last command", async () => {
    const vault = await Vault.open(join(home, "vault.sqlite"));
    const late = randomId();
    await putEnvelope(vault, late, "2026-12-01", envelope("one more", "submission", null), [editor.ageRecipient]);
    await vault.close();
    const synced = await sync();
    expect(synced.decrypted).toBe(1);
    expect((await listJson()).rows[0]!.id).toBe(late);
    const v = await Vault.open(join(home, "vault.sqlite"));
    await v.deleteSubmission(late);
    await v.close();
  });

  for (const [what, damage] of [
    ["a flipped byte", (b: Buffer) => (b.writeUInt8(b.readUInt8(b.length - 40) ^ 1, b.length - 40), b)],
    ["a cut-off file", (b: Buffer) => b.subarray(0, b.length - 100)],
    ["garbage", () => Buffer.from("not an index at all")],
  ] as const) {
    it(`with ${what} is rebuilt from the vault, saying why`, async () => {
      await listJson();
      const file = join(home, "vault.index");
      await writeFile(file, damage(await readFile(file)));
      const { rows, stderr } = await listJson();
      expect(stderr).toMatch(/warning: the vault's index .*vault\.index could not be used \(.+\); rebuilt it from the vault/);
      expect(rows.map((r) => r.id)).toEqual([ids.followup, ids.first, ids.other, ids.notForMe]);
      expect((await listJson()).stderr).not.toMatch(/could not be used/);
    });
  }

  it("sealed under another editor's key is not used", async () => {
    const other = join(await tempDir(), "bob");
    const bob = await createEditor("Bob", "http://127.0.0.1:8787", "N", true);
    await saveEditor(editorHome(other), bob, PASSPHRASE, quiet);
    const empty = await Vault.open(join(other, "vault.sqlite"));
    await empty.close();
    expect((await runInProcess(["list", "--home", other])).code).toBe(0);
    await copyFile(join(other, "vault.index"), join(home, "vault.index"));
    const { rows, stderr } = await listJson();
    expect(stderr).toMatch(/sealed under another key/);
    expect(rows).toHaveLength(4);
  });

  it("is never believed over the vault: an item gone from the vault is gone from every view", async () => {
    await listJson();
    const db = new SQLite(join(home, "vault.sqlite"));
    const row = db.prepare("SELECT * FROM submissions WHERE id = ?").get(ids.other) as Record<string, unknown>;
    db.prepare("DELETE FROM submissions WHERE id = ?").run(ids.other);
    db.close();
    expect((await listJson()).rows.map((r) => r.id)).not.toContain(ids.other);
    expect((await listJson("--search", "국경")).rows).toEqual([]);
    // Back under the same id, it is decrypted again, not taken from what the index held.
    const again = new SQLite(join(home, "vault.sqlite"));
    again.prepare("INSERT INTO submissions (id, desk, day, envelope_size, envelope) VALUES (@id, @desk, @day, @envelope_size, @envelope)").run(row);
    again.close();
    expect((await listJson()).rows.map((r) => r.id)).toContain(ids.other);
  });
});

describe("conversation order and list filters", () => {
  it("source shows submission, reply and follow-up in the order they happened within the day", async () => {
    const r = await runInProcess(["source", source.pseudonym, "--home", home, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const { timeline } = JSON.parse(r.stdout) as { timeline: { type: string; id: string }[] };
    expect(timeline.map((e) => [e.type, e.id])).toEqual([["submission", ids.first], ["reply", ids.reply], ["followup", ids.followup]]);
    expect(r.stdout).not.toMatch(/"seq"/);
  });

  it("list filters by desk and by full text over decrypted messages, any case", async () => {
    expect((await listJson("--desk", "inv")).rows.map((r) => r.id)).toEqual([ids.other]);
    expect((await listJson("--search", "BLUE-HERON river")).rows.map((r) => r.id)).toEqual([ids.first]);
    expect((await listJson("--search", "국경")).rows.map((r) => r.id)).toEqual([ids.other]);
    expect((await listJson("--search", "heron nowhere")).rows).toEqual([]);
    const bad = await runInProcess(["list", "--home", home, "--grade", "G9"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/a grade is a reliability A–F/);
  });

  it("the query API: only the editor's desks, and search over submissions and replies", async () => {
    const unlocked = { home: editorHome(home), editor };
    const view = await openDesk(unlocked);
    expect(listSubmissions(view, {}, ["news"]).map((r) => r.id)).toEqual([ids.followup, ids.first, ids.notForMe]);
    expect(search(view, "tell us").map((h) => [h.type, h.id])).toEqual([["reply", ids.reply]]);
  });
});

describe("first indexing of a larger vault", () => {
  it("spreads decryption over worker threads and gets every item right", async () => {
    const dir = join(await tempDir(), "big");
    const vault = await Vault.open(join(dir, "vault.sqlite"));
    const made: string[] = [];
    for (let i = 0; i < 60; i++) {
      const id = randomId();
      made.push(id);
      await putEnvelope(vault, id, "2026-11-30", envelope(`tip number ${i}`, "submission", null), i === 7 ? [await identityToRecipient(await generateX25519Identity())] : [editor.ageRecipient]);
    }
    try {
      const synced = await syncIndex(editorHome(dir), editor, editorIdentities(editor), vault);
      expect(synced.threads).toBeGreaterThan(0);
      expect(synced.decrypted).toBe(60);
      expect(synced.records.map((r) => r.id)).toEqual(made);
      const messages = synced.records.map((r) => ("envelope" in r ? r.envelope.message : (r as { error?: string }).error));
      expect(messages[7]).toBe("not encrypted to your key");
      expect(messages[59]).toBe("tip number 59");
    } finally {
      await vault.close();
    }
  });
});

describe("the index file", () => {
  const key = new Uint8Array(32).fill(7);
  // About 1.3 MB of lines: several sealed messages.
  const lines = [{ v: 1, identities: "x" }, ...Array.from({ length: 3000 }, (_, i) => ({ kind: "note", id: String(i), text: "n".repeat(400) }))];
  const frames = (file: Uint8Array) => {
    const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
    const out: [number, number][] = [];
    for (let at = 40; at < file.length; at += 4 + view.getUint32(at)) out.push([at, at + 4 + view.getUint32(at)]);
    return out;
  };

  it("opens whole, and refuses one cut at a message boundary, extended, or with messages swapped", async () => {
    const { IndexUnusable, openIndex, sealIndex } = await import("../../src/cli/index/index-file.js");
    const file = await sealIndex(key, lines);
    expect(await openIndex(key, file)).toEqual(lines);
    const f = frames(file);
    expect(f.length).toBeGreaterThan(2);
    const [a, b] = [f[0]!, f[1]!];
    const swapped = new Uint8Array([...file.subarray(0, a[0]), ...file.subarray(b[0], b[1]), ...file.subarray(a[0], a[1]), ...file.subarray(b[1])]);
    for (const bad of [file.subarray(0, f.at(-1)![0]), new Uint8Array([...file, 0, 0, 0, 16, ...new Uint8Array(16)]), swapped]) {
      await expect(openIndex(key, bad)).rejects.toBeInstanceOf(IndexUnusable);
    }
    // Another write of the same lines has another nonce: nothing in common but the magic.
    const again = await sealIndex(key, lines);
    expect(Buffer.from(again.subarray(24, 40)).equals(Buffer.from(file.subarray(24, 40)))).toBe(false);
  });

  it("of version 1 is refused as an older format", async () => {
    const { openIndex } = await import("../../src/cli/index/index-file.js");
    await expect(openIndex(key, utf8(`sealdrop-vault-index-v1\n${"x".repeat(64)}`))).rejects.toThrow("it is of an older format, version 1");
  });
});

