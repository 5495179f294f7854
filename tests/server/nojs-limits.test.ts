// The limits of the page without JavaScript (issue 16), over real HTTP on a real store: a form post that
// finds the anonymous body gate full gets the busy page (503) and stores nothing; one whose body stops
// arriving is cut off with the stalled page (408) after the body idle time and stores nothing; opening a
// mailbox spends its check question in memory (no pow_spent row), while a tip spends its own in the
// database, as src/server/nojs/challenge.ts intends.
//
// The body gate and idle time are settings of the Node entry (src/server/body.ts, `bodies`), so this runs
// on Node + SQLite, or Node + PostgreSQL with SEALDROP_TEST_BACKEND=postgres; with workerd named it runs
// on Node + SQLite too (workerd has no body gates of ours: docs/SECURITY.md, "On Workers").
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Catalogue, en } from "../../src/i18n/en.js";
import { ko } from "../../src/i18n/ko.js";
import type { Database } from "../../src/server/db/schema.js";
import { openNodeDatabase } from "../../src/server/node/database.js";
import { openPostgresDatabase } from "../../src/server/postgres/database.js";
import { currentBackend } from "../helpers/deployment.js";
import { freshFetch } from "../helpers/http.js";
import { answerOf, inputValue, textOf, textsOf } from "../helpers/nojs.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

const backend = currentBackend() === "postgres" ? "postgres" : "sqlite";
/** Room in the anonymous body gate: a small form fits, a form of ROOM + 1 bytes or more does not. */
const ROOM = 8192;
const IDLE_SECONDS = 1;
const BOUNDARY = "----sealdropNoJsLimits7MA4YWxkTrZu0gW";

let server: TestServer;
let clientDir: string;
let db: Kysely<Database>;

beforeAll(async () => {
  clientDir = await mkdtemp(join(tmpdir(), "sealdrop-client-"));
  await mkdir(join(clientDir, "assets"));
  await writeFile(join(clientDir, "index.html"), '<!doctype html><html lang="en"><head><link rel="stylesheet" href="/assets/page.css"></head><body><div id="app"></div><noscript>Turn JavaScript on.</noscript></body></html>');
  await writeFile(join(clientDir, "assets", "page.css"), "body{}");
  server = await startTestServer({ clientDir, backend, bodies: { anonymousBytes: ROOM, idleSeconds: IDLE_SECONDS } });
  // The test's own connection to the server's store, to count rows.
  db = backend === "postgres" ? await openPostgresDatabase(server.databaseUrl!) : await openNodeDatabase(server.dataDir);
}, 180_000);

afterAll(async () => {
  await db?.destroy();
  await server?.dispose();
  if (clientDir) await rm(clientDir, { recursive: true, force: true });
});

