// The desk's shared triage end to end (src/cli/services/triage.ts): a real server, real vaults, and a proxy
// that keeps what is posted. Editor A stars, sets a status, assigns and marks read; nothing reaches the
// server until the queue is sent, then all of it goes as one signed, padded note that the server cannot
// tell from a text note, and never into the source's mailbox. Editor B sees it after pull. Triage notes
// that do not verify (unsigned, or signed by a key the roster does not name) change nothing and are listed.
import { join } from "node:path";
import { ed25519 } from "@noble/curves/ed25519.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromBase64, toBase64, utf8 } from "../../src/core/bytes.js";
import { newCodenameEntropy } from "../../src/core/codename.js";
import { deriveSourceKeys, keyKindOf, type SourceKeys } from "../../src/core/derive.js";
import { openBytes, sealBytes } from "../../src/core/envelope.js";
import { paddedSize } from "../../src/core/padding.js";
import { pseudonymFor } from "../../src/core/pseudonym.js";
import { deskRecipients, nobleSigner } from "../../src/core/roster.js";
import { signMessage } from "../../src/core/signed-message.js";
import type { TriageNote } from "../../src/core/triage.js";
import { itemReceipt, noteList } from "../../src/core/wire.js";
import { SealdropApi } from "../../src/cli/api.js";
import { editorHome } from "../../src/cli/home.js";
import { openKeyFile, parseKeyFile } from "../../src/cli/keyfile.js";
import { readPin } from "../../src/cli/roster-pin.js";
import { type RunningServer, startNodeServer } from "../../src/server/node/serve.js";
import { powFetch } from "../helpers/pow.js";
import { fetchNewsroom, submitTip } from "../helpers/source.js";
import { PASSPHRASE, runCli, runInProcess, tempDir } from "./helpers.js";
import { startTamperProxy, type TamperProxy } from "./tamper-proxy.js";
import { readFile } from "node:fs/promises";

let server: RunningServer;
let proxy: TamperProxy;
let alice: string;
let bob: string;
let source: SourceKeys;
let pseudonym: string;
let tipId: string;
let otherTip: string;

type Result = { code: number; stdout: string; stderr: string };
const ok = (r: Result) => {
  expect(r.stderr, r.stderr).not.toMatch(/sealdrop: /);
  expect(r.code, r.stderr).toBe(0);
  return r;
};
const json = <T>(r: Result): T => JSON.parse(ok(r).stdout) as T;
const cli = (home: string, ...args: string[]) => runInProcess([...args, "--home", home]);

interface ShowRow {
  target: { type: string; pseudonym?: string; id?: string };
  starred: boolean;
  status: string;
  assignee: { id: string; name: string } | null;
  readBy: { id: string; name: string }[];
  readByMe: boolean;
}
interface Shown {
  items: ShowRow[];
  pending: number;
  unverified: { id: string; reason: string }[];
}
const show = async (home: string, ...items: string[]) => json<Shown>(await cli(home, "triage", "show", ...items, "--json"));

async function keysOf(home: string) {
  const file = parseKeyFile(await readFile(join(home, "editor.key"), "utf8"), join(home, "editor.key"));
  return { editorId: file.editorId, ...(await openKeyFile(file, PASSPHRASE)) };
}
async function serverNoteCount(home: string): Promise<number> {
  const keys = await keysOf(home);
  const api = new SealdropApi(server.url, { editorId: keys.editorId, signSecretKey: keys.signSecretKey });
  return (await api.get("/api/editor/notes", noteList)).notes.length;
}

