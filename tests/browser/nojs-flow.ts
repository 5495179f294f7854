// The path without JavaScript, end to end, for any browser with scripts off (Tor Browser "Safest"): the
// same steps whichever driver works the browser (tests/browser/nojs*.e2e.test.ts). A source sends a tip
// with a canary and a phone JPEG carrying GPS, keeps the codename, reads the editor's reply (written with
// `sealdrop reply`) and sends a follow-up; the editor reads it all back exactly with `sealdrop pull`/`read`.
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import { expect } from "vitest";
import { toHex } from "../../src/core/bytes.js";
import { phraseToCodename } from "../../src/core/codename.js";
import { deriveSourceKeys } from "../../src/core/derive.js";
import { cleanMedia } from "../../src/core/media/index.js";
import { pseudonymFor } from "../../src/core/pseudonym.js";
import { NOJS_CLIENT } from "../../src/server/routes/nojs.js";
import type { Catalogue } from "../../src/i18n/en.js";
import { wordlist as english } from "@scure/bip39/wordlists/english.js";
import { findInDataDir } from "../helpers/data-dir.js";
import { answerOf } from "../helpers/nojs.js";
import { ifd0Tags, jpeg, jpegExif, ORIENTATION, phoneTiff } from "../helpers/phone-jpeg.js";
import type { Newsroom } from "./newsroom.js";

/** What the flow needs of a browser with JavaScript off; each test file implements it for its driver. */
export interface NoJsBrowser {
  goto(url: string): Promise<void>;
  fill(selector: string, value: string): Promise<void>;
  setFiles(selector: string, paths: string[]): Promise<void>;
  /** Clicks a submit button and waits for the page the form's answer loads. */
  submit(selector: string): Promise<void>;
  text(selector: string): Promise<string>;
  texts(selector: string): Promise<string[]>;
  count(selector: string): Promise<number>;
  /** The field's current value. */
  value(selector: string): Promise<string>;
  url(): string;
}

async function answerQuestion(b: NoJsBrowser, labels: Catalogue): Promise<void> {
  await b.fill("#answer", String(answerOf(labels, await b.text("label[for=answer]"))));
}

export interface FlowResult {
  canary: string;
}

