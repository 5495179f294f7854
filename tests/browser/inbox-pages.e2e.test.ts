// The inbox's triage list a page at a time (src/cli/inbox/wire.ts SOURCES_PAGE_SIZE): a vault of 230 sources,
// each with one submission sealed to the editor's key, opened with the real `sealdrop inbox` in Chromium.
// The first page holds 100 rows and says which; Next and Previous walk the pages without losing focus;
// the pages together hold every source once, in the list's order; a filter goes back to the first page;
// the last page is short and its Next goes nowhere (aria-disabled, so focus stays on it); axe-core finds nothing on a page with the pager.
// While the desk is still opening, the API answers 503 inbox_opening after a while and the page asks again.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildInbox } from "../../scripts/build-inbox.js";
import { randomId } from "../../src/core/bytes.js";
import { type Envelope, sealEnvelope } from "../../src/core/envelope.js";
import { createEditor, saveEditor, unlockEditor } from "../../src/cli/editor.js";
import { editorHome } from "../../src/cli/home.js";
import type { InboxSummary } from "../../src/cli/inbox/wire.js";
import { TOKEN_HEADER } from "../../src/cli/inbox/guard.js";
import { InboxData } from "../../src/cli/inbox/data.js";
import { inboxRoutes } from "../../src/cli/inbox/routes.js";
import { startInboxServer } from "../../src/cli/inbox/server.js";
import { en as inboxEn } from "../../src/i18n/inbox/en.js";
import { connect } from "../../src/cli/unlock.js";
import { Vault, type VaultSubmission } from "../../src/cli/vault.js";
import { launchChromium, openRecordedPage, type RecordedPage } from "../helpers/browser.js";
import { type InboxProcess, spawnInbox } from "../helpers/inbox.js";
import { axeViolations } from "./inbox-flow.js";

const ENV = { SEALDROP_PASSPHRASE: "test passphrase for the inbox pages", SEALDROP_KDF: "interactive", SEALDROP_HOME: "" };
const SOURCES = 230;

let root: string;
let inboxDir: string;
let browser: Browser;
let inbox: InboxProcess;
let editor: RecordedPage;
let order: string[];
let onInvestigations: string[];

async function makeHome(home: string): Promise<void> {
  const me = await createEditor("Pages", "http://127.0.0.1:1", "Pages", true);
  await saveEditor(editorHome(home), me, ENV.SEALDROP_PASSPHRASE, { env: { SEALDROP_KDF: "interactive" } });
  const vault = await Vault.open(editorHome(home).vaultFile);
  const batch: VaultSubmission[] = [];
  for (let i = 0; i < SOURCES; i++) {
    const recipient = identityToRecipient(await generateX25519Identity());
    const e: Envelope = {
      v: 1, kind: "submission", desk: i % 2 === 0 ? "news" : "inv", message: `tip ${i}`, fields: {}, attachments: [],
      reply: { recipient: await recipient, mailbox: { id: randomId(), credential: "cd".repeat(32) } }, client: "test", lang: "en",
    };
    const sealed = await sealEnvelope(e, [me.ageRecipient]);
    batch.push({ id: randomId(), desk: e.desk, day: `2026-${String(1 + (i % 11)).padStart(2, "0")}-${String(1 + (i % 27)).padStart(2, "0")}`, envelopeSize: sealed.length, envelope: sealed });
  }
  await vault.putAll(batch, []);
  await vault.close();
}

const rows = (page: Page) => page.locator("#sources-table tbody tr .source-link").allTextContents();
const status = (page: Page) => page.locator("#page-status").textContent();

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "sealdrop-inbox-pages-"));
  inboxDir = join(root, "inbox-page");
  await Promise.all([makeHome(join(root, "home")), buildInbox(inboxDir)]);
  inbox = await spawnInbox(["--home", join(root, "home")], { ...ENV, SEALDROP_INBOX_DIR: inboxDir });
  const res = await fetch(`${inbox.origin}/api/summary`, { headers: { [TOKEN_HEADER]: inbox.token, connection: "close" } });
  const { sources } = (await res.json()) as InboxSummary;
  order = sources.map((s) => s.pseudonym);
  onInvestigations = sources.filter((s) => s.desks.includes("inv")).map((s) => s.pseudonym);
  browser = await launchChromium();
  editor = await openRecordedPage(browser);
}, 180_000);

