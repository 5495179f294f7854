// The desk's inbox end to end (issue 15): two sources submit through the real page (A keeps a codename, B
// does not), the editor pulls and runs `sealdrop inbox`, and everything after that happens in Chromium on
// the inbox's page: the refusals at its door, the conversation in true order, a reply from the composer
// that A then reads in the source page, a graded note with a corroboration link and the graph edge it makes,
// star and status a colleague then sees in their own inbox after their pull, hostile text that stays
// text, axe-core on three views, and not one request leaving 127.0.0.1.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { en as inboxEn } from "../../src/i18n/inbox/en.js";
import type { Dossier, InboxSummary, NetworkAnswer } from "../../src/cli/inbox/wire.js";
import { TOKEN_HEADER } from "../../src/cli/inbox/guard.js";
import { buildInbox } from "../../scripts/build-inbox.js";
import { launchChromium, openRecordedPage, type RecordedPage } from "../helpers/browser.js";
import { type InboxProcess, spawnInbox } from "../helpers/inbox.js";
import { buildClient } from "./build.js";
import { axeViolations, openReplies, openSourcePage, rawGet, sendTip } from "./inbox-flow.js";
import { startNewsroom, type Newsroom } from "./newsroom.js";

const ENV = { SEALDROP_PASSPHRASE: "test passphrase for the e2e newsroom", SEALDROP_KDF: "interactive" };
const GRAPH_SCREENSHOT = "/tmp/sealdrop-inbox-graph.png";
// What a hostile source sends: markup, a script, a javascript: link, in the message and in a file name.
const HOSTILE_MESSAGE = `A-first <script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"><a href="javascript:window.__pwned = 3">look</a> 트럭 세 대`;
const HOSTILE_FILE = `<img src=x onerror=window.__pwned=4><script>window.__pwned=5 javascript:alert(1).bin`;

let browser: Browser;
let clientDir: string;
let inboxDir: string;
let newsroom: Newsroom;
let inbox: InboxProcess;
let editor: RecordedPage;
// A colleague on the same desk, with a home of their own, added before the tips arrive so they can read them.
let colleagueHome: string;
let colleagueInbox: InboxProcess | undefined;
let colleague: RecordedPage | undefined;
const BIN = new URL("../../bin/sealdrop.js", import.meta.url).pathname;
const asColleague = async (...args: string[]) =>
  (await promisify(execFile)(process.execPath, [BIN, ...args, "--home", colleagueHome], { env: { ...process.env, ...ENV }, maxBuffer: 64 << 20 })).stdout;
const dialogs: string[] = [];
const run: { a?: { id: string; words: string[] }; b?: { id: string }; followup?: string; pseudonymA?: string; pseudonymB?: string; reply?: string } = {};