export async function runNoJsFlow(b: NoJsBrowser, newsroom: Newsroom, labels: Catalogue, lang: "en"): Promise<FlowResult> {
  const origin = newsroom.server.url;
  const canary = `canary-${toHex(randomBytes(12))}`;
  const message = `${canary}\nTrucks at the customs house, three of them.\nPlates start with 12.`;
  const files = join(newsroom.root, "source-files");
  await mkdir(files, { recursive: true });
  // A phone photo turned on its side, with the phone's make and where it was taken.
  const photo = jpeg(phoneTiff(6));
  const photoName = `IMG_${toHex(randomBytes(3))}.jpg`;
  const document = randomBytes(300_000);
  const documentName = `ledger-${toHex(randomBytes(4))}.bin`;
  await writeFile(join(files, photoName), photo);
  await writeFile(join(files, documentName), document);

  // The page at `/` is a form: with scripts off the browser shows the <noscript> part, which says the mode.
  await b.goto(`${origin}/?lang=${lang}`);
  expect(await b.count("form[data-form=first][enctype='multipart/form-data']")).toBe(1);
  expect(await b.text("#mode")).toBe(labels.nojsMode);
  expect(await b.text("#fingerprint")).toMatch(/^([0-9A-F]{4} ){9}[0-9A-F]{4}$/);

  // A wrong answer: the form comes back with the message kept, the question new, nothing stored.
  await b.fill("#message", message);
  const question = await b.text("label[for=answer]");
  await b.fill("#answer", String(answerOf(labels, question) + 1));
  await b.submit("form[data-form=first] button[type=submit]");
  expect(await b.text("#form-error")).toBe(labels.nojsWrongAnswer);
  expect(await b.value("#message")).toBe(message);

  await answerQuestion(b, labels);
  await b.setFiles("#files", [join(files, photoName), join(files, documentName)]);
  await b.submit("form[data-form=first] button[type=submit]");
  expect(await b.text("#receipt-heading")).toBe(labels.receiptHeading);
  expect(await b.text("#mode")).toBe(labels.nojsModeReceipt);
  const id = await b.text("#receipt-id");
  expect(id).toMatch(/^[0-9a-f]{32}$/);
  const words = await b.texts("#codename-words li");
  expect(words).toHaveLength(12);
  const report = await b.texts("#file-report li");
  expect(report.find((r) => r.includes(photoName))).toContain(labels.metaLocation);
  expect(b.url()).not.toContain(canary);

  // The editor reads the tip exactly; the picture lost its GPS and kept its orientation.
  const pulled = JSON.parse(await newsroom.sealdrop("pull", "--server", origin, "--json")) as { newSubmissions: number };
  expect(pulled.newSubmissions).toBe(1);
  const out = join(newsroom.root, "out");
  type Read = { message: string; kind: string; client: string; lang: string; reply: { recipient: string } | null; attachments: { name: string; size: number; sha256: string; savedAs: string }[] };
  const read = JSON.parse(await newsroom.sealdrop("read", id, "--out", out, "--json")) as Read;
  expect(read).toMatchObject({ message, kind: "submission", client: NOJS_CLIENT, lang });
  expect(read.attachments.map((a) => a.name)).toEqual([photoName, documentName]);
  const [savedPhoto, savedDocument] = read.attachments as [Read["attachments"][number], Read["attachments"][number]];
  const received = new Uint8Array(await readFile(savedPhoto.savedAs));
  const expected = cleanMedia(photo, photoName, "image/jpeg");
  expect(expected.status).toBe("cleaned");
  expect(toHex(sha256(received))).toBe(toHex(sha256((expected as { cleaned: Uint8Array }).cleaned)));
  const exif = jpegExif(received);
  expect(exif).toHaveLength(1);
  expect([...ifd0Tags(exif[0]!)]).toEqual([[ORIENTATION, 6]]);
  expect(Buffer.from(received).includes("Apple")).toBe(false);
  expect(savedDocument).toMatchObject({ size: document.length, sha256: toHex(sha256(document)) });
  expect(toHex(sha256(await readFile(savedDocument.savedAs)))).toBe(toHex(sha256(document)));

  // The codename the page showed is the reply channel in the envelope.
  const keys = await deriveSourceKeys(phraseToCodename(words.join(" "), [english]), "pq");
  expect(read.reply?.recipient).toBe(keys.replyRecipient);
  const pseudonym = pseudonymFor(keys.replyRecipient);
  const replyText = `Thank you. Which road did they take?\n<b>reply-${toHex(randomBytes(6))}</b>`;
  await newsroom.sealdrop("reply", pseudonym, "--message", replyText, "--server", origin);

  // Back with the codename: the reply, as text, and a follow-up.
  await b.goto(`${origin}/?lang=${lang}`);
  await b.goto(`${origin}/replies?lang=${lang}`);
  expect(await b.text("#mode")).toBe(labels.nojsMode);
  await b.fill("#codename-input", words.join(" "));
  await answerQuestion(b, labels);
  await b.submit("#codename-form button[type=submit]");
  expect(await b.texts(".reply-message")).toEqual([replyText]);
  expect(await b.count(".reply b")).toBe(0);
  const followup = `${canary}-followup\nThe north road, towards the river.`;
  await b.fill("#message", followup);
  await answerQuestion(b, labels);
  await b.submit("form[data-form=followup] button[type=submit]");
  expect(await b.text("#receipt-heading")).toBe(labels.followupReceiptHeading);
  expect(await b.count("#codename-words")).toBe(0);
  const followupId = await b.text("#receipt-id");

  await newsroom.sealdrop("pull", "--server", origin, "--json");
  const second = JSON.parse(await newsroom.sealdrop("read", followupId, "--out", out, "--json")) as Read;
  expect(second).toMatchObject({ message: followup, kind: "followup", client: NOJS_CLIENT });
  expect(second.reply?.recipient).toBe(keys.replyRecipient);
  const sources = JSON.parse(await newsroom.sealdrop("sources", "--json")) as { pseudonym: string; submissions: number; followups: number; replies: number }[];
  expect(sources).toMatchObject([{ pseudonym, submissions: 2, followups: 1, replies: 1 }]);

  // No plaintext on the server's disk or in its output: messages, file names, file contents, GPS'd bytes.
  const needles = [Buffer.from(canary), Buffer.from(photoName), Buffer.from(documentName), Buffer.from(document.subarray(1000, 1032)), Buffer.from(photo.subarray(0, 48)), Buffer.from(words.join(" "))];
  expect(await findInDataDir(newsroom.dataDir, needles)).toEqual([]);
  for (const n of needles) expect(newsroom.server.output().includes(n)).toBe(false);
  return { canary };
}
