// A server that lies with control characters: a fake sealdrop API over real HTTP whose every string (names,
// desks, error messages, days, ids where the schema lets them through, and the texts inside the ciphertext
// it relays) carries ESC, OSC, C1 and bidi controls. No such byte may reach the editor's terminal, in text
// or --json, from pull, list, read, notes, source, sources, editor list or fingerprint; what the schemas
// refuse (a poisoned day, desk or id) is a clear error at pull, and the vault stays exportable.
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { sha256 } from "@noble/hashes/sha2.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomId, toHex, utf8 } from "../../src/core/bytes.js";
import { type Envelope, sealBytes, sealEnvelope } from "../../src/core/envelope.js";
import { newsroomFingerprint } from "../../src/core/fingerprint.js";
import { type Note, noteSchema, type Reply, replySchema, sealJson } from "../../src/core/messages.js";
import { pseudonymFor } from "../../src/core/pseudonym.js";
import { type Editor, createEditor, saveEditor } from "../../src/cli/editor.js";
import { editorHome } from "../../src/cli/home.js";
import { Vault } from "../../src/cli/vault.js";
import { BIN, PASSPHRASE, tempDir, testEnv } from "./helpers.js";

/** ESC with a title-setting OSC and a screen clear, C1 CSI/NEL/OSC, and bidi overrides, isolates and marks. */
const P = "\u001b]0;owned\u0007\u001b[2J\u009b31m\u0085\u009d0;x\u009c\u202e\u2066\u200f\u061c";
/** Every byte a terminal could obey: C0 but newline and tab, DEL, C1 and the bidi controls, as characters. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

interface Raw {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a subprocess and decodes its output only once it has all arrived (no split characters). */
function cli(args: string[]): Promise<Raw> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...testEnv() })) if (v !== undefined) env[k] = v;
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on("data", (c: Buffer) => out.push(c));
  child.stderr.on("data", (c: Buffer) => err.push(c));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
  });
}

function expectClean(r: Raw): void {
  for (const [name, text] of [["stdout", r.stdout], ["stderr", r.stderr]] as const) {
    const at = text.search(UNSAFE);
    expect(at, `${name} has U+${text.codePointAt(at)?.toString(16).padStart(4, "0")} at ${at}: ${JSON.stringify(text.slice(Math.max(0, at - 40), at + 10))}`).toBe(-1);
  }
}

type Route = (req: IncomingMessage, res: ServerResponse) => boolean;
const json = (res: ServerResponse, body: unknown, status = 200) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};
const bytes = (res: ServerResponse, data: Uint8Array) => {
  res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(data.length) });
  res.end(data);
};