beforeAll(async () => {
  const dir = await tempDir();
  const dataDir = join(dir, "data");
  alice = join(dir, "alice");
  bob = join(dir, "bob");
  server = await startNodeServer({ dataDir, port: 0, host: "127.0.0.1" });
  proxy = await startTamperProxy(server.url);
  ok(await runCli(["init", "--name", "Border News", "--desk", "inv=Investigations", "--editor-name", "Alice", "--home", alice, "--data", dataDir, "--server-url", proxy.url]));
  ok(await runInProcess(["editor", "add", "--name", "Bob", "--desk", "inv", "--out-home", bob, "--home", alice], { env: { SEALDROP_NEW_PASSPHRASE: PASSPHRASE } }));
  const newsroom = await fetchNewsroom(server.url);
  source = await deriveSourceKeys(newCodenameEntropy(), keyKindOf(newsroom.desks[0]!.recipients[0]!));
  pseudonym = pseudonymFor(source.replyRecipient);
  const reply = { recipient: source.replyRecipient, mailbox: { id: source.mailboxId, credential: source.mailboxCredential } };
  tipId = (await submitTip(server.url, "The customs chief takes a cut of every truck", [], "inv", { reply })).id;
  otherTip = (await submitTip(server.url, "No codename kept", [], "inv")).id;
  ok(await cli(alice, "pull"));
  ok(await cli(bob, "pull"));
}, 180_000);

afterAll(async () => {
  await proxy?.close();
  await server?.close();
});

