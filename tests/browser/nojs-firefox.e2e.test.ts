// The page without JavaScript in Firefox ESR (Debian's firefox-esr, the engine of Tor Browser), driven by
// puppeteer-core over WebDriver BiDi, headless, with `javascript.enabled` false, as Tor Browser at "Safest"
// has it: the whole flow of tests/browser/nojs-flow.ts against a real server process and `sealdrop`.
//
// Two of puppeteer's calls do not work under BiDi with scripts off (found with puppeteer-core 24.43.1 and
// firefox-esr 153), and this driver goes around them:
// - `page.$$`/`$$eval` never answer: puppeteer walks the matches with an async generator evaluated in the
//   page's realm, whose promises never settle there (`script.callFunction` times out; the hang that once
//   kept this test out). `page.$` and `$eval` with a plain function do answer, so lists are read with one
//   `$eval` that runs querySelectorAll.
// - `ElementHandle.click()` reaches the button without activating it: no request leaves the browser. A
//   person presses the button with the keyboard here: it is focused, then Enter, which submits the form.
import { rm } from "node:fs/promises";
import puppeteer, { type Browser, type ElementHandle, type HTTPRequest, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { en } from "../../src/i18n/en.js";
import { buildClient } from "./build.js";
import { startNewsroom, type Newsroom } from "./newsroom.js";
import { type NoJsBrowser, runNoJsFlow } from "./nojs-flow.js";

const FIREFOX_PATH = process.env.SEALDROP_FIREFOX ?? "/usr/bin/firefox-esr";

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
    // A command that cannot finish fails the test within the test's own timeout rather than after 180 s.
    protocolTimeout: 120_000,
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
      // Empty the field (WebDriver runs this itself; the page's scripts stay off), then type as a person does.
      await page.$eval(selector, (e) => void ((e as HTMLInputElement).value = ""));
      await (await element(page, selector)).type(value);
    },
    setFiles: async (selector, paths) => {
      const input = (await element(page, selector)) as ElementHandle<HTMLInputElement>;
      await input.uploadFile(...paths);
    },
    submit: async (selector) => {
      await (await element(page, selector)).focus();
      await Promise.all([page.waitForNavigation({ timeout: 120_000 }), page.keyboard.press("Enter")]);
    },
    text: (selector) => page.$eval(selector, (e) => e.textContent ?? ""),
    texts: (selector) => page.$eval("html", (root, s) => Array.from(root.querySelectorAll(s), (e) => e.textContent ?? ""), selector),
    count: (selector) => page.$eval("html", (root, s) => root.querySelectorAll(s).length, selector),
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
      const b = driver(page);
      // Scripts really are off: the <noscript> content is parsed as markup, which a browser running scripts does not do.
      await page.goto(`${newsroom.server.url}/?lang=en`);
      expect(await b.count("#nojs form")).toBe(1);
      await runNoJsFlow(b, newsroom, en, "en");
      // No script ran, so nothing left this origin, and no cookie was set.
      expect(requests.filter((u) => new URL(u).origin !== newsroom.server.url && !u.startsWith("data:"))).toEqual([]);
      expect(await browser.cookies()).toEqual([]);
    } finally {
      await page.close();
    }
  }, 300_000);
});
