// A split editor home against a real server (issue 13, docs/NEWSROOM.md "Split homes"): `home split` makes an
// online half with the signing key only and a reading half with the whole key. A source submits and keeps a
// codename; the online half pulls and cannot decrypt (no_decryption_key); its vault bundle, roster included,
// goes to the reading half, which verifies the roster from its own pin, decrypts the tip exactly and seals a
// reply and a note into its outbox; the outbox bundle goes back and the online half posts it, once however
// often it is imported; the source opens the reply from the mailbox with its codename's keys; the next vault
// bundle confirms the outbox. Every file of the online half is scanned for an age secret key.
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ed25519 } from "@noble/curves/ed25519.js";
import sodium from "libsodium-wrappers-sumo";
import { fromBase64, fromHex, fromUtf8, toBase64Url } from "../../src/core/bytes.js";
import { openBytes } from "../../src/core/envelope.js";
import { verifyMessage } from "../../src/core/signed-message.js";
import { editorHome } from "../../src/cli/home.js";
import { readPin } from "../../src/cli/roster-pin.js";
import { newCodenameEntropy } from "../../src/core/codename.js";
import { deriveSourceKeys, keyKindOf, type SourceKeys } from "../../src/core/derive.js";
import { openJson, replySchema } from "../../src/core/messages.js";
import { pseudonymFor } from "../../src/core/pseudonym.js";
import { openKeyFile, openSigningKey, parseKeyFile } from "../../src/cli/keyfile.js";
import { outboxBundleText, outboxSignedBytes, parseOutboxBundle } from "../../src/cli/outbox-bundle.js";
import { type RunningServer, startNodeServer } from "../../src/server/node/serve.js";
import { filesUnder } from "../helpers/deployment.js";
import { powFetch } from "../helpers/pow.js";
import { fetchNewsroom, submitTip } from "../helpers/source.js";
import { PASSPHRASE, runCli, runInProcess, tempDir } from "./helpers.js";

let server: RunningServer;
let dir: string;
let whole: string;
let online: string;
let reading: string;
let keys: SourceKeys;
let pseudonym: string;
let tipId: string;
let identity: string;
const TIP = "세관 창고 뒤편에서 밤마다 트럭이 나간다.\nTrucks leave the customs depot every night.";
const REPLY = "Thank you. Which night of the week, and how many trucks?";

type Result = { code: number; stdout: string; stderr: string };
const ok = <T = unknown>(r: Result, stderr: RegExp | "" = ""): T => {
  if (stderr === "") expect(r.stderr.replace(/^(\[\d+\/\d+\] .*)\n/gm, "")).toBe("");
  else expect(r.stderr).toMatch(stderr);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
};
/** A refusal: exit 1, one clean line naming the stable code, no stack or "unexpected error". */
const refused = (r: Result, code: string) => {
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(new RegExp(`^sealdrop: .*\\(${code}\\)\\n$`));
  expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
};

async function mailbox(): Promise<{ day: string; ciphertext: string }[]> {
  const res = await powFetch(`${server.url}/api/mailbox`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id: keys.mailboxId, credential: keys.mailboxCredential }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { replies: { day: string; ciphertext: string }[] }).replies;
}

/** Rewrites a JSON-lines bundle with no raw file bytes: `edit` changes the lines, the end digest is made right again. */
async function rewriteVaultBundle(from: string, to: string, edit: (lines: Record<string, unknown>[]) => void): Promise<void> {
  const lines = (await readFile(from, "utf8")).trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  lines.pop();
  edit(lines);
  const body = lines.map((l) => `${JSON.stringify(l)}\n`).join("");
  await writeFile(to, `${body}${JSON.stringify({ end: { sha256: createHash("sha256").update(body).digest("hex") } })}\n`);
}

