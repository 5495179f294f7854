// What the inbox's end-to-end test does on the source's side (the source page, as two-way.e2e.test.ts
// drives it) and on the inbox's edges (raw HTTP with any Host, axe-core in the page).
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { request } from "node:http";
import { createRequire } from "node:module";
import type { Browser, Page } from "playwright-core";
import { en } from "../../src/i18n/en.js";
import { openRecordedPage, type RecordedPage } from "../helpers/browser.js";

/** Opens the source page in a fresh context. */
export async function openSourcePage(browser: Browser, url: string): Promise<RecordedPage> {
  const r = await openRecordedPage(browser);
  await r.page.goto(`${url}/?lang=en`);
  await r.page.locator("#fingerprint").waitFor();
  return r;
}

/** Sends a tip with one file; returns the receipt's submission id and, if the source kept one, the codename's words. */
export async function sendTip(r: RecordedPage, message: string, fileName: string, keepCodename: boolean): Promise<{ id: string; words: string[] }> {
  await r.page.getByLabel(en.messageLabel).fill(message);
  await r.page.getByLabel(en.filesLabel).setInputFiles({ name: fileName, mimeType: "application/octet-stream", buffer: randomBytes(20_000) });
  const keep = r.page.getByLabel(en.keepCodename);
  if ((await keep.count()) > 0 && (await keep.isChecked()) !== keepCodename) await keep.setChecked(keepCodename);
  await r.page.getByRole("button", { name: en.submit }).click();
  const receipt = r.page.locator("#receipt-id");
  await receipt.waitFor({ timeout: 120_000 });
  const words = keepCodename ? await r.page.locator("#codename-words li").allTextContents() : [];
  return { id: (await receipt.textContent()) ?? "", words };
}

/** A returning source: types the codename and waits for the replies to show. */
export async function openReplies(r: RecordedPage, words: string[]): Promise<string[]> {
  await r.page.getByRole("button", { name: en.returnButton }).click();
  await r.page.getByLabel(en.codenameLabel).fill(words.join(" "));
  await r.page.getByRole("button", { name: en.codenameOpen }).click();
  const message = r.page.locator(".reply-message");
  await message.first().waitFor({ timeout: 60_000 });
  return message.allTextContents();
}

/** A GET with any Host header (fetch cannot set one): how a DNS-rebinding page's requests arrive. */
export function rawGet(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { connection: "close", ...headers } }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once("error", reject);
    req.end();
  });
}

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/**
 * axe-core's violations on the page as it is now. The inbox's CSP admits only its own scripts, so axe is
 * evaluated through the DevTools protocol (not a <script> tag the CSP would block); the page is unchanged.
 */
export async function axeViolations(page: Page): Promise<{ id: string; impact: string | null; targets: string[] }[]> {
  const source = await readFile(AXE, "utf8");
  await page.evaluate(source);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.flatMap((n) => n.target.map(String)) }));
  });
}
