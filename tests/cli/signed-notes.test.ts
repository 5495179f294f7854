// Signed notes and replies, end to end (issue 13): a real server, the real CLI as a subprocess, and a proxy
// that keeps what is posted. `note` and `reply` sign what they seal (services/seal-message.ts), naming
// exactly the recipients the age file is encrypted to; readers verify every note and reply against their
// verified roster, and a forged one (valid encryption, but unsigned, signed by a key outside the roster,
// or claiming another author), posted straight to the server's API, is listed as unverified and does not
// change the source's grade. A `news` editor never sees an `inv` note.
import { copyFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ed25519 } from "@noble/curves/ed25519.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromBase64, fromUtf8, randomId, toBase64, utf8 } from "../../src/core/bytes.js";
import { newCodenameEntropy } from "../../src/core/codename.js";
import { credentialHash, deriveSourceKeys, keyKindOf } from "../../src/core/derive.js";
import { openBytes, sealBytes } from "../../src/core/envelope.js";
import type { Note, Reply } from "../../src/core/messages.js";
import { pseudonymFor } from "../../src/core/pseudonym.js";
import { deskRecipients, nobleSigner, type VerifiedRoster } from "../../src/core/roster.js";
import { signMessage, type UnverifiedReason, verifyMessage } from "../../src/core/signed-message.js";
import { coarseDay } from "../../src/core/time.js";
import { itemReceipt, noteList } from "../../src/core/wire.js";
import { SealdropApi } from "../../src/cli/api.js";
import { openKeyFile, parseKeyFile } from "../../src/cli/keyfile.js";
import { editorHome } from "../../src/cli/home.js";
import { readPin } from "../../src/cli/roster-pin.js";
import { type RunningServer, startNodeServer } from "../../src/server/node/serve.js";
import { fetchNewsroom, submitTip } from "../helpers/source.js";
import { PASSPHRASE, runCli, tempDir } from "./helpers.js";
import { ageStanzas, startTamperProxy, type TamperProxy } from "./tamper-proxy.js";

let server: RunningServer;
let proxy: TamperProxy;
let dir: string;
let alice: string;
let bob: string;
let carol: string;
let tipId: string;
let pseudonym: string;
let sourceIdentity: string;
let sourceKeys: Awaited<ReturnType<typeof deriveSourceKeys>>;
/** Every note posted to the inv desk in this file, genuine or forged. */
const invNotes: string[] = [];

const ok = (r: { code: number; stdout: string; stderr: string }) => {
  expect(r.stderr, r.stderr).not.toMatch(/sealdrop: /);
  expect(r.code, r.stderr).toBe(0);
  return r;
};
const json = <T>(r: { code: number; stdout: string; stderr: string }): T => JSON.parse(ok(r).stdout) as T;

/** The ids of the notes the server lists to the editor of `home`. */
async function noteIdsAs(home: string): Promise<string[]> {
  const keys = await keysOf(home);
  const api = new SealdropApi(server.url, { editorId: keys.editorId, signSecretKey: keys.signSecretKey });
  return (await api.get("/api/editor/notes", noteList)).notes.map((n) => n.id);
}

/** An editor's unlocked keys, read from their home as the CLI does. */
async function keysOf(home: string) {
  const file = parseKeyFile(await readFile(join(home, "editor.key"), "utf8"), join(home, "editor.key"));
  return { editorId: file.editorId, ...(await openKeyFile(file, PASSPHRASE)) };
}

beforeAll(async () => {
  dir = await tempDir();
  alice = join(dir, "alice");
  bob = join(dir, "bob");
  carol = join(dir, "carol");
  const dataDir = join(dir, "data");
  server = await startNodeServer({ dataDir, port: 0, host: "127.0.0.1" });
  proxy = await startTamperProxy(server.url);
  ok(await runCli(["init", "--name", "Border News", "--desk", "news=News", "--desk", "inv=Investigations", "--editor-name", "Alice", "--home", alice, "--data", dataDir, "--server-url", proxy.url]));
  const newPassphrase = { SEALDROP_NEW_PASSPHRASE: PASSPHRASE };
  ok(await runCli(["editor", "add", "--name", "Bob", "--desk", "news", "--out-home", bob, "--home", alice], { env: newPassphrase }));
  ok(await runCli(["editor", "add", "--name", "Carol", "--desk", "inv", "--out-home", carol, "--home", alice], { env: newPassphrase }));

  const newsroom = await fetchNewsroom(server.url);
  const keys = await deriveSourceKeys(newCodenameEntropy(), keyKindOf(newsroom.desks[0]!.recipients[0]!));
  sourceKeys = keys;
  sourceIdentity = keys.replyIdentity;
  pseudonym = pseudonymFor(keys.replyRecipient);
  const reply = { recipient: keys.replyRecipient, mailbox: { id: keys.mailboxId, credential: keys.mailboxCredential } };
  tipId = (await submitTip(server.url, "The customs chief takes a cut of every truck", [], "inv", { reply })).id;
  ok(await runCli(["pull", "--home", carol]));
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await server?.close();
});