/** A real HTTP server answering like the sealdrop API; `routes` can be swapped between tests. */
async function fakeApi(): Promise<{ url: string; routes: Route[]; close: () => Promise<void> }> {
  const routes: Route[] = [];
  const server = createServer((req, res) => {
    // The CLI signs its requests; a lying server does not check them.
    req.resume();
    req.once("end", () => {
      for (const route of routes) if (route(req, res)) return;
      json(res, { error: { code: "not_found", message: `nothing at ${req.url}` } }, 404);
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, routes, close: () => new Promise((done) => server.close(() => done())) };
}

let api: Awaited<ReturnType<typeof fakeApi>>;
let dir: string;
let home: string;
let editor: Editor;
const ids = { withReply: randomId(), oddRecipient: randomId(), attachment: randomId(), reply: randomId(), note: randomId(), ghostNote: randomId() };
let sourceRecipient: string;
let envelopes: Record<string, Envelope>;

/** The honest-looking API whose free-text strings are all poisoned (it passes every schema). */
async function poisonedButValid(): Promise<Route[]> {
  const attachmentPlain = utf8(`attachment text ${P}`);
  const attachment = await sealBytes(attachmentPlain, [editor.ageRecipient]);
  const manifest = { name: `${P}report${P}.txt`, type: `text/${P}plain`, size: attachmentPlain.length, sha256: toHex(sha256(attachmentPlain)) };
  const reply = { recipient: sourceRecipient, mailbox: { id: "ab".repeat(16), credential: "cd".repeat(32) } };
  envelopes = {
    [ids.withReply]: { v: 1, kind: "submission", desk: `news${P}`, message: `first line ${P}\nsecond ${P}`, fields: { [`region${P}`]: `Hyesan${P}` }, attachments: [manifest], reply, client: `c${P}`, lang: "ko\u202e\u009b" },
    [ids.oddRecipient]: { v: 1, kind: "followup", desk: "news", message: `${P}follow-up`, fields: {}, attachments: [], reply: { ...reply, recipient: `age1${P}` }, client: "c", lang: "en" },
  };
  const sealed = new Map<string, Uint8Array>();
  for (const [id, e] of Object.entries(envelopes)) sealed.set(id, await sealEnvelope(e, [editor.ageRecipient]));
  const replyText: Reply = { v: 1, kind: "reply", message: `we read you ${P}`, from: `Desk ${P}`, to: sourceRecipient, inReplyTo: ids.withReply, day: "2026-11-30" };
  const sealedReply = await sealJson(replySchema, replyText, [editor.ageRecipient]);
  const note = (subject: Note["subject"]): Note => ({
    v: 1, kind: "note", subject, tags: [`region:${P}Hyesan`], reliability: "B", credibility: 2, text: `met ${P} twice`,
    links: [{ submission: ids.oddRecipient, relation: "corroborates" }], author: `Bob ${P}`, day: "2026-11-30", written: "2026-11-30T10:00:00Z\u202e",
  });
  const sealedNote = await sealJson(noteSchema, note({ type: "source", pseudonym: pseudonymFor(sourceRecipient) }), [editor.ageRecipient]);
  const ghostNote = await sealJson(noteSchema, note({ type: "source", pseudonym: `Ghost ${P}` }), [editor.ageRecipient]);
  const recipients = [editor.ageRecipient];
  const blobs = new Map<string, Uint8Array>([
    [`/api/editor/submissions/${ids.withReply}/envelope`, sealed.get(ids.withReply)!],
    [`/api/editor/submissions/${ids.oddRecipient}/envelope`, sealed.get(ids.oddRecipient)!],
    [`/api/editor/attachments/${ids.attachment}`, attachment],
    [`/api/editor/replies/${ids.reply}`, sealedReply],
    [`/api/editor/notes/${ids.note}`, sealedNote],
    [`/api/editor/notes/${ids.ghostNote}`, ghostNote],
  ]);
  return [
    (req, res) => {
      const path = req.url ?? "";
      if (path === "/api/newsroom") {
        json(res, { name: `Liar ${P} News`, fingerprint: newsroomFingerprint(recipients), desks: [{ id: "news", name: `News ${P}`, recipients }], limits: { maxEnvelopeBytes: 1, maxPartBytes: 1, maxAttachmentBytes: 1 } });
      } else if (path === "/api/editor/newsroom") {
        json(res, {
          name: `Liar ${P} News`,
          desks: [{ id: "news", name: `News ${P}`, editors: [editor.header.editorId] }],
          editors: [{ id: editor.header.editorId, name: `Alice ${P}`, ageRecipient: editor.ageRecipient, signPublicKey: `key${P}`, revoked: false }],
        });
      } else if (path === "/api/editor/submissions") {
        json(res, {
          submissions: [
            { id: ids.withReply, desk: "news", day: "2026-11-29", envelopeSize: sealed.get(ids.withReply)!.length, attachments: [{ id: ids.attachment, position: 0, size: attachment.length }] },
            { id: ids.oddRecipient, desk: "news", day: "2026-11-30", envelopeSize: sealed.get(ids.oddRecipient)!.length, attachments: [] },
          ],
        });
      } else if (path === "/api/editor/replies") {
        json(res, { replies: [{ id: ids.reply, day: "2026-11-30", size: sealedReply.length }] });
      } else if (path === "/api/editor/notes") {
        json(res, { notes: [{ id: ids.note, day: "2026-11-30", size: sealedNote.length }, { id: ids.ghostNote, day: "2026-11-30", size: ghostNote.length }] });
      } else if (blobs.has(path)) {
        bytes(res, blobs.get(path)!);
      } else return false;
      return true;
    },
  ];
}

beforeAll(async () => {
  api = await fakeApi();
  dir = await tempDir();
  home = join(dir, "home");
  editor = await createEditor("Alice", api.url, "Liar News", true);
  await saveEditor(editorHome(home), editor, PASSPHRASE, { env: testEnv() });
  sourceRecipient = await identityToRecipient(await generateX25519Identity());
  api.routes.push(...(await poisonedButValid()));
});

afterAll(async () => {
  await api?.close();
});

describe("a server whose every string carries terminal controls", () => {
  it("pull stores everything and prints none of it raw", async () => {
    const pulled = await cli(["pull", "--home", home]);
    expectClean(pulled);
    expect(pulled.code).toBe(0);
    expect(pulled.stdout).toMatch(/^2 new submission\(s\), 1 new attachment\(s\), 1 new reply\(s\) to sources, 2 new desk note\(s\)/);
    const again = await cli(["pull", "--home", home, "--json"]);
    expectClean(again);
    expect(JSON.parse(again.stdout)).toMatchObject({ newSubmissions: 0, onServer: 2 });
  });

  it.each([
    ["list"],
    ["read", ids.withReply.slice(0, 10), "--out", "OUT"],
    ["read", ids.oddRecipient],
    ["notes"],
    ["notes", "ghost"],
    ["source", "PSEUDONYM"],
    ["sources"],
    ["fingerprint"],
  ])("%s prints no control character, in text or --json", async (...args) => {
    // Text and JSON run at once, so each saves into its own folder (read refuses to overwrite a file).
    const argvFor = (mode: string) => args.map((a) => (a === "OUT" ? join(dir, `out-${mode}`) : a === "PSEUDONYM" ? pseudonymFor(sourceRecipient) : a));
    const argv = argvFor("text");
    const [text, asJson] = await Promise.all([cli([...argv, "--home", home]), cli([...argvFor("json"), "--home", home, "--json"])]);
    expectClean(text);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).not.toBe("");
    expectClean(asJson);
    expect(asJson.code, asJson.stderr).toBe(0);
    // Escaped, not lost: a script that parses the JSON gets the server's strings back whole.
    const parsed = JSON.parse(asJson.stdout);
    if (argv[0] === "read" && argv[1] === ids.withReply.slice(0, 10)) {
      expect(parsed.message).toBe(envelopes[ids.withReply]!.message);
      expect(parsed.attachments[0]).toMatchObject({ name: envelopes[ids.withReply]!.attachments[0]!.name, savedAs: expect.any(String) });
    }
    if (argv[0] === "notes" && argv[1] === undefined) expect(parsed.map((n: { author: string }) => n.author)).toEqual([`Bob ${P}`, `Bob ${P}`]);
  });

  // `editor list` reads the signed roster, whose names the verifier refuses when they carry controls; this
  // server has none to offer, so the answer is a clean refusal with the roster's stable code.
  it("editor list refuses a server without a verified roster, and prints no control character", async () => {
    const [text, asJson] = await Promise.all([cli(["editor", "list", "--home", home]), cli(["editor", "list", "--home", home, "--json"])]);
    for (const r of [text, asJson]) {
      expectClean(r);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("roster_missing");
    }
  });

  it("the text views still show the words around the controls", async () => {
    const [read, sources] = await Promise.all([cli(["read", ids.withReply, "--home", home, "--out", join(dir, "out2")]), cli(["sources", "--home", home])]);
    expect(read.stdout).toContain("first line ]0;owned[2J31m0;x");
    expect(read.stdout).toContain("Desk: news   Day: 2026-11-29");
    expect(sources.stdout).toContain("Ghost ]0;owned[2J31m0;x");
  });
});

describe("answers the schemas refuse", () => {
  const swap = async (route: Route) => {
    api.routes.splice(0, api.routes.length, route, ...(await poisonedButValid()));
  };
  const listing = (patch: Record<string, unknown>): Route => (req, res) => {
    if (req.url !== "/api/editor/submissions") return false;
    json(res, { submissions: [{ id: randomId(), desk: "news", day: "2026-11-30", envelopeSize: 100, attachments: [], ...patch }] });
    return true;
  };

  it.each([
    ["a day with controls", { day: `2026-11-30${P}` }],
    ["a day that is no date", { day: "2026-02-30" }],
    ["a desk with controls", { desk: `news${P}` }],
    ["an id with controls", { id: `${"a".repeat(31)}${P}` }],
  ])("pull refuses %s with a clear error and stores nothing from it", async (_, patch) => {
    await swap(listing(patch));
    const pulled = await cli(["pull", "--home", home]);
    expectClean(pulled);
    expect(pulled.code).toBe(1);
    expect(pulled.stderr).toMatch(/^sealdrop: unexpected answer to GET \/api\/editor\/submissions: /);
    const vault = await Vault.open(join(home, "vault.sqlite"));
    try {
      expect((await vault.submissions()).map((s) => s.id).sort()).toEqual([ids.withReply, ids.oddRecipient].sort());
    } finally {
      await vault.close();
    }
  });

  it("after a refused pull the vault still exports and imports", async () => {
    await swap(listing({ day: `2026-11-30${P}` }));
    expect((await cli(["pull", "--home", home])).code).toBe(1);
    const bundle = join(dir, "vault.bundle");
    const exported = await cli(["export", "--home", home, "--out", bundle]);
    expect(exported.code, exported.stderr).toBe(0);
    const imported = await cli(["import", bundle, "--home", join(dir, "other"), "--json"]);
    expectClean(imported);
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ newSubmissions: 2, newAttachments: 1, newReplies: 1, newNotes: 2 });
  });

  it("an error whose code and message carry controls is shown without them", async () => {
    await swap((req, res) => {
      json(res, { error: { code: `forbidden${P}`, message: `go away ${P}` } }, 403);
      return true;
    });
    const runs = await Promise.all([["pull"], ["editor", "list"], ["editor", "list", "--json"], ["fingerprint"]].map((args) => cli([...args, "--home", home])));
    for (const r of runs) {
      expectClean(r);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^sealdrop: the server refused: go away \]0;owned\[2J31m0;x \(forbidden\]0;owned/);
    }
  });
});