const api = async <T>(path: string): Promise<T> => {
  const res = await fetch(`${inbox.origin}${path}`, { headers: { [TOKEN_HEADER]: inbox.token, connection: "close" } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
};

beforeAll(async () => {
  clientDir = await buildClient();
  inboxDir = await mkdtemp(join(tmpdir(), "sealdrop-inbox-build-"));
  await buildInbox(inboxDir);
  newsroom = await startNewsroom({ clientDir });
  colleagueHome = join(newsroom.root, "colleague");
  await newsroom.sealdropWith({ SEALDROP_NEW_PASSPHRASE: ENV.SEALDROP_PASSPHRASE }, "editor", "add", "--name", "Colleague", "--desk", "news", "--out-home", colleagueHome, "--server", newsroom.server.url);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await colleague?.close();
  await colleagueInbox?.stop();
  await editor?.close();
  await inbox?.stop();
  await browser?.close();
  await newsroom?.dispose();
  for (const dir of [clientDir, inboxDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the desk's inbox, from the source page to the editor's browser and back", () => {
  it("takes a tip from source A, who keeps a codename, and one from source B, who does not", async () => {
    const a = await openSourcePage(browser, newsroom.server.url);
    try {
      run.a = await sendTip(a, HOSTILE_MESSAGE, HOSTILE_FILE, true);
      expect(run.a.words).toHaveLength(12);
    } finally {
      await a.close();
    }
    const b = await openSourcePage(browser, newsroom.server.url);
    try {
      run.b = await sendTip(b, "B-only: the same trucks, seen from the other side", "b.bin", false);
      expect(await b.page.locator("#codename-words li").count()).toBe(0);
    } finally {
      await b.close();
    }
  }, 300_000);

  it("serves the pulled vault on 127.0.0.1 and refuses a request without the token or with a foreign Host", async () => {
    await newsroom.sealdrop("pull", "--server", newsroom.server.url);
    inbox = await spawnInbox(["--home", newsroom.home, "--server", newsroom.server.url], { ...ENV, SEALDROP_INBOX_DIR: inboxDir });
    expect(inbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    const own = { host: `127.0.0.1:${inbox.port}` };
    expect(await rawGet(inbox.port, "/", own)).toMatchObject({ status: 401 });
    expect(JSON.parse((await rawGet(inbox.port, "/api/summary", own)).body).error.code).toBe("inbox_token_required");
    const rebound = await rawGet(inbox.port, `/?token=${inbox.token}`, { host: `rebind.example:${inbox.port}` });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).error.code).toBe("inbox_host_refused");

    // The browser, too, gets nothing without the token.
    const probe = await openRecordedPage(browser);
    try {
      const res = await probe.page.goto(inbox.origin);
      expect(res?.status()).toBe(401);
    } finally {
      await probe.close();
    }

    const summary = await api<InboxSummary>("/api/summary");
    expect(summary.sources).toHaveLength(2);
    run.pseudonymA = summary.sources.find((s) => s.canReply)!.pseudonym;
    run.pseudonymB = summary.sources.find((s) => !s.canReply)!.pseudonym;
    expect(run.pseudonymB).toBe(`Anonymous ${run.b!.id.slice(0, 8)}`);
  }, 120_000);

  it("lists both sources and shows A's hostile message and file name as text, running nothing", async () => {
    editor = await openRecordedPage(browser);
    editor.page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await editor.page.goto(inbox.url);
    const table = editor.page.locator("#sources-table");
    await table.waitFor();
    expect(await table.locator("tbody tr").count()).toBe(2);
    expect(await table.textContent()).toContain(run.pseudonymA);
    expect(await table.textContent()).toContain(run.pseudonymB);
    expect(await axeViolations(editor.page)).toEqual([]);

    await editor.page.getByRole("link", { name: run.pseudonymA }).click();
    const message = editor.page.locator("#thread .submission .message");
    await message.waitFor();
    expect(await message.textContent()).toBe(HOSTILE_MESSAGE);
    expect(await editor.page.locator(".attachments-table tbody td").first().textContent()).toBe(HOSTILE_FILE);
    expect(await editor.page.locator("#thread script, #thread img, #thread a[href^='javascript']").count()).toBe(0);
    expect(await editor.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  }, 120_000);

  it("sends a reply from the composer, which A reads in the source page before sending a follow-up", async () => {
    run.reply = `Thank you. Which road did they take?\n<b>reply-${Date.now()}</b>`;
    await editor.page.getByLabel(inboxEn.composerLabel.replace("{pseudonym}", run.pseudonymA!)).fill(run.reply);
    await editor.page.getByRole("button", { name: inboxEn.send }).click();
    await editor.page.locator("#thread .reply").waitFor({ timeout: 60_000 });
    expect(await editor.page.locator("#thread .reply .message").textContent()).toBe(run.reply);

    const a = await openSourcePage(browser, newsroom.server.url);
    try {
      expect(await openReplies(a, run.a!.words)).toEqual([run.reply]);
      run.followup = (await sendTip(a, "A-followup: the road north of the customs house", "a-followup.bin", true)).id;
    } finally {
      await a.close();
    }
  }, 300_000);

  it("shows submission, reply and follow-up in the order they happened, after a pull and a reload", async () => {
    await newsroom.sealdrop("pull", "--server", newsroom.server.url);
    await editor.page.getByRole("button", { name: inboxEn.reload }).click();
    await expect.poll(() => editor.page.locator("#thread > li").count(), { timeout: 60_000 }).toBe(3);
    const types = await editor.page.locator("#thread > li").evaluateAll((items) => items.map((i) => i.getAttribute("data-type")));
    expect(types).toEqual(["submission", "reply", "followup"]);
    const ids = await editor.page.locator("#thread > li").evaluateAll((items) => items.map((i) => i.getAttribute("data-id")));
    expect([ids[0], ids[2]]).toEqual([run.a!.id, run.followup]);
    expect(await axeViolations(editor.page)).toEqual([]);
  }, 120_000);

  it("shows a note with a reliability grade and a corroboration link, and the graph ties both sources with it", async () => {
    await newsroom.sealdrop("note", run.pseudonymA!, "--reliability", "B", "--corroborates", run.b!.id, "--server", newsroom.server.url);
    await editor.page.getByRole("button", { name: inboxEn.reload }).click();
    const note = editor.page.locator("#thread .note");
    await note.waitFor({ timeout: 60_000 });
    expect(await note.locator(".note-reliability").textContent()).toBe(inboxEn.noteReliability.replace("{grade}", "B"));
    expect(await note.locator(".note-link").textContent()).toBe(inboxEn.noteLink.replace("{relation}", inboxEn.relation_corroborates).replace("{source}", run.pseudonymB!));

    const dossier = await api<Dossier>(`/api/sources/${encodeURIComponent(run.pseudonymA!)}`);
    expect(dossier.source.reliability).toBe("B");
    const { graph } = await api<NetworkAnswer>("/api/network");
    const a = `source:${run.pseudonymA}`;
    const b = `source:${run.pseudonymB}`;
    expect(graph.nodes.map((n) => n.id).sort()).toEqual([a, b].sort());
    expect(graph.edges).toEqual([expect.objectContaining({ source: a, target: b, relation: "corroborates" })]);

    await editor.page.getByRole("link", { name: inboxEn.navGraph }).click();
    const edges = editor.page.locator("#graph-edges tbody tr");
    await edges.first().waitFor();
    expect(await edges.allTextContents()).toEqual([`${run.pseudonymA}${inboxEn.relation_corroborates}${run.pseudonymB}`]);
    const { drawing } = await api<InboxSummary>("/api/summary");
    if (drawing) await expect.poll(() => editor.page.locator("#graph-canvas").getAttribute("data-drawn"), { timeout: 60_000 }).toBe("true");
    await editor.page.screenshot({ path: GRAPH_SCREENSHOT, fullPage: true });
    expect(await axeViolations(editor.page)).toEqual([]);
  }, 180_000);

  it("keeps star and status on this machine at each click and shares them with the desk as one note when asked", async () => {
    await editor.page.goto(`${inbox.url}#/source/${encodeURIComponent(run.pseudonymA!)}`);
    const star = editor.page.locator("#triage-star");
    await star.waitFor();
    expect(await star.getAttribute("aria-pressed")).toBe("false");
    await star.click();
    await expect.poll(() => editor.page.locator("#triage-star").getAttribute("aria-pressed"), { timeout: 60_000 }).toBe("true");
    await editor.page.locator("#triage-status-select").selectOption("in_progress");
    await expect.poll(() => editor.page.locator("#triage-pending").textContent(), { timeout: 60_000 }).toBe(inboxEn.triagePending.replace("{n}", "2"));
    // Nothing has left the machine yet: the CLI sees two queued changes.
    const queued = JSON.parse(await newsroom.sealdrop("triage", "show", run.pseudonymA!, "--json")) as { pending: number };
    expect(queued.pending).toBe(2);

    await editor.page.locator("#triage-share").click();
    await expect.poll(() => editor.page.locator("#triage-pending").textContent(), { timeout: 60_000 }).toBe(inboxEn.triagePending.replace("{n}", "0"));
    // Shared: after a pull, the desk's triage as the vault tells it (what a colleague's CLI reads:
    // tests/cli/triage.test.ts shows a second editor seeing it).
    await newsroom.sealdrop("pull", "--server", newsroom.server.url);
    const shared = JSON.parse(await newsroom.sealdrop("triage", "show", run.pseudonymA!, "--json")) as { pending: number; items: { starred: boolean; status: string }[] };
    expect(shared.pending).toBe(0);
    expect(shared.items).toEqual([expect.objectContaining({ starred: true, status: "in_progress" })]);
    expect(await axeViolations(editor.page)).toEqual([]);
  }, 180_000);

  it("shows the colleague, in their own inbox after their pull, the star and status set by the first editor", async () => {
    await asColleague("pull", "--server", newsroom.server.url);
    colleagueInbox = await spawnInbox(["--home", colleagueHome, "--server", newsroom.server.url], { ...ENV, SEALDROP_INBOX_DIR: inboxDir });
    colleague = await openRecordedPage(browser);
    await colleague.page.goto(`${colleagueInbox.url}#/source/${encodeURIComponent(run.pseudonymA!)}`);
    const star = colleague.page.locator("#triage-star");
    await star.waitFor();
    await expect.poll(() => star.getAttribute("aria-pressed"), { timeout: 60_000 }).toBe("true");
    await expect.poll(() => colleague!.page.locator("#triage-status-select").inputValue(), { timeout: 60_000 }).toBe("in_progress");
    // Nothing queued on the colleague's machine: what they see came from the desk's shared note.
    expect(await colleague.page.locator("#triage-pending").textContent()).toBe(inboxEn.triagePending.replace("{n}", "0"));
    expect(colleague.offOrigin(colleagueInbox.origin)).toEqual([]);
    expect(colleague.errors).toEqual([]);
  }, 180_000);

  it("ran no script of a source's, opened no dialog, and sent no request anywhere but the inbox", async () => {
    expect(await editor.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(editor.requests.length).toBeGreaterThan(5);
    expect(editor.offOrigin(inbox.origin)).toEqual([]);
    expect(editor.errors).toEqual([]);
    expect(await editor.context.cookies()).toEqual([]);
  });
});