describe("note and reply sign what they seal", () => {
  it("a note names its author, desk, roster head and exactly the recipients the file is encrypted to", async () => {
    proxy.posted.length = 0;
    ok(await runCli(["note", tipId, "--reliability", "B", "--credibility", "2", "--tag", "topic:grain-prices", "--home", carol]));
    expect(proxy.posted.map((p) => [p.kind, p.desk])).toEqual([["notes", "inv"]]);
    invNotes.push(...(await noteIdsAs(carol)));
    const ciphertext = fromBase64(proxy.posted[0]!.ciphertext);
    const aliceKeys = await keysOf(alice);
    const raw = JSON.parse(fromUtf8(await openBytes(ciphertext, [aliceKeys.ageIdentity])));
    const roster = (await readPin(editorHome(alice)))!.roster;
    const result = verifyMessage(raw, roster, { reader: roster.state.editors.find((e) => e.name === "Alice")!.ageRecipient });
    expect(result).toMatchObject({ status: "verified", desk: "inv", author: { name: "Carol" } });
    // Alice (admin, both desks) and Carol read inv; Bob (news) does not.
    expect(raw.sig.recipients).toHaveLength(2);
    expect(ageStanzas(ciphertext)).toHaveLength(2);
    expect(raw.sig.author).toBe((await keysOf(carol)).editorId);
    await expect(openBytes(ciphertext, [(await keysOf(bob)).ageIdentity])).rejects.toThrow();
  });

  it("a reply is signed for the conversation's desk and names the source among its recipients", async () => {
    proxy.posted.length = 0;
    ok(await runCli(["reply", pseudonym, "--message", "Which crossing?", "--home", carol]));
    expect(proxy.posted.map((p) => [p.kind, p.desk])).toEqual([["replies", "inv"]]);
    const ciphertext = fromBase64(proxy.posted[0]!.ciphertext);
    const raw = JSON.parse(fromUtf8(await openBytes(ciphertext, [sourceIdentity])));
    const roster = (await readPin(editorHome(carol)))!.roster;
    expect(raw.sig.desk).toBe("inv");
    expect(verifyMessage(raw, roster, { reader: raw.to })).toMatchObject({ status: "verified", desk: "inv", author: { name: "Carol" } });
    expect(ageStanzas(ciphertext)).toHaveLength(3);
  });
});

/**
 * Notes and replies that anyone holding the public keys could make: valid age files sealed to the inv desk's
 * editors, posted to the real server's API by Carol (an inv editor, so the server accepts them), but not
 * signed as the roster says their author would sign.
 */
