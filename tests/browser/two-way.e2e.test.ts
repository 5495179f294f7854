// The anonymous two-way channel from the source's side (issue 3), end to end: a real server process, the
// built page in jitless Chromium (Tor Browser "Safer"), and the editor's real `sealdrop` command.
//
// Source A submits on the Korean page and is shown a codename in Korean words; the editor pulls and
// replies; A comes back in a fresh browser context by typing the words, reads the reply and sends a
// follow-up; source B submits once. The editor then sees two pseudonyms, A's with both submissions and
// the reply. Finally, every row of every table of the server's database is read back to check that
// nothing stored links A's two submissions to each other or to A's mailbox (invariant 2, docs/INVARIANTS.md).
import { randomBytes } from "node:crypto";
import { readdir, rm } from "node:fs/promises";
import { join, relative } from "node:path";
import { koreanLists, sharedKorean } from "../../src/core/wordlists/korean.js";
import SQLite from "better-sqlite3";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { en, type Catalogue } from "../../src/i18n/en.js";
import { ko } from "../../src/i18n/ko.js";
import { toHex } from "../../src/core/bytes.js";
import { CodenameError, phraseToCodename } from "../../src/core/codename.js";
import { deriveSourceKeys, type SourceKeys } from "../../src/core/derive.js";
import { pseudonymFor } from "../../src/core/pseudonym.js";
import { SQLITE_FILE } from "../../src/server/node/database.js";
import { launchChromium, openRecordedPage, storageTraces, type RecordedPage } from "../helpers/browser.js";
import { buildClient } from "./build.js";
import { startNewsroom, type Newsroom } from "./newsroom.js";

const NO_TRACES = { cookies: 0, localStorage: 0, sessionStorage: 0, indexedDB: [], serviceWorkers: 0, cacheStorage: [] };
// New codenames are shown in the list both Koreas share (src/core/wordlists/korean.ts).
const KOREAN_WORDS = new Set(sharedKorean.map((w) => w.normalize("NFC")));
const FILE_BYTES = 50_000;

let browser: Browser;
let clientDir: string;
let newsroom: Newsroom;

