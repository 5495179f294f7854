// Signed notes and replies, end to end (issue 13): a real server, the real CLI as a subprocess, and a proxy
// that keeps what is posted. `note` and `reply` sign what they seal (services/seal-message.ts), naming
// exactly the recipients the age file is encrypted to; readers verify every note and reply against their
// verified roster, and a forged one (valid encryption, but unsigned, signed by a key outside the roster,
// or claiming another author), posted straight to the server's API, is listed as unverified and does not
// change the source's grade. A `news` editor never sees an `inv` note.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromBase64, fromUtf8 } from "../../src/core/bytes.js";
import { newCodenameEntropy } from "../../src/core/codename.js";
import { deriveSourceKeys, keyKindOf } from "../../src/core/derive.js";
import { openBytes } from "../../src/core/envelope.js";
import { pseudonymFor } from "../../src/core/pseudonym.js";
import { verifyMessage } from "../../src/core/signed-message.js";
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

const ok = (r: { code: number; stdout: string; stderr: string }) => {
  expect(r.stderr, r.stderr).not.toMatch(/sealdrop: /);
  expect(r.code, r.stderr).toBe(0);
  return r;
};
const json = <T>(r: { code: number; stdout: string; stderr: string }): T => JSON.parse(ok(r).stdout) as T;

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
    ok(await runCli(["note", tipId, "--reliability", "B", "--credibility", "2", "--tag", "region:hyesan", "--home", carol]));
    expect(proxy.posted.map((p) => [p.kind, p.desk])).toEqual([["notes", "inv"]]);
    const ciphertext = fromBase64(proxy.posted[0]!.ciphertext);
    const aliceKeys = await keysOf(alice);
    const raw = JSON.parse(fromUtf8(await openBytes(ciphertext, [aliceKeys.ageIdentity])));
    const roster = (await readPin(editorHome(alice)))!.roster;
    const result = verifyMessage(raw, roster, { reader: (await readPin(editorHome(alice)))!.roster.state.editors[0]!.ageRecipient });
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