describe("forged notes and replies", () => {
  let roster: VerifiedRoster;
  let aliceId: string;
  let carolKeys: Awaited<ReturnType<typeof keysOf>>;
  let api: SealdropApi;
  const forged = (author: string, extra: Partial<Note> = {}): Note => ({
    v: 1,
    kind: "note",
    subject: { type: "source", pseudonym },
    tags: ["role:customs-chief"],
    reliability: "A",
    credibility: 1,
    text: "Confirmed by three people.",
    links: [{ submission: tipId, relation: "corroborates" }],
    author,
    day: coarseDay(new Date()),
    written: new Date().toISOString(),
    ...extra,
  });
  const postNote = async (plaintext: object) => {
    const ciphertext = await sealBytes(utf8(JSON.stringify(plaintext)), deskRecipients(roster.state, "inv"));
    const stored = await api.post("/api/editor/notes", { ciphertext: toBase64(ciphertext), desk: "inv" }, itemReceipt);
    invNotes.push(stored.id);
    return stored.id;
  };
  const expected: Record<string, UnverifiedReason> = {};

  beforeAll(async () => {
    roster = (await readPin(editorHome(alice)))!.roster;
    aliceId = (await keysOf(alice)).editorId;
    carolKeys = await keysOf(carol);
    api = new SealdropApi(server.url, { editorId: carolKeys.editorId, signSecretKey: carolKeys.signSecretKey });
    const context = (author: string) => ({ author, desk: "inv", recipients: deskRecipients(roster.state, "inv"), roster: roster.head });
    const stranger = nobleSigner(ed25519.utils.randomSecretKey());
    // (a) unsigned, "by Alice"
    expected[await postNote(forged("Alice"))] = "unsigned";
    // (b) signed by a key the roster does not name: as Alice, and as an editor the roster never had
    expected[await postNote(await signMessage(forged("Alice"), context(aliceId), stranger))] = "bad_signature";
    expected[await postNote(await signMessage(forged("Mallory"), context(randomId()), stranger))] = "unknown_author";
    // (c) claiming another author: Carol's own key, but naming Alice as the signer, or Alice as the author
    expected[await postNote(await signMessage(forged("Alice"), context(aliceId), nobleSigner(carolKeys.signSecretKey.subarray(0, 32))))] = "bad_signature";
    expected[await postNote(await signMessage(forged("Alice"), context(carolKeys.editorId), nobleSigner(carolKeys.signSecretKey.subarray(0, 32))))] = "author_mismatch";
    // An unsigned reply, as if from the desk.
    const reply: Reply = { v: 1, kind: "reply", message: "Come to the border at noon.", from: "Investigations", to: sourceKeys.replyRecipient, inReplyTo: tipId, day: coarseDay(new Date()) };
    const replyCiphertext = await sealBytes(utf8(JSON.stringify(reply)), [sourceKeys.replyRecipient, ...deskRecipients(roster.state, "inv")]);
    await api.post(
      "/api/editor/replies",
      { mailbox: sourceKeys.mailboxId, credentialHash: credentialHash(sourceKeys.mailboxCredential), ciphertext: toBase64(replyCiphertext), desk: "inv" },
      itemReceipt,
    );
    ok(await runCli(["pull", "--home", alice]));
  }, 120_000);

  type Row = { id: string; author: string; reliability: string | null; signature: { verified: boolean; reason?: string; author?: { name: string } } };

  it("are listed as unverified, with the reason, in --json and in text", async () => {
    const rows = json<Row[]>(await runCli(["notes", "--home", alice, "--json"]));
    expect(rows).toHaveLength(6);
    const genuine = rows.filter((r) => r.signature.verified);
    expect(genuine.map((r) => [r.author, r.signature.author?.name, r.reliability])).toEqual([["Carol", "Carol", "B"]]);
    for (const [id, reason] of Object.entries(expected)) expect(rows.find((r) => r.id === id)?.signature).toEqual({ verified: false, reason });
    const text = ok(await runCli(["notes", "--home", alice])).stdout;
    expect(text).toMatch(/by Carol: on [0-9a-f]{12}; grade B2; topic:grain-prices/);
    expect(text).toMatch(/by Alice \[unverified \(unsigned\), not counted\]: grade A1/);
    expect(text).toMatch(/by Alice \[unverified \(bad_signature\), not counted\]/);
    expect(text).toMatch(/by Mallory \[unverified \(unknown_author\), not counted\]/);
    expect(text).toMatch(/by Alice \[unverified \(author_mismatch\), not counted\]/);
  });

  it("do not change the source's grade or tags; the genuine note does", async () => {
    const sources = json<SourceRow[]>(await runCli(["sources", "--home", alice, "--json"]));
    expect(sources.find((r) => r.pseudonym === pseudonym)).toMatchObject({ reliability: "B", credibility: 2, tags: ["topic:grain-prices"], notes: 6, unverifiedNotes: 5 });
    expect(ok(await runCli(["sources", "--home", alice])).stdout).toMatch(/B2 {2}topic:grain-prices \(5 unverified note\(s\), not counted\)/);
    ok(await runCli(["note", pseudonym, "--reliability", "C", "--home", alice]));
    const after = json<SourceRow[]>(await runCli(["sources", "--home", alice, "--json"]));
    expect(after.find((r) => r.pseudonym === pseudonym)).toMatchObject({ reliability: "C", credibility: 2, tags: ["topic:grain-prices"], notes: 7, unverifiedNotes: 5 });
    invNotes.push(...(await noteIdsAs(alice)).filter((id) => !invNotes.includes(id)));
  });

  it("a genuine reply verifies for the reader, the forged one does not", async () => {
    const source = json<{ reliability: string; timeline: { type: string; message?: string; signature?: Row["signature"] }[] }>(
      await runCli(["source", pseudonym, "--home", alice, "--json"]),
    );
    // Both are of one day, so their order is the vault's: compare them sorted by text.
    const replies = source.timeline.filter((e) => e.type === "reply").sort((a, b) => a.message!.localeCompare(b.message!));
    expect(replies.map((r) => [r.message, r.signature])).toEqual([
      ["Come to the border at noon.", { verified: false, reason: "unsigned" }],
      ["Which crossing?", { verified: true, author: { id: carolKeys.editorId, name: "Carol" }, desk: "inv" }],
    ]);
    const text = ok(await runCli(["source", pseudonym, "--home", alice])).stdout;
    expect(text).toMatch(/reply +[0-9a-f]{12} {2}from Investigations \(Carol\) to [0-9a-f]{12}: Which crossing\?/);
    expect(text).toMatch(/reply +[0-9a-f]{12} {2}from Investigations \[unverified \(unsigned\)\] to [0-9a-f]{12}: Come to the border/);
  });

  it("read offline from a bundle, with the roster the reading home pinned, they are just as unverified", async () => {
    const bundle = join(dir, "alice.bundle");
    ok(await runCli(["export", "--out", bundle, "--home", alice]));
    const offline = join(dir, "alice-offline");
    await mkdir(offline, { mode: 0o700 });
    for (const f of ["editor.key", "roster.json"]) await copyFile(join(alice, f), join(offline, f));
    ok(await runCli(["import", bundle, "--home", offline]));
    const sources = json<SourceRow[]>(await runCli(["sources", "--home", offline, "--json"]));
    expect(sources.find((r) => r.pseudonym === pseudonym)).toMatchObject({ reliability: "C", credibility: 2, tags: ["topic:grain-prices"], notes: 7, unverifiedNotes: 5 });
  });
});

