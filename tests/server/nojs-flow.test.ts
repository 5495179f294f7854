// The page without JavaScript over real HTTP, without a browser, on whichever backend
// SEALDROP_TEST_BACKEND names (Node + SQLite, PostgreSQL, workerd): the form at `/` is fetched and posted
// back as a browser posts it (multipart/form-data, fields in the form's order), a codename is kept, the
// editor's reply is read at `/replies` and a follow-up sent from there. The editor opens everything
// exactly; the picture lost its GPS and kept its orientation; no plaintext is in any store.
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { wordlist as english } from "@scure/bip39/wordlists/english.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBase64, toHex } from "../../src/core/bytes.js";
import { phraseToCodename } from "../../src/core/codename.js";
import { credentialHash, deriveSourceKeys } from "../../src/core/derive.js";
import { type Envelope, openBytes, openEnvelope } from "../../src/core/envelope.js";
import { cleanMedia } from "../../src/core/media/index.js";
import { type Reply, replySchema, sealJson } from "../../src/core/messages.js";
import { en } from "../../src/i18n/en.js";
import { NOJS_CLIENT } from "../../src/server/routes/nojs.js";
import { freshFetch } from "../helpers/http.js";
import { answerOf, inputValue, textOf, textsOf } from "../helpers/nojs.js";
import { ifd0Tags, jpeg, jpegExif, ORIENTATION, phoneTiff } from "../helpers/phone-jpeg.js";
import { editorFetch, startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
let clientDir: string;

beforeAll(async () => {
  // A built page as small as the route needs: a stylesheet link and a <noscript> for the form.
  clientDir = await mkdtemp(join(tmpdir(), "sealdrop-client-"));
  await mkdir(join(clientDir, "assets"));
  await writeFile(join(clientDir, "index.html"), '<!doctype html><html lang="en"><head><link rel="stylesheet" href="/assets/page.css"></head><body><div id="app"></div><noscript>Turn JavaScript on.</noscript></body></html>');
  await writeFile(join(clientDir, "assets", "page.css"), "body{}");
  server = await startTestServer({ clientDir });
}, 180_000);

afterAll(async () => {
  await server?.dispose();
  if (clientDir) await rm(clientDir, { recursive: true, force: true });
});

async function page(path: string, init: RequestInit = {}): Promise<{ status: number; html: string }> {
  const res = await freshFetch(server.url + path, init);
  expect(res.headers.get("content-type")).toMatch(/^text\/html/);
  expect(res.headers.get("set-cookie")).toBeNull();
  expect(res.headers.get("cache-control")).toBe("no-store");
  return { status: res.status, html: await res.text() };
}

/** The answer to the page's check question. */
const answer = (html: string) => String(answerOf(en, textOf(html, "label", 'for="answer"')));

/** A form posted as a browser posts it: the fields in order, each file with its name and type. */
function multipart(fields: [string, string | { name: string; type: string; bytes: Uint8Array }][]): FormData {
  const form = new FormData();
  for (const [name, value] of fields) {
    if (typeof value === "string") form.append(name, value);
    else form.append(name, new Blob([Uint8Array.from(value.bytes)], { type: value.type }), value.name);
  }
  return form;
}

async function envelopeOf(id: string): Promise<Envelope> {
  const res = await editorFetch(server, server.editor, "GET", `/api/editor/submissions/${id}/envelope`);
  expect(res.status).toBe(200);
  return openEnvelope(new Uint8Array(await res.arrayBuffer()), [server.editor.identity]);
}

async function attachmentsOf(id: string): Promise<Uint8Array[]> {
  const list = await editorFetch(server, server.editor, "GET", "/api/editor/submissions");
  const { submissions } = (await list.json()) as { submissions: { id: string; attachments: { id: string }[] }[] };
  const found = submissions.find((s) => s.id === id);
  expect(found).toBeDefined();
  const out: Uint8Array[] = [];
  for (const a of found!.attachments) {
    const res = await editorFetch(server, server.editor, "GET", `/api/editor/attachments/${a.id}`);
    out.push(await openBytes(new Uint8Array(await res.arrayBuffer()), [server.editor.identity]));
  }
  return out;
}

describe(`the page without JavaScript, posted over HTTP (${process.env.SEALDROP_TEST_BACKEND ?? "sqlite"})`, () => {
  it("takes a tip with a picture, keeps a codename, shows the reply and takes a follow-up; the editor reads it all exactly", async () => {
    const canary = `canary-${toHex(randomBytes(12))}`;
    // As a browser sends a textarea: CRLF line breaks.
    const message = `${canary}\r\nTrucks at the customs house.\r\nPlates start with 12.`;
    const photo = jpeg(phoneTiff(6));
    const photoName = `IMG_${toHex(randomBytes(3))}.jpg`;
    const document = new Uint8Array(randomBytes(300_000));
    const documentName = `ledger-${toHex(randomBytes(4))}.bin`;

    const start = await page("/?lang=en");
    expect(start.status).toBe(200);
    expect(textOf(start.html, "p", 'id="mode"')).toBe(en.nojsMode);
    const desk = "investigations";
    const tipFields = (html: string, extra: [string, string][] = []) =>
      [
        ["lang", "en"],
        ["challenge", inputValue(html, "challenge")],
        ...extra,
        ["desk", desk],
      ] as [string, string][];

    // A wrong answer: the form again, the message kept, nothing stored.
    const wrong = await page("/", { method: "POST", body: multipart([...tipFields(start.html), ["message", message], ["answer", String(Number(answer(start.html)) + 1)]]) });
    expect(wrong.status).toBe(403);
    expect(textOf(wrong.html, "p", 'id="form-error"')).toBe(en.nojsWrongAnswer);
    expect(textOf(wrong.html, "textarea", 'id="message"')).toBe(message.replace(/\r\n/g, "\n"));

    const sent = await page("/", {
      method: "POST",
      body: multipart([
        ...tipFields(wrong.html),
        ["message", message],
        ["answer", answer(wrong.html)],
        ["files", { name: photoName, type: "image/jpeg", bytes: photo }],
        ["files", { name: documentName, type: "application/octet-stream", bytes: document }],
        ["keep-codename", "1"],
      ]),
    });
    expect(sent.status).toBe(200);
    expect(textOf(sent.html, "h2", 'id="receipt-heading"')).toBe(en.receiptHeading);
    expect(textOf(sent.html, "p", 'id="mode"')).toBe(en.nojsModeReceipt);
    const id = textOf(sent.html, "code", 'id="receipt-id"');
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    const words = textsOf(/<ol id="codename-words"[\s\S]*?<\/ol>/.exec(sent.html)?.[0] ?? "", "li", "");
    expect(words).toHaveLength(12);

    // The editor's view: the message with the page's line breaks, the files, the reply channel.
    const tip = await envelopeOf(id);
    expect(tip).toMatchObject({ kind: "submission", desk, message: message.replace(/\r\n/g, "\n"), client: NOJS_CLIENT, lang: "en" });
    expect(tip.attachments.map((a) => a.name)).toEqual([photoName, documentName]);
    const [receivedPhoto, receivedDocument] = (await attachmentsOf(id)) as [Uint8Array, Uint8Array];
    const cleaned = cleanMedia(photo, photoName, "image/jpeg");
    expect(cleaned.status).toBe("cleaned");
    expect(Buffer.from(receivedPhoto).equals(Buffer.from((cleaned as { cleaned: Uint8Array }).cleaned))).toBe(true);
    const exif = jpegExif(receivedPhoto);
    expect(exif).toHaveLength(1);
    expect([...ifd0Tags(exif[0]!)]).toEqual([[ORIENTATION, 6]]);
    expect(Buffer.from(receivedDocument).equals(Buffer.from(document))).toBe(true);
    const keys = await deriveSourceKeys(phraseToCodename(words.join(" "), [english]), "pq");
    expect(tip.reply).toEqual({ recipient: keys.replyRecipient, mailbox: { id: keys.mailboxId, credential: keys.mailboxCredential } });

    const replyText = `Which road did they take? <b>reply-${toHex(randomBytes(6))}</b>`;
    const reply: Reply = { v: 1, kind: "reply", message: replyText, from: "News", to: keys.replyRecipient, inReplyTo: null, day: "2026-11-28" };
    const ciphertext = await sealJson(replySchema, reply, [keys.replyRecipient, server.editor.recipient]);
    const replied = await editorFetch(server, server.editor, "POST", "/api/editor/replies", { mailbox: keys.mailboxId, credentialHash: credentialHash(keys.mailboxCredential), ciphertext: toBase64(ciphertext) });
    expect(replied.status).toBe(201);

    // Back with the codename: the reply as text, and a follow-up form that carries the codename.
    const back = await page("/replies?lang=en");
    expect(textOf(back.html, "p", 'id="mode"')).toBe(en.nojsMode);
    const fields = new URLSearchParams({ lang: "en", challenge: inputValue(back.html, "challenge"), codename: words.join(" "), answer: answer(back.html) });
    const mailbox = await page("/replies", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: fields.toString() });
    expect(mailbox.status).toBe(200);
    expect(textsOf(mailbox.html, "p", 'class="reply-message"')).toEqual([replyText]);
    expect(mailbox.html).not.toContain("<b>reply-");
    const followup = `${canary}-followup\r\nThe north road.`;
    const again = await page("/", {
      method: "POST",
      body: multipart([...tipFields(mailbox.html, [["codename", inputValue(mailbox.html, "codename")]]), ["message", followup], ["answer", answer(mailbox.html)], ["files", { name: "", type: "application/octet-stream", bytes: new Uint8Array(0) }]]),
    });
    expect(again.status).toBe(200);
    expect(textOf(again.html, "h2", 'id="receipt-heading"')).toBe(en.followupReceiptHeading);
    expect(again.html).not.toContain('id="codename-words"');
    const second = await envelopeOf(textOf(again.html, "code", 'id="receipt-id"'));
    expect(second).toMatchObject({ kind: "followup", message: followup.replace(/\r\n/g, "\n"), client: NOJS_CLIENT, reply: tip.reply });

    // No plaintext in any store: messages, names, file bytes, the GPS'd original, the codename.
    const needles = [canary, photoName, documentName, words.join(" ")].map((s) => Buffer.from(s));
    needles.push(Buffer.from(document.subarray(1000, 1032)), Buffer.from(photo.subarray(0, 48)));
    for (const { where, bytes } of await server.storedBytes()) for (const n of needles) expect(bytes.includes(n), `${where} holds ${n.toString("hex").slice(0, 16)}`).toBe(false);
  }, 240_000);
});
