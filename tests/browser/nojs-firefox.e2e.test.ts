// The page without JavaScript in Firefox ESR (Debian's firefox-esr, the engine of Tor Browser), driven by
// puppeteer-core over WebDriver BiDi, headless, with `javascript.enabled` false, as Tor Browser at "Safest"
// has it: the whole flow of tests/browser/nojs-flow.ts against a real server process and `sealdrop`.
import { rm } from "node:fs/promises";
import puppeteer, { type Browser, type ElementHandle, type HTTPRequest, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { en } from "../../src/i18n/en.js";
import { buildClient } from "./build.js";
import { startNewsroom, type Newsroom } from "./newsroom.js";
import { type NoJsBrowser, runNoJsFlow } from "./nojs-flow.js";

export const FIREFOX_PATH = process.env.SEALDROP_FIREFOX ?? "/usr/bin/firefox-esr";

let browser: Browser;
let clientDir: string;
let newsroom: Newsroom;

beforeAll(async () => {
  clientDir = await buildClient();
  newsroom = await startNewsroom({ clientDir });
  browser = await puppeteer.launch({
    browser: "firefox",
    protocol: "webDriverBiDi",
    executablePath: FIREFOX_PATH,
    headless: true,
    extraPrefsFirefox: { "javascript.enabled": false, "intl.accept_languages": "en-US, en" },
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await newsroom?.dispose();
  if (clientDir) await rm(clientDir, { recursive: true, force: true });
});

async function element(page: Page, selector: string): Promise<ElementHandle<Element>> {
  const found = await page.$(selector);
  if (!found) throw new Error(`no element matches ${selector}`);
  return found;
}

function driver(page: Page): NoJsBrowser {
  return {
    goto: async (url) => void (await page.goto(url)),
    fill: async (selector, value) => {
      // Empty the field (evaluated in WebDriver's own sandbox, not by the page), then type as a person does.
      await page.$eval(selector, (e) => void ((e as HTMLInputElement).value = ""));
      await (await element(page, selector)).type(value);
    },
    setFiles: async (selector, paths) => {
      const input = (await element(page, selector)) as ElementHandle<HTMLInputElement>;
      await input.uploadFile(...paths);
    },
    submit: async (selector) => {
      await Promise.all([page.waitForNavigation({ timeout: 120_000 }), (await element(page, selector)).click()]);
    },
    text: (selector) => page.$eval(selector, (e) => e.textContent ?? ""),
    texts: (selector) => page.$$eval(selector, (all) => all.map((e) => e.textContent ?? "")),
    count: async (selector) => (await page.$$(selector)).length,
    value: (selector) => page.$eval(selector, (e) => (e as HTMLTextAreaElement).value),
    url: () => page.url(),
  };
}

describe("the page without JavaScript, in Firefox ESR with javascript.enabled false", () => {
  it("sends a tip and a picture, keeps a codename, reads the reply and sends a follow-up; the editor reads it all", async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on("request", (r: HTTPRequest) => void requests.push(r.url()));
    try {
      // Scripts really are off: the page's module script draws nothing, the <noscript> form shows.
      await page.goto(`${newsroom.server.url}/?lang=en`);
      expect(await page.$$eval("#nojs form", (f) => f.length)).toBe(1);
      await runNoJsFlow(driver(page), newsroom, en, "en");
      expect(requests.filter((u) => new URL(u).origin !== newsroom.server.url && !u.startsWith("data:"))).toEqual([]);
      expect(await browser.cookies()).toEqual([]);
    } finally {
      await page.close();
    }
  }, 300_000);
});