describe("need-to-know", () => {
  it("a news editor is listed no inv note by the server, and has none after pull", async () => {
    expect(invNotes.length).toBeGreaterThanOrEqual(7);
    const listedToAlice = await noteIdsAs(alice);
    for (const id of invNotes) expect(listedToAlice).toContain(id);
    const listedToBob = await noteIdsAs(bob);
    for (const id of invNotes) expect(listedToBob).not.toContain(id);
    const pulled = ok(await runCli(["pull", "--home", bob, "--json"]));
    expect(JSON.parse(pulled.stdout)).toMatchObject({ newNotes: 0 });
    const notes = ok(await runCli(["notes", "--home", bob, "--json"]));
    expect(JSON.parse(notes.stdout)).toEqual([]);
    expect(notes.stderr).toBe("");
  });
});

describe("after editor rotate --age", () => {
  it("a tip sent before the rotation, pulled after it, still reads; so do the old notes", async () => {
    const before = (await submitTip(server.url, "Sent before Alice's new key", [], "inv")).id;
    const rotated = ok(await runCli(["editor", "rotate", "--age", "--home", alice]));
    expect(rotated.stdout).toMatch(/your new key file keeps it too/);
    ok(await runCli(["pull", "--home", alice]));
    const read = ok(await runCli(["read", before, "--home", alice, "--json"]));
    expect(JSON.parse(read.stdout)).toMatchObject({ message: "Sent before Alice's new key" });
    const listed = json<{ id: string; error?: string }[]>(await runCli(["list", "--home", alice, "--json"]));
    expect(listed.find((r) => r.id === before)).not.toHaveProperty("error");
    expect(listed.find((r) => r.id === tipId)).not.toHaveProperty("error");
    const sources = json<SourceRow[]>(await runCli(["sources", "--home", alice, "--json"]));
    expect(sources.find((r) => r.pseudonym === pseudonym)).toMatchObject({ reliability: "C", notes: 7, unverifiedNotes: 5 });
    // A tip sent after the rotation goes to the new key, which the same home reads too.
    const after = (await submitTip(server.url, "Sent after", [], "inv")).id;
    ok(await runCli(["pull", "--home", alice]));
    expect(JSON.parse(ok(await runCli(["read", after, "--home", alice, "--json"])).stdout)).toMatchObject({ message: "Sent after" });
  });
});

type SourceRow = { pseudonym: string; reliability: string | null; credibility: number | null; tags: string[]; notes: number; unverifiedNotes: number };
