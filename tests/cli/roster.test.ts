// Authority that the server cannot fake, CLI side (issue 13): a newsroom made by `init` with a root key and a
// roster, colleagues joined by request and approval, staffing changes signed by an admin, and a hostile
// proxy (real HTTP, in front of the real server) that adds a key, remaps a desk, serves an older roster or
// drops an entry. The CLI runs as a subprocess, talks only to the proxy, and must refuse every lie before
// anything is encrypted; what does reach the server is encrypted only to the keys the roster names.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ed25519 } from "@noble/curves/ed25519.js";
import { Decrypter, generateHybridIdentity, identityToRecipient } from "age-encryption";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromBase64, randomId, toBase64Url } from "../../src/core/bytes.js";
import { newCodenameEntropy } from "../../src/core/codename.js";
import { deriveSourceKeys, keyKindOf } from "../../src/core/derive.js";
import { nextEntryBody, type RosterEntry, rosterEntryHash, signRosterEntry } from "../../src/core/roster.js";
import { type RunningServer, startNodeServer } from "../../src/server/node/serve.js";
import { fetchNewsroom, submitTip } from "../helpers/source.js";
import { runCli, tempDir } from "./helpers.js";
import { ageStanzas, startTamperProxy, type TamperProxy } from "./tamper-proxy.js";

let server: RunningServer;
let proxy: TamperProxy;
let dir: string;
let alice: string;
let bob: string;
let carol: string;
let fingerprint: string;
let injectedIdentity: string;
let injectedRecipient: string;
let tipId: string;
const BOB = { SEALDROP_PASSPHRASE: "bob's own long passphrase" };

const ok = (r: { code: number; stdout: string; stderr: string }) => {
  expect(r.stderr, r.stderr).not.toMatch(/sealdrop: /);
  expect(r.code).toBe(0);
  return r;
};
const fingerprintNow = async (home: string) => (JSON.parse(ok(await runCli(["fingerprint", "--home", home, "--json"])).stdout) as { fingerprint: string; kind: string }).fingerprint;
const editorIdOf = async (home: string) => (JSON.parse(await readFile(join(home, "editor.key"), "utf8")) as { editorId: string }).editorId;

beforeAll(async () => {
  dir = await tempDir();
  alice = join(dir, "alice");
  bob = join(dir, "bob");
  carol = join(dir, "carol");
  const dataDir = join(dir, "data");
  server = await startNodeServer({ dataDir, port: 0, host: "127.0.0.1" });
  proxy = await startTamperProxy(server.url);
  const init = await runCli(["init", "--name", "Border News", "--name-ko", "국경 뉴스", "--desk", "news=News", "--editor-name", "Alice", "--home", alice, "--data", dataDir, "--server-url", proxy.url, "--json"]);
  expect(init.stderr).toBe("");
  expect(init.code).toBe(0);
  fingerprint = (JSON.parse(init.stdout) as { fingerprint: string }).fingerprint;
  injectedIdentity = await generateHybridIdentity();
  injectedRecipient = await identityToRecipient(injectedIdentity);
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await server?.close();
});

describe("the root fingerprint", () => {
  it("init prints the root's fingerprint, and fingerprint prints the same after verifying the roster", async () => {
    expect(fingerprint).toMatch(/^([0-9A-F]{4} ){9}[0-9A-F]{4}$/);
    const shown = JSON.parse(ok(await runCli(["fingerprint", "--home", alice, "--json"])).stdout);
    expect(shown).toMatchObject({ name: "Border News", fingerprint, kind: "root", pinned: true });
    const unpinned = JSON.parse(ok(await runCli(["fingerprint", "--server", proxy.url, "--json"])).stdout);
    expect(unpinned).toMatchObject({ fingerprint, kind: "root", pinned: false });
    expect((await fetchNewsroom(server.url)).roster?.fingerprint).toBe(fingerprint);
  });
});

