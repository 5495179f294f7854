// The page without JavaScript in Chromium with scripts disabled (playwright-core, `javaScriptEnabled:
// false`): the whole flow of tests/browser/nojs-flow.ts against a real server process and `sealdrop`.
import { rm } from "node:fs/promises";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { en } from "../../src/i18n/en.js";
import { launchChromium } from "../helpers/browser.js";
import { buildClient } from "./build.js";
import { startNewsroom, type Newsroom } from "./newsroom.js";
import { type NoJsBrowser, runNoJsFlow } from "./nojs-flow.js";

let browser: Browser;
let clientDir: string;
let newsroom: Newsroom;

beforeAll(async () => {
  clientDir = await buildClient();
  newsroom = await startNewsroom({ clientDir });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await newsroom?.dispose();
  if (clientDir) await rm(clientDir, { recursive: true, force: true });
});

function driver(page: Page): NoJsBrowser {
  return {
    goto: async (url) => void (await page.goto(url)),
    fill: (selector, value) => page.locator(selector).fill(value),
    setFiles: (selector, paths) => page.locator(selector).setInputFiles(paths),
    submit: async (selector) => {
      await Promise.all([page.waitForNavigation({ timeout: 120_000 }), page.locator(selector).click()]);
    },
    text: async (selector) => (await page.locator(selector).textContent()) ?? "",
    texts: (selector) => page.locator(selector).allTextContents(),
    count: (selector) => page.locator(selector).count(),
    value: (selector) => page.locator(selector).inputValue(),
    url: () => page.url(),
  };
}

describe("the page without JavaScript, in Chromium with scripts off", () => {
  let context: BrowserContext;
  afterAll(() => context?.close());

  it("sends a tip and a picture, keeps a codename, reads the reply and sends a follow-up; the editor reads it all", async () => {
    context = await browser.newContext({ javaScriptEnabled: false, locale: "en-US" });
    const requests: string[] = [];
    context.on("request", (r) => requests.push(r.url()));
    const page = await context.newPage();
    await runNoJsFlow(driver(page), newsroom, en, "en");
    // No script ran, so none was fetched beyond the page's own files, and nothing left this origin.
    expect(requests.filter((u) => new URL(u).origin !== newsroom.server.url && !u.startsWith("data:"))).toEqual([]);
    expect(await context.cookies()).toEqual([]);
  }, 300_000);
});