beforeAll(async () => {
  clientDir = await buildClient();
  newsroom = await startNewsroom({ clientDir });
  // One Chromium for the whole run, without JIT or WebAssembly.
  browser = await launchChromium({ jitless: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await newsroom?.dispose();
  if (clientDir) await rm(clientDir, { recursive: true, force: true });
});

/**
 * The chunks of the page a context downloaded that depend on the flow: the word lists ("korean", …) and
 * the return flow ("returning"). The entry and the encryption code (send.ts and what it shares with the
 * return flow) load in every flow.
 */
const FLOW_CHUNKS = new Set(["english", "korean", "simplified-chinese", "returning"]);
const chunksLoaded = (r: RecordedPage) =>
  r.requests.flatMap((u) => {
    const m = /\/assets\/([a-z-]+)-[\w-]+\.js$/.exec(new URL(u).pathname);
    return m && FLOW_CHUNKS.has(m[1]!) ? [m[1]!] : [];
  });

/** Opens the page in a fresh context; `history` is the session history length once it loaded. */
async function openPage(path: string, locale?: string): Promise<RecordedPage & { history: number }> {
  const r = await openRecordedPage(browser, locale ? { locale } : {});
  await r.page.goto(newsroom.server.url + path);
  await r.page.locator("#fingerprint").waitFor();
  return { ...r, history: await r.page.evaluate(() => history.length) };
}

/** The browser kept nothing, talked to no one else, and the URL and history carry nothing new. */
async function expectClean(r: RecordedPage & { history: number }, origin: string, secrets: string[]): Promise<void> {
  expect(r.offOrigin(origin)).toEqual([]);
  expect(await storageTraces(r)).toEqual(NO_TRACES);
  expect(r.errors).toEqual([]);
  const url = decodeURIComponent(r.page.url());
  for (const s of secrets) expect(url).not.toContain(s);
  expect(await r.page.evaluate(() => history.length)).toBe(r.history);
}

async function sendTip(r: RecordedPage, labels: Catalogue, message: string, fileName: string): Promise<string> {
  await r.page.getByLabel(labels.messageLabel).fill(message);
  await r.page.getByLabel(labels.filesLabel).setInputFiles({ name: fileName, mimeType: "application/octet-stream", buffer: randomBytes(FILE_BYTES) });
  await r.page.getByRole("button", { name: labels.submit }).click();
  const receipt = r.page.locator("#receipt-id");
  await receipt.waitFor({ timeout: 120_000 });
  return (await receipt.textContent()) ?? "";
}

/** The phrase with two neighbouring words swapped, for each position. */
const swapsOf = (words: string[]) => words.slice(1).map((_, i) => [...words.slice(0, i), words[i + 1]!, words[i]!, ...words.slice(i + 2)]);
function checksumFails(words: string[]): boolean {
  try {
    phraseToCodename(words.join(" "), koreanLists);
    return false;
  } catch (e) {
    return e instanceof CodenameError && e.reason === "checksum";
  }
}

interface Run {
  words: string[];
  keys: SourceKeys;
  a1: string;
  a2: string;
  b: string;
  replyText: string;
}
const run: Partial<Run> = {};

describe("the two-way channel, from the source's page to the editor's vault", () => {
  it("gives source A a codename in Korean words on the Korean page", async () => {
    const origin = newsroom.server.url;
    const r = await openPage("/?lang=ko", "ko-KR");
    try {
      expect(await r.page.evaluate(() => typeof WebAssembly)).toBe("undefined");
      // Keeping a codename is the default.
      expect(await r.page.getByLabel(ko.keepCodename).isChecked()).toBe(true);
      run.a1 = await sendTip(r, ko, "A-first 회령 세관 앞 트럭 세 대", "a-first.bin");
      expect(await r.page.locator("#codename-heading").textContent()).toBe(ko.codenameHeading);
      const words = await r.page.locator("#codename-words li").allTextContents();
      expect(words).toHaveLength(12);
      for (const w of words) expect(KOREAN_WORDS.has(w)).toBe(true);
      // The guidance is there, in Korean.
      const section = (await r.page.locator(".codename").textContent()) ?? "";
      for (const key of ["codenameAdvicePaper", "codenameAdviceNoDevice", "codenameAdviceSecret", "codenameAdviceLost"] as const) expect(section).toContain(ko[key]);
      run.words = words;
      // Only the Korean list was downloaded, and none of the return flow.
      expect(chunksLoaded(r)).toEqual(["korean"]);
      await expectClean(r, origin, words);
    } finally {
      await r.context.close();
    }
    // The words decode, outside the browser, to the keys the editor will see as A.
    run.keys = await deriveSourceKeys(phraseToCodename(run.words.join(" "), koreanLists), "pq");
  }, 240_000);

  it("lets the editor see A as a pseudonym and reply with `sealdrop reply`", async () => {
    const { words, keys } = run as Run;
    expect(words).toBeDefined();
    await newsroom.sealdrop("pull", "--server", newsroom.server.url, "--json");
    const sources = JSON.parse(await newsroom.sealdrop("sources", "--json")) as { pseudonym: string; canReply: boolean }[];
    expect(sources).toMatchObject([{ pseudonym: pseudonymFor(keys.replyRecipient), canReply: true }]);
    // Markup in a reply must reach the source as text.
    run.replyText = `고맙습니다. 트럭 번호판을 보셨습니까?\n<b>reply-${toHex(randomBytes(6))}</b>`;
    await newsroom.sealdrop("reply", pseudonymFor(keys.replyRecipient), "--message", run.replyText, "--server", newsroom.server.url);
  }, 60_000);

  it("lets A come back by typing the Korean words in a fresh context, read the reply, send a follow-up and forget", async () => {
    const { words, replyText } = run as Run;
    expect(replyText).toBeDefined();
    const origin = newsroom.server.url;
    const r = await openPage("/?lang=ko", "ko-KR");
    try {
      const before = await r.page.content();
      await r.page.getByRole("button", { name: ko.returnButton }).click();
      const input = r.page.getByLabel(ko.codenameLabel);
      await input.waitFor();
      for (const [name, value] of Object.entries({ autocomplete: "off", autocapitalize: "off", spellcheck: "false" })) expect(await input.getAttribute(name)).toBe(value);
      const alert = r.page.locator("#codename-error");
      const open = r.page.getByRole("button", { name: ko.codenameOpen });

      // Mistakes get an answer a source can act on, in Korean.
      await input.fill(words.slice(0, 11).join(" "));
      await open.click();
      await expect.poll(() => alert.textContent()).toBe(ko.codenameWordCount.replace("{n}", "11"));
      // A swap the 4-bit checksum catches (one swap in 16 passes it and opens some other, empty mailbox).
      const swapped = swapsOf(words).find((p) => checksumFails(p))!;
      await input.fill(swapped.join(" "));
      await open.click();
      await expect.poll(() => alert.textContent()).toBe(ko.codenameChecksum);
      await input.fill(["없는말", ...words.slice(1)].join(" "));
      await open.click();
      await expect.poll(() => alert.textContent()).toBe(ko.codenameUnknownWords.replace("{positions}", "1"));

      // Typed as a person might: extra spaces, an ideographic space.
      await input.fill(`  ${words.slice(0, 6).join(" ")}\u3000${words.slice(6).join("  ")} `);
      await open.click();
      const message = r.page.locator(".reply-message");
      await message.waitFor({ timeout: 60_000 });
      expect(await message.allTextContents()).toEqual([replyText]);
      expect(await r.page.locator(".reply b").count()).toBe(0);
      expect(await r.page.locator(".reply-meta").textContent()).toMatch(/\d{4}-\d{2}-\d{2}/);
      // The words are off the screen once used.
      expect(await r.page.locator("#codename-input").count()).toBe(0);

      run.a2 = await sendTip(r, ko, "A-followup 번호판은 함북 12-3456", "a-followup.bin");
      expect(await r.page.locator("#receipt-heading").textContent()).toBe(ko.followupReceiptHeading);
      // No new codename for a returning source.
      expect(await r.page.locator("#codename-words").count()).toBe(0);
      expect(chunksLoaded(r).sort()).toEqual(["korean", "returning"]);
      await expectClean(r, origin, words);

      // Close and forget: the replies and everything the codename opened leave the page.
      await r.page.getByRole("button", { name: ko.forgetButton }).click();
      await r.page.getByRole("button", { name: ko.returnButton }).waitFor();
      // Codename words are ordinary words, some on the page anyway: none may appear beyond those.
      const html = await r.page.content();
      expect(html).not.toContain("reply-");
      expect(words.filter((w) => html.includes(w) && !before.includes(w))).toEqual([]);
      expect(await r.page.locator("#return-status").textContent()).toBe(ko.forgotten);
    } finally {
      await r.context.close();
    }
  }, 240_000);

  it("takes source B's single tip from another context", async () => {
    const origin = newsroom.server.url;
    const r = await openPage("/?lang=en");
    try {
      run.b = await sendTip(r, en, "B-only a different source", "b.bin");
      expect(await r.page.locator("#codename-words li").count()).toBe(12);
      await expectClean(r, origin, []);
    } finally {
      await r.context.close();
    }
  }, 240_000);

  it("shows the editor exactly two sources, A's with both submissions and the reply on its timeline", async () => {
    const { keys, a1, a2, b, replyText } = run as Run;
    expect(b).toBeDefined();
    await newsroom.sealdrop("pull", "--server", newsroom.server.url, "--json");
    const sources = JSON.parse(await newsroom.sealdrop("sources", "--json")) as { pseudonym: string; submissions: number; followups: number; replies: number }[];
    expect(sources).toHaveLength(2);
    const a = pseudonymFor(keys.replyRecipient);
    expect(sources.find((s) => s.pseudonym === a)).toMatchObject({ submissions: 2, followups: 1, replies: 1 });
    expect(sources.find((s) => s.pseudonym !== a)).toMatchObject({ submissions: 1, followups: 0, replies: 0 });

    const timeline = (JSON.parse(await newsroom.sealdrop("source", a, "--json")) as { timeline: { type: string; id: string; message?: string }[] }).timeline;
    expect(timeline.map((i) => i.type).sort()).toEqual(["followup", "reply", "submission"]);
    expect(timeline.find((i) => i.type === "submission")!.id).toBe(a1);
    expect(timeline.find((i) => i.type === "followup")!.id).toBe(a2);
    expect(timeline.find((i) => i.type === "reply")!.message).toBe(replyText);
  }, 60_000);

  it("stores nothing that links A's submissions to each other or to A's mailbox", async () => {
    const { keys, a1, a2, b } = run as Run;
    expect(b).toBeDefined();
    const db = new SQLite(join(newsroom.dataDir, SQLITE_FILE), { readonly: true, fileMustExist: true });
    type Row = { table: string; values: Record<string, unknown> };
    let rows: Row[];
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[];
      rows = tables.flatMap(({ name }) => (db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]).map((values) => ({ table: name, values })));
    } finally {
      db.close();
    }
    const ofSubmission = (id: string) => (r: Row) => (r.table === "submissions" && r.values.id === id) || (r.table === "attachments" && r.values.submission_id === id);
    const valuesOf = (rs: Row[]) => new Set(rs.flatMap((r) => Object.values(r.values).filter((v) => v !== null).map(String)));
    const groupA1 = rows.filter(ofSubmission(a1));
    const groupA2 = rows.filter(ofSubmission(a2));
    const groupB = rows.filter(ofSubmission(b));
    for (const g of [groupA1, groupA2, groupB]) expect(g.map((r) => r.table).sort()).toEqual(["attachments", "submissions"]);
    const mailboxRows = rows.filter((r) => r.table === "mailboxes" || r.table === "replies");
    // The mailbox is A's (found by the id A's codename derives), and holds the one reply.
    expect(mailboxRows.map((r) => r.table).sort()).toEqual(["mailboxes", "replies"]);
    expect(mailboxRows.find((r) => r.table === "mailboxes")!.values.id).toBe(keys.mailboxId);
    const rest = rows.filter((r) => ![...groupA1, ...groupA2, ...groupB, ...mailboxRows].includes(r));

    const [a1Values, a2Values, bValues, mailboxValues, restValues] = [groupA1, groupA2, groupB, mailboxRows, rest].map(valuesOf) as [Set<string>, Set<string>, Set<string>, Set<string>, Set<string>];
    console.log(`values A's submissions share with B's: ${[...a1Values, ...a2Values].filter((v) => bValues.has(v)).filter((v, i, all) => all.indexOf(v) === i).join(", ")}`);
    // Whatever A's two submissions share, B's shares too (the day, the desk, a size bucket).
    expect([...a1Values].filter((v) => a2Values.has(v) && !bValues.has(v))).toEqual([]);
    // Anything of A's that B does not share appears nowhere else: not in the mailbox, the reply, or any other table.
    for (const [mine, other] of [
      [a1Values, a2Values],
      [a2Values, a1Values],
    ] as const) {
      const own = [...mine].filter((v) => !bValues.has(v));
      expect(own.filter((v) => other.has(v) || mailboxValues.has(v) || restValues.has(v))).toEqual([]);
    }
    // Nothing of A's submissions is in the mailbox or reply rows, other than what B's rows share.
    expect([...mailboxValues].filter((v) => (a1Values.has(v) || a2Values.has(v)) && !bValues.has(v))).toEqual([]);
    // The mailbox's id and credential hash appear in no other row (its active day, like B's, is everyone's).
    for (const v of [...valuesOf(rows.filter((r) => r.table === "mailboxes"))].filter((v) => !bValues.has(v))) {
      expect(rows.filter((r) => r.table !== "mailboxes" && !(r.table === "replies" && r.values.mailbox_id === v) && Object.values(r.values).map(String).includes(v))).toEqual([]);
    }

    // Blob names are the row ids and nothing more: attachments/<attachment>, replies/<reply>. Envelopes are in
    // their submission rows, so there is no file per tip.
    expect(rows.filter((r) => r.table === "submissions").every((r) => typeof r.values.envelope === "string")).toBe(true);
    const blobsDir = join(newsroom.dataDir, "blobs");
    const blobs = (await readdir(blobsDir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => relative(blobsDir, join(e.parentPath, e.name)));
    const expected = rows.flatMap((r) =>
      r.table === "attachments" ? [`attachments/${r.values.id}`] : r.table === "replies" ? [`replies/${r.values.id}`] : [],
    );
    expect(blobs.sort()).toEqual(expected.sort());
  }, 60_000);
});