describe("joining and staffing changes", () => {
  it("join pins the root by its fingerprint and refuses a different one", async () => {
    const wrong = await runCli(["join", "--server", proxy.url, "--fingerprint", "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000", "--name", "Mallory", "--home", join(dir, "mallory")]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/not 0000 0000 .*impersonating it \(fingerprint_mismatch\)/);
    const joined = ok(await runCli(["join", "--server", proxy.url, "--fingerprint", fingerprint.replaceAll(" ", "").toLowerCase(), "--name", "Bob", "--home", bob], { env: BOB }));
    expect(joined.stdout).toMatch(/Check code: [0-9A-F]{4} [0-9A-F]{4} [0-9A-F]{4} [0-9A-F]{4}/);
    const request = await readFile(join(bob, "join-request.txt"), "utf8");
    expect(request).toMatch(/^sealdrop-join-v1:[A-Za-z0-9_-]+\n$/);
    expect(request).not.toMatch(/SECRET/);
  });

  it("an admin approves the request, and the output names who added whom", async () => {
    const approved = ok(await runCli(["editor", "approve", join(bob, "join-request.txt"), "--desk", "news", "--home", alice]));
    const bobId = await editorIdOf(bob);
    const aliceId = await editorIdOf(alice);
    expect(approved.stdout).toContain(`Alice [${aliceId.slice(0, 8)}] added Bob [${bobId.slice(0, 8)}] as an editor on desk news`);
    expect(await fingerprintNow(alice)).toBe(fingerprint);
  });

  it("Bob's first command after approval tells him what changed, in words", async () => {
    const pulled = await runCli(["pull", "--home", bob, "--json"], { env: BOB });
    expect(pulled.code).toBe(0);
    expect(pulled.stderr).toMatch(/roster changed since you last looked \(1 new entry, verified\)/);
    expect(pulled.stderr).toMatch(/1\. Alice \[[0-9a-f]{8}\] added Bob \[[0-9a-f]{8}\] as an editor on desk news/);
    const again = await runCli(["pull", "--home", bob], { env: BOB });
    expect(again.stderr).not.toMatch(/roster changed/);
  });

  it("adding a desk, adding, rotating and revoking editors leave the fingerprint as it was", async () => {
    const desk = ok(await runCli(["desk", "add", "inv", "--name", "Investigations", "--name-ko", "탐사보도", "--home", alice]));
    expect(desk.stdout).toMatch(/Alice \[[0-9a-f]{8}\] added desk inv "Investigations" \(탐사보도\)/);
    expect(await fingerprintNow(alice)).toBe(fingerprint);
    ok(await runCli(["editor", "add", "--name", "Carol", "--desk", "inv", "--out-home", carol, "--home", alice], { env: { SEALDROP_NEW_PASSPHRASE: "carol's own long passphrase" } }));
    expect(await fingerprintNow(carol)).toBe(fingerprint);
    const rotated = ok(await runCli(["editor", "rotate", "--home", alice]));
    expect(rotated.stdout).toMatch(/replaced the signing key of Alice/);
    expect(rotated.stdout).toMatch(/Your age key is unchanged/);
    expect(await fingerprintNow(alice)).toBe(fingerprint);
    const revoked = ok(await runCli(["editor", "revoke", await editorIdOf(carol), "--home", alice]));
    expect(revoked.stdout).toMatch(/revoked Carol/);
    expect(revoked.stdout).toMatch(/stays readable with their old key/);
    expect(await fingerprintNow(alice)).toBe(fingerprint);
    expect(await fingerprintNow(bob)).toBe(fingerprint);
  });

  it("roster shows the whole history and who reads each desk", async () => {
    const shown = ok(await runCli(["roster", "--home", bob], { env: BOB }));
    expect(shown.stdout).toMatch(/0\. The root key created the newsroom "Border News" \(국경 뉴스\) with desk news and Alice/);
    expect(shown.stdout).toMatch(/revoked Carol/);
    expect(shown.stdout).toMatch(/news "News": Alice \(admin\), Bob/);
    const listed = JSON.parse(ok(await runCli(["roster", "--home", bob, "--json"], { env: BOB })).stdout) as { fingerprint: string; entries: { type: string }[] };
    expect(listed.fingerprint).toBe(fingerprint);
    expect(listed.entries.map((e) => e.type)).toEqual(["genesis", "add-editor", "add-desk", "set-desks", "add-editor", "rotate-keys", "revoke-editor"]);
  });
});

