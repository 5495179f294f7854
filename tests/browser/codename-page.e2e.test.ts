// The codename as a source meets it on the page: choosing not to keep one, the words and guidance on a
// 320 px screen, and coming back by keyboard alone to an empty mailbox, then forgetting.
import { rm } from "node:fs/promises";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { en } from "../../src/i18n/en.js";
import { zh } from "../../src/i18n/zh.js";
import { launchChromium, openRecordedPage, storageTraces, type PageOptions, type RecordedPage } from "../helpers/browser.js";
import { buildClient } from "./build.js";
import { startNewsroom, type Newsroom } from "./newsroom.js";

const RECEIPT_SCREENSHOT = "/tmp/sealdrop-zh-320-codename.png";
const RETURN_SCREENSHOT = "/tmp/sealdrop-zh-320-mailbox.png";

let browser: Browser;
let clientDir: string;
let newsroom: Newsroom;
const pages: RecordedPage[] = [];

beforeAll(async () => {
  clientDir = await buildClient();
  newsroom = await startNewsroom({ clientDir, classic: true });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await Promise.all(pages.map((p) => p.close().catch(() => undefined)));
  await browser?.close();
  await newsroom?.dispose();
  if (clientDir) await rm(clientDir, { recursive: true, force: true });
});

async function open(path: string, options: PageOptions = {}): Promise<RecordedPage> {
  const recorded = await openRecordedPage(browser, options);
  pages.push(recorded);
  await recorded.page.goto(newsroom.server.url + path);
  await recorded.page.locator("#fingerprint").waitFor();
  return recorded;
}

const noHorizontalScroll = (r: RecordedPage) => r.page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
const focusedId = (r: RecordedPage) => r.page.evaluate(() => document.activeElement?.id ?? "");

describe("the codename on the page", () => {
  it("can be declined: no words are shown and the envelope carries no reply channel", async () => {
    const r = await open("/?lang=en");
    await r.page.getByLabel(en.messageLabel).fill("no codename for me");
    await r.page.getByLabel(en.keepCodename).uncheck();
    await r.page.getByRole("button", { name: en.submit }).click();
    const id = (await r.page.locator("#receipt-id").textContent({ timeout: 60_000 })) ?? "";
    expect(await r.page.locator("#codename-words").count()).toBe(0);
    // Nothing was loaded for a codename that was not made.
    expect(r.requests.filter((u) => /\/assets\/(english|korean|simplified-chinese|returning)-/.test(u))).toEqual([]);

    await newsroom.sealdrop("pull", "--server", newsroom.server.url);
    const read = JSON.parse(await newsroom.sealdrop("read", id, "--json")) as { reply: unknown; kind: string };
    expect(read).toMatchObject({ reply: null, kind: "submission" });
  });

  it("shows the words and the guidance on a 320 px screen, in Chinese", async () => {
    const r = await open("/?lang=zh", { viewport: { width: 320, height: 640 } });
    await r.page.getByLabel(zh.messageLabel).fill("市场上看到的");
    await r.page.getByRole("button", { name: zh.submit }).click();
    await r.page.locator("#codename-words").waitFor({ timeout: 60_000 });
    const words = await r.page.locator("#codename-words li").allTextContents();
    expect(words).toHaveLength(12);
    for (const w of words) expect(w).toMatch(/^\p{Script=Han}$/u);
    expect(await r.page.locator("#codename-words").getAttribute("translate")).toBe("no");
    for (const key of ["codenameAdvicePaper", "codenameAdviceNoDevice", "codenameAdviceSecret", "codenameAdviceLost"] as const) {
      expect(await r.page.getByText(zh[key]).isVisible()).toBe(true);
    }
    expect(await noHorizontalScroll(r)).toBe(true);
    await r.page.screenshot({ path: RECEIPT_SCREENSHOT, fullPage: true });
    expect(r.errors).toEqual([]);

    // Come back by keyboard alone, typing the characters without spaces, to a mailbox with no replies yet.
    const back = await open("/?lang=zh", { viewport: { width: 320, height: 640 } });
    const before = await back.page.content();
    const returnButton = back.page.getByRole("button", { name: zh.returnButton });
    for (let i = 0; i < 40 && (await focusedId(back)) !== "have-codename"; i++) await back.page.keyboard.press("Tab");
    expect(await focusedId(back)).toBe("have-codename");
    // The focused control shows a visible focus ring.
    expect(await returnButton.evaluate((b) => getComputedStyle(b).outlineStyle)).not.toBe("none");
    await back.page.keyboard.press("Enter");
    await expect.poll(() => focusedId(back)).toBe("codename-input");
    await back.page.keyboard.type(words.join(""));
    await back.page.keyboard.press("Tab");
    await back.page.keyboard.press("Enter");
    await back.page.locator("#no-replies").waitFor({ timeout: 60_000 });
    expect(await back.page.locator("#no-replies").textContent()).toBe(zh.noRepliesYet);
    expect(await back.page.locator("[role=status]").first().textContent()).toBe(zh.mailboxOpened);
    expect(await noHorizontalScroll(back)).toBe(true);
    await back.page.screenshot({ path: RETURN_SCREENSHOT, fullPage: true });

    // Forget: focus returns to the way back in, and the page holds nothing of the codename.
    await back.page.getByRole("button", { name: zh.forgetButton }).focus();
    await back.page.keyboard.press("Enter");
    await expect.poll(() => focusedId(back)).toBe("have-codename");
    expect(await back.page.locator("#no-replies").count()).toBe(0);
    // Codename words are ordinary words, some on the page anyway: none may appear beyond those. The
    // Chinese words are single characters, which the page's own words after forgetting may hold (a
    // "从" in a status line is not the codename): for them, no two of the codename's characters in a
    // row may appear beyond what the page held before, nor the codename itself.
    const html = await back.page.content();
    const pieces = words.every((w) => [...w].length === 1) ? words.slice(1).map((w, i) => words[i]! + w) : words;
    expect(pieces.filter((w) => html.includes(w) && !before.includes(w))).toEqual([]);
    expect(html.includes(words.join(""))).toBe(false);
    expect(back.page.url()).toBe(`${newsroom.server.url}/?lang=zh`);
    expect(await storageTraces(back)).toEqual({ cookies: 0, localStorage: 0, sessionStorage: 0, indexedDB: [], serviceWorkers: 0, cacheStorage: [] });
    expect(back.errors).toEqual([]);
  });
});
