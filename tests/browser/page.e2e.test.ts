// The source page as a source meets it: language, small screens, keyboard, errors that keep the tip,
// progress while working, and what it says when JavaScript is off.
import { rm } from "node:fs/promises";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ko } from "../../src/i18n/ko.js";
import { zh } from "../../src/i18n/zh.js";
import { en } from "../../src/i18n/en.js";
import { LANGUAGE_TAGS } from "../../src/i18n/index.js";
import { launchChromium, openRecordedPage, type PageOptions, type RecordedPage } from "../helpers/browser.js";
import { buildClient } from "./build.js";
import { startNewsroom, type Newsroom } from "./newsroom.js";

// For a person to look at: the Korean page and receipt on a small phone, the Chinese page at 320 px.
const SCREENSHOT = "/tmp/sealdrop-ko-360.png";
const RECEIPT_SCREENSHOT = "/tmp/sealdrop-ko-360-receipt.png";
const NARROW_SCREENSHOT = "/tmp/sealdrop-zh-320.png";

let browser: Browser;
let clientDir: string;
let newsroom: Newsroom;
const pages: RecordedPage[] = [];

beforeAll(async () => {
  clientDir = await buildClient();
  newsroom = await startNewsroom({ clientDir, name: "국경 소식 Border News", desks: ["news=소식 · News", "economy=장마당 · Markets"], classic: true });
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
  await recorded.page.locator("#fingerprint, .error:not([hidden])").first().waitFor();
  return recorded;
}

const noHorizontalScroll = (r: RecordedPage) => r.page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

describe("the source page", () => {
  it("speaks Korean with ?lang=ko and fits a 360 px phone screen", async () => {
    const r = await open("/?lang=ko", { viewport: { width: 360, height: 740 }, locale: "en-US" });
    expect(await r.page.getAttribute("html", "lang")).toBe("ko");
    expect(await r.page.title()).toBe(ko.pageTitle);
    expect(await r.page.locator("h1").textContent()).toBe(ko.pageTitle);
    expect(await r.page.locator("button[type=submit]").textContent()).toBe(ko.submit);
    expect(await noHorizontalScroll(r)).toBe(true);
    // The message box is on the first screen: the advice and the rest come after the form.
    const box = (await r.page.locator("#message").boundingBox())!;
    expect(box.y + 3 * 24, "top of the message box and three lines of it").toBeLessThanOrEqual(740);
    expect(await r.page.evaluate(() => scrollY)).toBe(0);
    await r.page.screenshot({ path: SCREENSHOT, fullPage: true });
    // What the server keeps, from the newsroom answer (this server sets no expiry), under the form and on the receipt.
    const kept = `${ko.retentionKept} ${ko.retentionCopies}`;
    expect(await r.page.locator("#start .retention").textContent()).toBe(kept);

    await r.page.getByLabel(ko.messageLabel).fill("시장에서 본 것");
    await r.page.getByRole("button", { name: ko.submit }).click();
    await r.page.locator("#receipt-id").waitFor();
    expect(await r.page.locator("#receipt-heading").textContent()).toBe(ko.receiptHeading);
    expect(await r.page.locator("#receipt .retention").textContent()).toBe(kept);
    expect(await noHorizontalScroll(r)).toBe(true);
    await r.page.screenshot({ path: RECEIPT_SCREENSHOT, fullPage: true });
    expect(r.errors).toEqual([]);
  });

  it("fits a 320 px screen", async () => {
    const r = await open("/?lang=zh", { viewport: { width: 320, height: 640 } });
    expect(await noHorizontalScroll(r)).toBe(true);
    await r.page.screenshot({ path: NARROW_SCREENSHOT, fullPage: true });
  });

  it("follows the browser's language, and the switcher changes it", async () => {
    const r = await open("/", { locale: "zh-CN" });
    expect(await r.page.getAttribute("html", "lang")).toBe("zh-Hans");
    expect(await r.page.locator("h1").textContent()).toBe(zh.pageTitle);
    const nav = r.page.getByRole("navigation", { name: zh.languageNav });
    expect(await nav.locator("[aria-current=page]").textContent()).toBe(zh.languageName);
    await nav.getByRole("link", { name: ko.languageName }).click();
    await r.page.waitForURL(/\?lang=ko$/);
    await r.page.locator("#fingerprint").waitFor();
    expect(await r.page.getAttribute("html", "lang")).toBe("ko");
  });

  it("keeps the draft when the language changes: message, desk, codename choice and chosen files", async () => {
    const r = await open("/?lang=en");
    const origin = new URL(newsroom.server.url).origin;
    await r.page.getByLabel(en.messageLabel).fill("draft written before switching");
    await r.page.getByLabel(en.deskLabel).selectOption("economy");
    await r.page.getByLabel(en.keepCodename).uncheck();
    await r.page.getByLabel(en.filesLabel).setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("kept file") });
    const documentsBefore = r.requests.filter((u) => new URL(u).pathname === "/").length;

    await r.page.getByRole("navigation", { name: en.languageNav }).getByRole("link", { name: ko.languageName }).click();
    await expect.poll(() => r.page.getAttribute("html", "lang")).toBe("ko");
    expect(await r.page.locator("h1").textContent()).toBe(ko.pageTitle);
    expect(new URL(r.page.url()).search).toBe("?lang=ko");
    expect(await r.page.getByLabel(ko.messageLabel).inputValue()).toBe("draft written before switching");
    expect(await r.page.getByLabel(ko.deskLabel).inputValue()).toBe("economy");
    expect(await r.page.getByLabel(ko.keepCodename).isChecked()).toBe(false);
    expect(await r.page.locator("#files").evaluate((el) => [...(el as HTMLInputElement).files!].map((f) => f.name))).toEqual(["notes.txt"]);
    expect(await r.page.locator("#files-chosen").textContent()).toContain("notes.txt");
    // Drawn again in the page, from memory: no new page load, nothing stored.
    expect(r.requests.filter((u) => new URL(u).pathname === "/").length).toBe(documentsBefore);
    expect(r.offOrigin(origin)).toEqual([]);

    // And it still sends, in Korean, with what was kept.
    await r.page.getByRole("button", { name: ko.submit }).click();
    await r.page.locator("#receipt-id").waitFor();
    expect(r.errors).toEqual([]);
  });

  it("has a quick exit that empties the page and leaves for a weather page, without a trace in Back", async () => {
    const r = await open("/?lang=zh");
    const origin = new URL(newsroom.server.url).origin;
    await r.context.route("https://www.weather.com.cn/**", (route) => route.fulfill({ contentType: "text/html", body: "<title>天气</title>weather" }));
    await r.page.getByLabel(zh.messageLabel).fill("nobody may see this");
    const exit = r.page.getByRole("button", { name: zh.quickExit });
    expect(await exit.getAttribute("aria-describedby")).toBe("quick-exit-help");
    expect(await r.page.locator("#quick-exit-help").textContent()).toBe(zh.quickExitHelp);
    // Nothing from the other site before the click.
    expect(r.offOrigin(origin)).toEqual([]);
    await exit.click();
    await r.page.waitForURL("https://www.weather.com.cn/");
    expect(await r.page.content()).not.toContain("nobody may see this");
    // The page was replaced in the history: Back does not lead to it.
    await r.page.goBack().catch(() => null);
    expect(r.page.url().startsWith(origin)).toBe(false);
  });

  it("shows the newsroom, the fingerprint with how to check it, and a desk choice", async () => {
    const r = await open("/?lang=en");
    expect(await r.page.locator(".intro").textContent()).toContain("국경 소식 Border News");
    expect(await r.page.locator(".fingerprint").textContent()).toContain("publishes elsewhere");
    const desk = r.page.getByLabel(en.deskLabel);
    expect(await desk.locator("option").allTextContents()).toEqual(["소식 · News", "장마당 · Markets"]);
  });

  it("can be used from the keyboard alone, with a visible focus", async () => {
    const r = await open("/?lang=en");
    const visited: string[] = [];
    while (!visited.includes("button") && visited.length < 10) {
      await r.page.keyboard.press("Tab");
      const focused = await r.page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        // The file input is visually hidden; its label carries the focus ring.
        const shown = el.id === "files" ? (el.nextElementSibling as HTMLElement) : el;
        const style = getComputedStyle(shown);
        return { id: el.id || el.tagName.toLowerCase(), outline: style.outlineStyle, width: style.outlineWidth };
      });
      expect(focused.outline, focused.id).not.toBe("none");
      visited.push(focused.id);
    }
    expect(visited).toEqual(expect.arrayContaining(["a", "desk", "message", "files", "button"]));
    expect(visited.indexOf("desk")).toBeLessThan(visited.indexOf("message"));
    expect(visited.indexOf("message")).toBeLessThan(visited.indexOf("button"));
  });

  it("asks for a message or a file before doing anything", async () => {
    const r = await open("/?lang=ko");
    await r.page.getByRole("button", { name: ko.submit }).click();
    expect(await r.page.getByRole("alert").textContent()).toBe(ko.errorEmpty);
    expect(await r.page.evaluate(() => document.activeElement?.id)).toBe("message");
    expect(await r.page.getAttribute("#message", "aria-invalid")).toBe("true");
    expect(r.requests.filter((u) => u.includes("/api/uploads") || u.includes("/api/submissions"))).toEqual([]);
  });

  it("shows progress and disables the button while sending", async () => {
    const r = await open("/?lang=en");
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await r.page.route("**/api/submissions", async (route) => {
      await held;
      await route.continue();
    });
    await r.page.getByLabel(en.messageLabel).fill("progress check");
    await r.page.getByRole("button", { name: en.submit }).click();
    // The step's words come first; the streamed-upload work appends speed and time left after them.
    await expect.poll(async () => (await r.page.locator("#progress-text").textContent())?.startsWith(en.statusSending)).toBe(true);
    expect(await r.page.locator("progress").isVisible()).toBe(true);
    expect(await r.page.getByRole("button", { name: en.submit }).isDisabled()).toBe(true);
    release();
    await r.page.locator("#receipt-id").waitFor();
    expect(await r.page.evaluate(() => document.activeElement?.id)).toBe("receipt");
  });

  it("keeps the tip and explains when the server refuses it", async () => {
    const r = await open("/?lang=ko");
    await r.page.route("**/api/submissions", (route) =>
      route.fulfill({ status: 429, contentType: "application/json", body: JSON.stringify({ error: { code: "rate_limited", message: "slow down" } }) }),
    );
    await r.page.getByLabel(ko.messageLabel).fill("남겨 둘 내용");
    await r.page.getByRole("button", { name: ko.submit }).click();
    await expect.poll(() => r.page.getByRole("alert").textContent()).toContain(ko.error_rate_limited);
    expect(await r.page.getByLabel(ko.messageLabel).inputValue()).toBe("남겨 둘 내용");
    expect(await r.page.getByRole("button", { name: ko.submit }).isEnabled()).toBe(true);
  });

  it("keeps the tip and explains when the connection fails", async () => {
    const r = await open("/?lang=en");
    await r.page.route("**/api/uploads**", (route) => route.abort("connectionreset"));
    await r.page.getByLabel(en.messageLabel).fill("kept after a failure");
    await r.page.getByLabel(en.filesLabel).setInputFiles({ name: "a.txt", mimeType: "text/plain", buffer: Buffer.from("attachment") });
    await r.page.getByRole("button", { name: en.submit }).click();
    await expect.poll(() => r.page.getByRole("alert").textContent()).toBe(en.errorNetwork);
    expect(await r.page.getByLabel(en.messageLabel).inputValue()).toBe("kept after a failure");
    expect(await r.page.getByLabel(en.filesLabel).evaluate((el) => (el as HTMLInputElement).files?.length)).toBe(1);
    expect(await r.page.locator("#files-chosen").textContent()).toContain("a.txt");
  });

  it("runs under the server's strict CSP, with nothing cached", async () => {
    const recorded = await openRecordedPage(browser);
    pages.push(recorded);
    const response = await recorded.page.goto(newsroom.server.url + "/?lang=en");
    const headers = response!.headers();
    expect(headers["content-security-policy"]).toContain("script-src 'self'");
    expect(headers["content-security-policy"]).not.toContain("unsafe-inline");
    expect(headers["cache-control"]).toContain("no-store");
    await recorded.page.locator("#fingerprint").waitFor();
    // A CSP violation would show up here as a console error.
    expect(recorded.errors).toEqual([]);
  });

  it("refuses to send when the keys it received do not match the fingerprint", async () => {
    const recorded = await openRecordedPage(browser);
    pages.push(recorded);
    // A server swapping in a key of its own while still reporting the newsroom's fingerprint.
    await recorded.page.route("**/api/newsroom", async (route) => {
      const real = (await (await route.fetch()).json()) as { desks: { recipients: string[] }[] };
      real.desks[0]!.recipients = ["age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"];
      await route.fulfill({ json: real });
    });
    await recorded.page.goto(newsroom.server.url + "/?lang=en");
    await expect.poll(() => recorded.page.getByRole("alert").textContent()).toBe(en.fingerprintMismatch);
    expect(await recorded.page.locator("form").count()).toBe(0);
  });

  it("refuses to work over an insecure connection", async () => {
    // Plain http to a name other than localhost: not a secure context, as for a LAN address.
    const insecure = await launchChromium({ args: ["--host-resolver-rules=MAP insecure.test 127.0.0.1"] });
    try {
      const recorded = await openRecordedPage(insecure);
      const port = new URL(newsroom.server.url).port;
      await recorded.page.goto(`http://insecure.test:${port}/?lang=en`);
      expect(await recorded.page.evaluate(() => window.isSecureContext)).toBe(false);
      await expect.poll(() => recorded.page.locator(".error").textContent()).toBe(en.insecureConnection);
      expect(await recorded.page.locator("form").count()).toBe(0);
      expect(recorded.requests.some((u) => u.includes("/api/"))).toBe(false);
    } finally {
      await insecure.close();
    }
  });

  it("gives a source without JavaScript the form in their language, and says who encrypts", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      for (const [lang, c] of [["en", en], ["ko", ko], ["zh", zh]] as const) {
        await page.goto(`${newsroom.server.url}/?lang=${lang}`);
        expect(await page.locator("#mode").textContent()).toBe(c.nojsMode);
        expect(await page.locator("form[data-form=first] button[type=submit]").textContent()).toBe(c.nojsSubmit);
        expect(await page.locator("#nojs").getAttribute("lang")).toBe(LANGUAGE_TAGS[lang]);
      }
      // The full flow is in tests/browser/nojs.e2e.test.ts and nojs-firefox.e2e.test.ts.
    } finally {
      await context.close();
    }
  });
});