describe("notes and replies go only to the keys the roster names", () => {
  let sourceIdentity: string;

  beforeAll(async () => {
    const newsroom = await fetchNewsroom(server.url);
    const keys = await deriveSourceKeys(newCodenameEntropy(), keyKindOf(newsroom.desks[0]!.recipients[0]!));
    sourceIdentity = keys.replyIdentity;
    const reply = { recipient: keys.replyRecipient, mailbox: { id: keys.mailboxId, credential: keys.mailboxCredential } };
    tipId = (await submitTip(server.url, "The border post moved two kilometres east", [], "news", { reply })).id;
    ok(await runCli(["pull", "--home", alice]));
  });

  it("a note is sealed to the news desk's editors only, and a reply to the source and that desk", async () => {
    proxy.posted.length = 0;
    ok(await runCli(["note", tipId, "--tag", "topic:grain-prices", "--home", alice]));
    ok(await runCli(["reply", tipId, "--message", "Thank you; which day?", "--home", alice]));
    expect(proxy.posted.map((p) => [p.kind, p.desk])).toEqual([
      ["notes", "news"],
      ["replies", "news"],
    ]);
    // Alice and Bob read news; Carol (inv, revoked) and the injected key do not.
    expect(ageStanzas(fromBase64(proxy.posted[0]!.ciphertext))).toHaveLength(2);
    expect(ageStanzas(fromBase64(proxy.posted[1]!.ciphertext))).toHaveLength(3);
    const reply = new Decrypter();
    reply.addIdentity(sourceIdentity);
    await expect(reply.decrypt(fromBase64(proxy.posted[1]!.ciphertext))).resolves.toBeInstanceOf(Uint8Array);
  });

  const lies: [string, (path: string, body: unknown) => unknown, RegExp][] = [
    [
      "(a) a key added to the newsroom answer",
      (path, body) => {
        if (path !== "/api/newsroom") return undefined;
        const b = body as { desks: { recipients: string[] }[] };
        b.desks[0]!.recipients.push(injectedRecipient);
        return b;
      },
      /other keys for desk news than the roster names.*\(newsroom_mismatch\)/,
    ],
    [
      "(a) an entry added to the roster",
      (path, body) => {
        if (path !== "/api/roster") return undefined;
        const b = body as { entries: RosterEntry[] };
        b.entries.push(forged!);
        return b;
      },
      /cannot be trusted: it does not verify .*\(roster_bad_signature\)/,
    ],
    [
      "(b) a desk mapped to other keys",
      (path, body) => {
        if (path !== "/api/newsroom") return undefined;
        const b = body as { desks: { id: string; recipients: string[] }[] };
        b.desks.find((d) => d.id === "news")!.recipients = [injectedRecipient];
        return b;
      },
      /\(newsroom_mismatch\)/,
    ],
    [
      "(c) an older roster",
      (path, body) => {
        if (path !== "/api/roster") return undefined;
        const b = body as { entries: unknown[] };
        b.entries = b.entries.slice(0, 3);
        return b;
      },
      /serves an older roster than the one this home verified before .*\(roster_rollback\)/,
    ],
    [
      "(d) an entry dropped",
      (path, body) => {
        if (path !== "/api/roster") return undefined;
        const b = body as { entries: unknown[] };
        b.entries.splice(2, 1);
        return b;
      },
      /cannot be trusted: .*an entry is missing, repeated or out of order\)\..*\(roster_bad_seq\)/,
    ],
  ];

  /** What a proxy can make: an add-editor entry for its own key, claiming Alice signed it. */
  let forged: RosterEntry | undefined;
  beforeAll(async () => {
    const seed = ed25519.utils.randomSecretKey();
    const pin = JSON.parse(await readFile(join(alice, "roster.json"), "utf8")) as { entries: RosterEntry[] };
    const last = pin.entries.at(-1)!;
    const body = nextEntryBody({ seq: last.body.seq, hash: rosterEntryHash(last.body) }, await editorIdOf(alice), {
      type: "add-editor",
      editor: { id: randomId(), name: "Proxy", ageRecipient: injectedRecipient, signPublicKey: toBase64Url(ed25519.getPublicKey(seed)), role: "editor", desks: ["news"] },
    });
    forged = await signRosterEntry(body, (m) => ed25519.sign(m, seed));
  });

  for (const [name, tamper, refusal] of lies) {
    it(`pull, note and reply refuse ${name}, and nothing is encrypted to the injected key`, async () => {
      proxy.posted.length = 0;
      proxy.tamper = tamper;
      try {
        for (const args of [["pull"], ["note", tipId, "--tag", "role:transport"], ["reply", tipId, "--message", "Are you safe?"]]) {
          const result = await runCli([...args, "--home", alice]);
          expect(result.code, `${args[0]}: ${result.stderr}`).toBe(1);
          expect(result.stderr).toMatch(refusal);
          expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
        }
      } finally {
        proxy.tamper = null;
      }
      expect(proxy.posted).toEqual([]);
    });
  }

  it("after the lies stop, the pinned roster is unchanged and the same commands work again", async () => {
    ok(await runCli(["pull", "--home", alice]));
    proxy.posted.length = 0;
    ok(await runCli(["note", tipId, "--text", "Checked against the map", "--home", alice]));
    const file = fromBase64(proxy.posted[0]!.ciphertext);
    expect(ageStanzas(file)).toHaveLength(2);
    const injected = new Decrypter();
    injected.addIdentity(injectedIdentity);
    await expect(injected.decrypt(file)).rejects.toThrow(/no identity matched/i);
  });
});