describe("triage shared by the desk", () => {
  it("queued changes reach no server; flush sends them all as one note to the notes endpoint", async () => {
    proxy.posted.length = 0;
    const before = await serverNoteCount(alice);
    ok(await cli(alice, "triage", "star", pseudonym.slice(0, 10), "--later"));
    ok(await cli(alice, "triage", "status", "in_progress", pseudonym, "--later"));
    ok(await cli(alice, "triage", "assign", "bob", pseudonym, "--later"));
    ok(await cli(alice, "triage", "read", tipId.slice(0, 8), otherTip, "--later"));
    expect(proxy.posted).toEqual([]);
    expect(await serverNoteCount(alice)).toBe(before);
    // The queue on disk is sealed: no pseudonym in it.
    expect((await readFile(editorHome(alice).triageQueueFile)).includes(Buffer.from(pseudonym))).toBe(false);
    expect(await show(alice, pseudonym)).toMatchObject({ pending: 5, items: [{ starred: true, status: "in_progress", assignee: { name: "Bob" } }] });

    const flushed = json<{ queued: number; sent: { id: string; desk: string; changes: number; clock: number }[] }>(await cli(alice, "triage", "flush", "--json"));
    expect(flushed).toMatchObject({ queued: 0, sent: [{ desk: "inv", changes: 5, clock: 1 }] });
    expect(proxy.posted.map((p) => [p.kind, p.desk])).toEqual([["notes", "inv"]]);
    expect(await serverNoteCount(alice)).toBe(before + 1);
    expect((await show(alice)).pending).toBe(0);
  });

  it("is padded like every note: a text note of the same length is the same number of bytes on the server", async () => {
    const triage = fromBase64(proxy.posted.at(-1)!.ciphertext);
    const aliceKeys = await keysOf(alice);
    const triagePlain = await openBytes(triage, [aliceKeys.ageIdentity]);
    expect(JSON.parse(Buffer.from(triagePlain).toString("utf8"))).toMatchObject({ kind: "triage", clock: 1, sig: { desk: "inv" } });
    // A short text note tells how long a note's plaintext is besides its text; then one as long as the triage note.
    proxy.posted.length = 0;
    const shortText = "Checked the dates.";
    ok(await cli(alice, "note", pseudonym, "--text", shortText));
    const shortPlain = await openBytes(fromBase64(proxy.posted[0]!.ciphertext), [aliceKeys.ageIdentity]);
    const text = shortText + "x".repeat(triagePlain.length - shortPlain.length);
    ok(await cli(alice, "note", pseudonym, "--text", text));
    const sameLength = fromBase64(proxy.posted[1]!.ciphertext);
    expect((await openBytes(sameLength, [aliceKeys.ageIdentity])).length).toBe(triagePlain.length);
    expect(triage.length).toBe(sameLength.length);
    // And the padding is the notes' padding (core/padding.ts): the bucket above the plaintext, not its length.
    expect(triage.length).toBe(fromBase64(proxy.posted[0]!.ciphertext).length + paddedSize(triagePlain.length) - paddedSize(shortPlain.length));
  });

  it("editor B sees A's star, status, assignee and read marks after pull", async () => {
    ok(await cli(bob, "pull"));
    const shown = await show(bob, pseudonym, tipId, otherTip);
    expect(shown.items.map((r) => [r.starred, r.status, r.assignee?.name ?? null])).toEqual([
      [true, "in_progress", "Bob"],
      [false, "new", null],
      [false, "new", null],
    ]);
    expect(shown.items[1]!.readBy.map((e) => e.name)).toEqual(["Alice"]);
    expect(shown.items[1]!.readByMe).toBe(false);
    expect(shown.unverified).toEqual([]);
    const text = ok(await cli(bob, "triage", "show", pseudonym)).stdout;
    expect(text).toContain(`${pseudonym}  in_progress; starred; assigned to Bob; unread`);
  });

  it("a change B makes after seeing A's wins for both, once A pulls", async () => {
    ok(await cli(bob, "triage", "status", "verified", pseudonym));
    ok(await cli(bob, "triage", "unstar", pseudonym));
    ok(await cli(alice, "pull"));
    for (const home of [alice, bob]) expect((await show(home, pseudonym)).items[0]).toMatchObject({ starred: false, status: "verified", assignee: { name: "Bob" } });
  });

  it("never goes into the source's mailbox: the source sees no desk state", async () => {
    expect(proxy.posted.every((p) => p.kind === "notes")).toBe(true);
    const res = await powFetch(`${server.url}/api/mailbox`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id: source.mailboxId, credential: source.mailboxCredential }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { replies: unknown[] }).replies).toEqual([]);
  });

  it("an unsigned or forged triage note from the server changes nothing and is listed as unverified", async () => {
    const roster = (await readPin(editorHome(alice)))!.roster;
    const aliceKeys = await keysOf(alice);
    const api = new SealdropApi(server.url, { editorId: aliceKeys.editorId, signSecretKey: aliceKeys.signSecretKey });
    const forged: TriageNote = { v: 1, kind: "triage", clock: 1000, changes: [{ op: "status", target: { type: "source", pseudonym }, status: "closed" }, { op: "star", target: { type: "source", pseudonym } }], day: "2026-12-01" };
    const post = async (plaintext: object) => {
      const ciphertext = await sealBytes(utf8(JSON.stringify(plaintext)), deskRecipients(roster.state, "inv"));
      return (await api.post("/api/editor/notes", { ciphertext: toBase64(ciphertext), desk: "inv" }, itemReceipt)).id;
    };
    const unsigned = await post(forged);
    const context = { author: aliceKeys.editorId, desk: "inv", recipients: deskRecipients(roster.state, "inv"), roster: roster.head };
    const badSignature = await post(await signMessage(forged, context, nobleSigner(ed25519.utils.randomSecretKey())));
    ok(await cli(bob, "pull"));
    const shown = await show(bob, pseudonym);
    expect(shown.items[0]).toMatchObject({ starred: false, status: "verified" });
    expect(shown.unverified).toEqual(expect.arrayContaining([expect.objectContaining({ id: unsigned, reason: "unsigned" }), expect.objectContaining({ id: badSignature, reason: "bad_signature" })]));
    const text = await cli(bob, "triage", "show", pseudonym);
    expect(text.stderr).toMatch(/2 triage note\(s\) did not verify and were not applied: .*\(unsigned\)/);
    // A forged clock does not carry later changes past it either: the next genuine change still wins.
    ok(await cli(bob, "triage", "status", "published", pseudonym));
    expect((await show(bob, pseudonym)).items[0]).toMatchObject({ status: "published" });
    // Not shown as desk notes.
    const notes = json<{ id: string }[]>(await cli(bob, "notes", "--json"));
    expect(notes.map((n) => n.id)).not.toContain(unsigned);
  });

  it("refuses an unknown status, an editor not on the desk, and an item the vault does not have, sending nothing", async () => {
    proxy.posted.length = 0;
    const cases: [string[], RegExp][] = [
      [["triage", "status", "urgent", pseudonym], /a status is one of new, in_progress, verified, published, closed/],
      [["triage", "assign", "Mallory", pseudonym], /no active editor "Mallory"/],
      [["triage", "star", "ffffffffffff"], /no source or submission in the vault matches/],
      [["triage", "frob", pseudonym], /unknown action "frob"/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(alice, ...args);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(message);
    }
    expect(proxy.posted).toEqual([]);
    expect((await show(alice)).pending).toBe(0);
  });
});