afterAll(async () => {
  await editor?.context.close();
  await browser?.close();
  await inbox?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe("the inbox's source list, a page at a time", () => {
  it("shows the first 100 sources, says which, and offers only Next", async () => {
    expect(order).toHaveLength(SOURCES);
    await editor.page.goto(inbox.url);
    await editor.page.locator("#sources-table").waitFor();
    expect(await rows(editor.page)).toEqual(order.slice(0, 100));
    expect(await status(editor.page)).toBe(`Sources 1–100 of ${SOURCES} (page 1 of 3)`);
    expect(await editor.page.locator("#sources-count").textContent()).toBe(`${SOURCES} of ${SOURCES} sources`);
    expect(await editor.page.locator("#page-previous").getAttribute("aria-disabled")).toBe("true");
    expect(await editor.page.locator("#page-next").getAttribute("aria-disabled")).toBeNull();
    expect(await axeViolations(editor.page)).toEqual([]);
  }, 60_000);

  it("walks every page with Next, keeping focus on it, and the pages hold every source once in order", async () => {
    const seen = await rows(editor.page);
    await editor.page.locator("#page-next").focus();
    for (const [from, to, page] of [[101, 200, 2], [201, SOURCES, 3]] as const) {
      await editor.page.keyboard.press("Enter");
      await editor.page.waitForFunction((text) => document.getElementById("page-status")?.textContent === text, `Sources ${from}–${to} of ${SOURCES} (page ${page} of 3)`);
      seen.push(...(await rows(editor.page)));
    }
    expect(seen).toEqual(order);
    expect(await editor.page.evaluate(() => document.activeElement?.id)).toBe("page-next");
    expect(await editor.page.locator("#page-next").getAttribute("aria-disabled")).toBe("true");
    // Next on the last page goes nowhere.
    await editor.page.keyboard.press("Enter");
    expect(await status(editor.page)).toBe(`Sources 201–${SOURCES} of ${SOURCES} (page 3 of 3)`);
    expect(await rows(editor.page)).toEqual(order.slice(200));
  }, 60_000);

  it("goes back with Previous, and back to the first page when a filter changes", async () => {
    await editor.page.locator("#page-previous").click();
    await editor.page.waitForFunction(() => document.getElementById("page-status")?.textContent?.startsWith("Sources 101–200 "));
    expect(await rows(editor.page)).toEqual(order.slice(100, 200));
    await editor.page.locator("#filter-desk").selectOption("inv");
    await editor.page.waitForFunction(() => document.getElementById("sources-count")?.textContent === "115 of 230 sources");
    expect(await status(editor.page)).toBe("Sources 1–100 of 115 (page 1 of 2)");
    expect(await rows(editor.page)).toEqual(onInvestigations.slice(0, 100));
  }, 60_000);
});

describe("the inbox while its desk is still opening (a first indexing)", () => {
  it("answers 503 inbox_opening after a while, and the page says so and asks again until the list is there", async () => {
    const home = editorHome(join(root, "home"));
    const io = { out() {}, err() {}, env: { SEALDROP_PASSPHRASE: ENV.SEALDROP_PASSPHRASE }, cwd: root, interactive: false };
    const unlocked = { home, editor: await unlockEditor(home, io, undefined), half: null };
    const session = connect(io, unlocked, undefined);
    let open!: (d: InboxData) => void;
    const desk = new Promise<InboxData>((resolve) => (open = resolve));
    const server = await startInboxServer({ port: 0, mount: inboxRoutes({ data: desk, session: () => session, assetsDir: inboxDir, openingWaitMs: 300 }) });
    try {
      const early = await fetch(`${server.url.replace(/\/\?token=.*/, "")}/api/summary`, { headers: { [TOKEN_HEADER]: server.token, connection: "close" } });
      expect(early.status).toBe(503);
      expect(early.headers.get("retry-after")).toBe("0");
      expect(((await early.json()) as { error: { code: string } }).error.code).toBe("inbox_opening");
      const page = (await openRecordedPage(browser)).page;
      await page.goto(server.url);
      await page.getByRole("status").filter({ hasText: inboxEn.openingVault }).waitFor();
      open(await InboxData.open(unlocked));
      await page.waitForFunction(() => document.querySelectorAll("#sources-table tbody tr").length === 100);
      expect(await rows(page)).toEqual(order.slice(0, 100));
      await page.context().close();
    } finally {
      await server.close();
    }
  }, 120_000);
});