const count = async (table: "pow_spent" | "submissions" | "attachments" | "uploads") =>
  Number((await db.selectFrom(table).select((e) => e.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);

const stored = async () => ({ submissions: await count("submissions"), attachments: await count("attachments"), uploads: await count("uploads") });

/** A page of the form: HTML, no cookie, never cached. */
async function page(path: string, init: RequestInit = {}): Promise<{ status: number; html: string; headers: Headers }> {
  const res = await freshFetch(server.url + path, init);
  expect(res.headers.get("content-type")).toMatch(/^text\/html/);
  expect(res.headers.get("set-cookie")).toBeNull();
  expect(res.headers.get("cache-control")).toBe("no-store");
  return { status: res.status, html: await res.text(), headers: res.headers };
}

const answer = (html: string, labels: Catalogue = en) => String(answerOf(labels, textOf(html, "label", 'for="answer"')));

/** A multipart/form-data body as a browser writes it (text fields only), with its exact bytes. */
function multipart(fields: [string, string][]): Uint8Array<ArrayBuffer> {
  const text = fields.map(([name, value]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join("") + `--${BOUNDARY}--\r\n`;
  return new TextEncoder().encode(text);
}
const multipartType = `multipart/form-data; boundary=${BOUNDARY}`;

/** A fresh start page and the tip fields it asks for, answered right. */
async function tipFields(message: string, lang: "en" | "ko" = "en", extra: [string, string][] = []): Promise<[string, string][]> {
  const start = await page(`/?lang=${lang}`);
  expect(start.status).toBe(200);
  return [["lang", lang], ["challenge", inputValue(start.html, "challenge")], ...extra, ["desk", "investigations"], ["message", message], ["answer", answer(start.html, lang === "ko" ? ko : en)]];
}

interface RawAnswer {
  status: number;
  headers: Map<string, string>;
  body: string;
}

/**
 * Sends a request's head and the first `sent` bytes of its body over a raw socket, then nothing more
 * (the socket stays open), and resolves with the server's answer once the server has closed the connection.
 */
function stalledPost(path: string, headers: Record<string, string>, body: Uint8Array, sent: number): Promise<RawAnswer> {
  const { hostname, port } = new URL(server.url);
  const socket = connect({ host: hostname, port: Number(port) });
  const chunks: Buffer[] = [];
  return new Promise<RawAnswer>((resolve, reject) => {
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.once("close", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const split = text.indexOf("\r\n\r\n");
      const m = /^HTTP\/1\.1 (\d{3}) /.exec(text);
      if (!m || split < 0) return reject(new Error(`closed without an answer: ${JSON.stringify(text.slice(0, 200))}`));
      const head = new Map<string, string>();
      for (const line of text.slice(0, split).split("\r\n").slice(1)) {
        const at = line.indexOf(":");
        head.set(line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim());
      }
      let raw = Buffer.from(text.slice(split + 4), "latin1");
      if (head.get("transfer-encoding") === "chunked") {
        const parts: Buffer[] = [];
        for (let at = 0; ; ) {
          const eol = raw.indexOf("\r\n", at);
          const size = parseInt(raw.subarray(at, eol).toString("latin1"), 16);
          if (!(size > 0)) break;
          parts.push(raw.subarray(eol + 2, eol + 2 + size));
          at = eol + 2 + size + 2;
        }
        raw = Buffer.concat(parts);
      }
      resolve({ status: Number(m[1]), headers: head, body: raw.toString("utf8") });
    });
    const lines = [`POST ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, ...Object.entries({ ...headers, "Content-Length": String(body.length) }).map(([k, v]) => `${k}: ${v}`), "", ""];
    socket.write(Buffer.concat([Buffer.from(lines.join("\r\n"), "latin1"), body.subarray(0, sent)]));
  });
}

describe(`limits of the page without JavaScript (Node + ${backend})`, () => {
  it("answers a form post that finds the anonymous body gate full with the busy page, in the request's language, and stores nothing", async () => {
    const before = await stored();
    // Answered right, so the gate is the only reason to refuse it; larger than the whole room.
    const body = multipart(await tipFields(`gate-${"x".repeat(ROOM)}`, "ko"));
    expect(body.length).toBeGreaterThan(ROOM);
    const busy = await page("/", { method: "POST", headers: { "content-type": multipartType, "accept-language": "ko" }, body });
    expect(busy.status).toBe(503);
    expect(busy.headers.get("retry-after")).toBe("5");
    // Its body unread, the connection cannot carry another request (body.ts, bodyPolicy).
    expect(busy.headers.get("connection")).toBe("close");
    expect(busy.html).toContain('<html lang="ko">');
    expect(textOf(busy.html, "p", 'id="form-error"')).toBe(ko.nojsBusy);
    expect(await stored()).toEqual(before);

    // The same form within the room is taken: the refusal was the gate's, not the form's.
    const fits = multipart(await tipFields("gate-fits", "ko"));
    expect(fits.length).toBeLessThanOrEqual(ROOM);
    const taken = await page("/", { method: "POST", headers: { "content-type": multipartType }, body: fits });
    expect(taken.status).toBe(200);
    expect(await count("submissions")).toBe(before.submissions + 1);
  });

  it("cuts off a form post whose body stops arriving with the stalled page after the body idle time, and stores nothing", async () => {
    const before = await stored();
    const body = multipart(await tipFields("stalled-message-that-never-ends", "ko"));
    expect(body.length).toBeLessThanOrEqual(ROOM); // admitted: the gate has room for it
    // Everything up to the middle of the message: the fields before it arrive, the rest never does.
    const sent = new TextDecoder().decode(body).indexOf("stalled-message") + 7;
    const started = Date.now();
    const cut = await stalledPost("/", { "Content-Type": multipartType, "Accept-Language": "ko" }, body, sent);
    expect(cut.status).toBe(408);
    expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_SECONDS * 1000 - 50);
    expect(cut.headers.get("content-type")).toMatch(/^text\/html/);
    expect(cut.headers.get("cache-control")).toBe("no-store");
    expect(cut.headers.get("connection")).toBe("close");
    // The form said its language (lang=ko) before the body stopped.
    expect(cut.body).toContain('<html lang="ko">');
    expect(textOf(cut.body, "p", 'id="form-error"')).toBe(ko.nojsStalled);
    expect(await stored()).toEqual(before);
  });

  it("opens a mailbox with no pow_spent row (its question is spent in memory); a tip spends its question in the database", async () => {
    // A tip that keeps a codename: its question is spent in the database, one row.
    const spent0 = await count("pow_spent");
    const fields = await tipFields("spend-check", "en", [["keep-codename", "1"]]);
    const sent = await page("/", { method: "POST", headers: { "content-type": multipartType }, body: multipart(fields) });
    expect(sent.status).toBe(200);
    const words = textsOf(/<ol id="codename-words"[\s\S]*?<\/ol>/.exec(sent.html)?.[0] ?? "", "li", "");
    expect(words).toHaveLength(12);
    expect(await count("pow_spent")).toBe(spent0 + 1);
    // The same question again is refused: spent.
    const replayed = await page("/", { method: "POST", headers: { "content-type": multipartType }, body: multipart(fields) });
    expect(replayed.status).toBe(403);
    expect(textOf(replayed.html, "p", 'id="form-error"')).toBe(en.nojsExpired);

    // Opening the mailbox with the codename: the mailbox page, and no row.
    const spent1 = await count("pow_spent");
    const back = await page("/replies?lang=en");
    const opening = new URLSearchParams({ lang: "en", challenge: inputValue(back.html, "challenge"), codename: words.join(" "), answer: answer(back.html) }).toString();
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const mailbox = await page("/replies", { method: "POST", headers: form, body: opening });
    expect(mailbox.status).toBe(200);
    expect(inputValue(mailbox.html, "codename")).toBe(words.join(" "));
    expect(await count("pow_spent")).toBe(spent1);
    // Its question is spent all the same (in this process's memory): the same opening again is refused.
    const again = await page("/replies", { method: "POST", headers: form, body: opening });
    expect(again.status).toBe(403);
    expect(textOf(again.html, "p", 'id="codename-error"')).toBe(en.nojsExpired);
    expect(await count("pow_spent")).toBe(spent1);

    // A follow-up from the mailbox page is a write: its question is spent in the database.
    const followup = await page("/", {
      method: "POST",
      headers: { "content-type": multipartType },
      body: multipart([["lang", "en"], ["challenge", inputValue(mailbox.html, "challenge")], ["codename", inputValue(mailbox.html, "codename")], ["desk", "investigations"], ["message", "spend-check follow-up"], ["answer", answer(mailbox.html)]]),
    });
    expect(followup.status).toBe(200);
    expect(textOf(followup.html, "h2", 'id="receipt-heading"')).toBe(en.followupReceiptHeading);
    expect(await count("pow_spent")).toBe(spent1 + 1);
  });
});