beforeAll(async () => {
  dir = await tempDir("sealdrop-split-");
  whole = join(dir, "alice");
  online = join(dir, "alice-online");
  reading = join(dir, "alice-reading");
  server = await startNodeServer({ dataDir: join(dir, "data"), port: 0, host: "127.0.0.1" });
  const init = await runCli(["init", "--name", "Border News", "--desk", "news=News", "--editor-name", "Alice", "--home", whole, "--data", join(dir, "data"), "--server-url", server.url]);
  expect(init.code).toBe(0);
  const newsroom = await fetchNewsroom(server.url);
  keys = await deriveSourceKeys(newCodenameEntropy(), keyKindOf(newsroom.desks[0]!.recipients[0]!));
  pseudonym = pseudonymFor(keys.replyRecipient);
  tipId = (await submitTip(server.url, TIP, [], "news", { reply: { recipient: keys.replyRecipient, mailbox: { id: keys.mailboxId, credential: keys.mailboxCredential } } })).id;
  identity = (await runInProcess(["identity", "export", "--age", "--home", whole])).stdout.trim().split("\n").pop()!;
  expect(identity).toMatch(/^AGE-SECRET-KEY-/);
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe("a split editor home", () => {
  it("home split writes an online half with only the signing key and a reading half with the whole key", async () => {
    const split = ok<{ online: string; reading: string }>(await runCli(["home", "split", "--home", whole, "--online-out", online, "--offline-out", reading, "--json"]));
    expect(split).toMatchObject({ online, reading });
    // Every byte of every file on the online half: no age secret key, in any case, nor the identity's body.
    const files = await filesUnder(online);
    expect(files.map((f) => f.where.slice(online.length + 1)).sort()).toEqual(["editor.key", "roster.json", "split.json"]);
    const body = identity.slice("AGE-SECRET-KEY-".length).toLowerCase();
    for (const f of files) {
      const text = f.bytes.toString("latin1").toLowerCase();
      expect(text).not.toContain("age-secret-key");
      expect(text).not.toContain(body);
    }
    // And what the online key file holds once opened: the signing key, no identity.
    const onlineKey = parseKeyFile(await readFile(join(online, "editor.key"), "utf8"), "online");
    expect(onlineKey.sealdrop).toBe("editor-signing-key-v1");
    const opened = await openSigningKey(onlineKey, PASSPHRASE);
    expect(opened.ageIdentity).toBeNull();
    expect(JSON.stringify({ ...opened, secrets: null })).not.toMatch(/AGE-SECRET-KEY/i);
    await expect(openKeyFile(onlineKey, PASSPHRASE)).rejects.toMatchObject({ code: "no_decryption_key" });
    const readingKey = await openKeyFile(parseKeyFile(await readFile(join(reading, "editor.key"), "utf8"), "reading"), PASSPHRASE);
    expect(readingKey.ageIdentity).toBe(identity);
    expect(toBase64Url(readingKey.signSecretKey)).toBe(toBase64Url(opened.secrets.signSecretKey));
    // Splitting a half again is refused.
    refused(await runInProcess(["home", "split", "--home", reading, "--online-out", join(dir, "x"), "--offline-out", join(dir, "y")]), "already_split");
  });

  it("the online half pulls, and every command that must decrypt fails with no_decryption_key", async () => {
    expect(ok(await runCli(["pull", "--home", online, "--json"]))).toMatchObject({ onServer: 1, newSubmissions: 1 });
    for (const args of [
      ["list"],
      ["read", tipId],
      ["sources"],
      ["source", pseudonym],
      ["notes"],
      ["reply", pseudonym, "--message", "hello"],
      ["note", pseudonym, "--tag", "region:ryanggang"],
      ["identity", "export", "--age"],
    ]) {
      refused(await runInProcess([...args, "--home", online]), "no_decryption_key");
    }
    // Its vault holds ciphertext only.
    for (const f of await filesUnder(online)) expect(f.bytes.includes(Buffer.from("Trucks leave"))).toBe(false);
  });

  it("the reading half never talks to the server", async () => {
    refused(await runInProcess(["pull", "--home", reading]), "reading_half");
    refused(await runInProcess(["delete", tipId, "--home", reading]), "reading_half");
  });

  it("the reading half refuses a vault bundle whose roster does not verify from its pin, and changes nothing", async () => {
    const bundle = join(dir, "first.sealdrop");
    expect((await runInProcess(["export", "--home", online, "--out", bundle])).code).toBe(0);
    const forged = join(dir, "forged-roster.sealdrop");
    await rewriteVaultBundle(bundle, forged, (lines) => {
      const roster = lines[1]!.roster as { entries: { body?: Record<string, unknown> }[] };
      roster.entries[0] = { ...roster.entries[0], forged: true } as never;
    });
    const result = await runInProcess(["import", forged, "--home", reading]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^sealdrop: the roster from the bundle cannot be trusted: .*\(roster_[a-z_]+\)\n$/);
    const read = await runInProcess(["read", tipId, "--home", reading]);
    expect(read.code).toBe(1);
    expect(read.stderr).toMatch(/no submission [0-9a-f]+ in the vault/);
  });

  it("the reading half imports the online half's bundle, verifies its roster and decrypts the tip exactly", async () => {
    const imported = ok<{ newSubmissions: number; roster: { status: string } }>(await runCli(["import", join(dir, "first.sealdrop"), "--home", reading, "--json"]));
    expect(imported).toMatchObject({ newSubmissions: 1, roster: { status: "kept" } });
    const shown = ok<{ id: string; message: string; source: string }>(await runCli(["read", tipId, "--home", reading, "--json"]));
    expect(shown).toMatchObject({ id: tipId, message: TIP, source: pseudonym });
  });

  it("reply and note on the reading half seal into its outbox; export --outbox writes a signed bundle", async () => {
    const reply = ok<{ outbox: boolean; to: string; inReplyTo: string }>(await runCli(["reply", pseudonym, "--message", REPLY, "--home", reading, "--json"]));
    expect(reply).toMatchObject({ outbox: true, to: pseudonym, inReplyTo: tipId });
    const note = ok<{ outbox: boolean }>(await runInProcess(["note", pseudonym, "--tag", "region:ryanggang", "--reliability", "B", "--home", reading, "--json"]));
    expect(note.outbox).toBe(true);
    // Nothing reached the server.
    expect(await mailbox()).toEqual([]);
    const text = await runInProcess(["reply", pseudonym, "--message", "draft two", "--home", reading]);
    expect(text.stdout).toMatch(/^Sealed reply [0-9a-f]{32} to .* into the outbox \(this is the reading half: nothing was sent\)\./);
    const out = join(dir, "outbox.sealdrop");
    const exported = await runInProcess(["export", "--outbox", "--home", reading, "--out", out]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/^Wrote 2 reply\(s\) and 1 note\(s\) from the outbox/);
  });

  it("the online half refuses an outbox bundle altered on the way, or one it did not sign", async () => {
    const out = join(dir, "outbox.sealdrop");
    const original = await readFile(out, "utf8");
    const lines = original.trimEnd().split("\n");
    // A mailbox swapped, digest left alone: damaged.
    const swapped = lines.map((l) => l.replace(/"mailbox":"[0-9a-f]{32}"/, `"mailbox":"${"e".repeat(32)}"`));
    expect(swapped.filter((l, i) => l !== lines[i])).toHaveLength(2);
    await writeFile(join(dir, "swapped.sealdrop"), `${swapped.join("\n")}\n`);
    refused(await runInProcess(["import", join(dir, "swapped.sealdrop"), "--home", online]), "outbox_damaged");
    // The same, with the digest made right again: the signature still fails.
    const body = `${swapped.slice(0, -1).join("\n")}\n`;
    const end = JSON.parse(lines.at(-1)!) as { end: { signature: string } };
    await writeFile(join(dir, "resigned.sealdrop"), `${body}${JSON.stringify({ end: { sha256: createHash("sha256").update(body).digest("hex"), signature: end.end.signature } })}\n`);
    refused(await runInProcess(["import", join(dir, "resigned.sealdrop"), "--home", online]), "outbox_forged");
    // Signed by another key under this editor's id: forged too; under another id: not yours.
    const items = swapped.slice(1, -1).map((l) => (JSON.parse(l) as { item: never }).item);
    const editorId = (JSON.parse(lines[0]!) as { editor: string }).editor;
    await sodium.ready;
    const stranger = sodium.crypto_sign_keypair().privateKey;
    await writeFile(join(dir, "stranger.sealdrop"), await outboxBundleText(editorId, items, stranger));
    refused(await runInProcess(["import", join(dir, "stranger.sealdrop"), "--home", online]), "outbox_forged");
    await writeFile(join(dir, "other.sealdrop"), await outboxBundleText("f".repeat(32), items, stranger));
    refused(await runInProcess(["import", join(dir, "other.sealdrop"), "--home", online]), "outbox_not_yours");
    // Cut short.
    await writeFile(join(dir, "cut.sealdrop"), original.slice(0, original.length - 40));
    refused(await runInProcess(["import", join(dir, "cut.sealdrop"), "--home", online]), "outbox_damaged");
    // The reading half posts nothing.
    refused(await runInProcess(["import", out, "--home", reading]), "reading_half");
    expect(await mailbox()).toEqual([]);
  });

  it("the online half posts the outbox once, however often it is imported, and the source reads the reply", async () => {
    const out = join(dir, "outbox.sealdrop");
    const first = ok<{ items: number; posted: unknown[]; alreadyPosted: number }>(await runCli(["import", out, "--home", online, "--json"]));
    expect(first).toMatchObject({ items: 3, alreadyPosted: 0 });
    expect(first.posted).toHaveLength(3);
    const again = ok(await runCli(["import", out, "--home", online, "--json"]));
    expect(again).toMatchObject({ items: 3, posted: [], alreadyPosted: 3 });

    const replies = await mailbox();
    expect(replies).toHaveLength(2);
    const opened = await Promise.all(replies.map((r) => openJson(replySchema, fromBase64(r.ciphertext), [keys.replyIdentity])));
    expect(opened.map((r) => r.message).sort()).toEqual([REPLY, "draft two"].sort());
    expect(opened.find((r) => r.message === REPLY)).toMatchObject({ from: "News", to: keys.replyRecipient, inReplyTo: tipId });
    // Sealed and signed on the reading half: the signature inside verifies against the roster, as Alice's.
    const roster = (await readPin(editorHome(online)))!.roster;
    for (const r of replies) {
      const raw = JSON.parse(fromUtf8(await openBytes(fromBase64(r.ciphertext), [keys.replyIdentity])));
      expect(verifyMessage(raw, roster, { reader: keys.replyRecipient })).toMatchObject({ status: "verified", desk: "news", author: { name: "Alice" } });
    }
    // The online half has them in its vault already: pulling fetches nothing new.
    expect(ok(await runCli(["pull", "--home", online, "--json"]))).toMatchObject({ newSubmissions: 0, newReplies: 0, newNotes: 0 });
  });

  it("the next vault bundle confirms the outbox, and the reading half's timeline holds each reply once", async () => {
    const bundle = join(dir, "second.sealdrop");
    expect((await runInProcess(["export", "--home", online, "--out", bundle])).code).toBe(0);
    const imported = ok<{ newReplies: number; newNotes: number; outboxConfirmed: number }>(await runInProcess(["import", bundle, "--home", reading, "--json"]));
    expect(imported).toMatchObject({ newReplies: 0, newNotes: 0, outboxConfirmed: 3 });
    refused(await runInProcess(["export", "--outbox", "--home", reading, "--out", join(dir, "empty.sealdrop")]), "outbox_empty");
    const timeline = ok<{ timeline: { type: string; message?: string }[] }>(await runInProcess(["source", pseudonym, "--home", reading, "--json"])).timeline;
    expect(timeline.map((e) => e.type).sort()).toEqual(["note", "reply", "reply", "submission"]);
    expect(timeline.filter((e) => e.type === "reply").map((e) => e.message).sort()).toEqual([REPLY, "draft two"].sort());
  });
});

describe("docs/FORMAT.md outbox bundle vector", () => {
  it("the signed bytes and the signature", async () => {
    const doc = await readFile(new URL("../../docs/FORMAT.md", import.meta.url), "utf8");
    const v = JSON.parse(/```json vector:outbox-bundle\n([\s\S]*?)```/.exec(doc)![1]!) as {
      seedHex: string;
      editor: string;
      bundle: string;
      bodySha256: string;
      signedText: string;
      publicKey: string;
      signature: string;
    };
    const body = v.bundle.slice(0, v.bundle.indexOf("\n") + 1);
    expect(createHash("sha256").update(body).digest("hex")).toBe(v.bodySha256);
    expect(new TextDecoder().decode(outboxSignedBytes(v.bodySha256))).toBe(v.signedText);
    const seed = fromHex(v.seedHex);
    expect(toBase64Url(ed25519.getPublicKey(seed))).toBe(v.publicKey);
    expect(toBase64Url(ed25519.sign(outboxSignedBytes(v.bodySha256), seed))).toBe(v.signature);
    await sodium.ready;
    const key = sodium.crypto_sign_seed_keypair(seed).privateKey;
    expect(await outboxBundleText(v.editor, [], key)).toBe(v.bundle);
    expect(await parseOutboxBundle(new TextEncoder().encode(v.bundle), v.editor, v.publicKey)).toEqual([]);
  });
});
