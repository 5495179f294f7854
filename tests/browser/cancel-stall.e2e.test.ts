// Sending through a bad link, in Chromium with and without JIT: Cancel during an upload stops everything
// and leaves no submission on the server; a part that a middlebox takes and never answers is dropped after
// the page's idle timeout, shown as "reconnecting", sent again, and the file arrives byte for byte. The
// server sits behind a test proxy (tests/helpers/stall-proxy.ts) that holds the chosen part request.
import { randomBytes } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHex } from "../../src/core/bytes.js";
import { en } from "../../src/i18n/en.js";
import { launchChromium, openRecordedPage } from "../helpers/browser.js";
import { startStallProxy, type StallProxy } from "../helpers/stall-proxy.js";
import { buildClient } from "./build.js";
import { startNewsroom, type Newsroom } from "./newsroom.js";

// Streamed (≥ 8 MiB), so it goes in 8 MiB parts: part 1 is the one held.
const FILE_BYTES = 12 * 1024 * 1024;
const isPartOne = (method: string, path: string) => method === "PUT" && /\/api\/uploads\/[^/]+\/parts\/1$/.test(path);

let clientDir: string;
beforeAll(async () => {
  clientDir = await buildClient();
}, 120_000);
afterAll(async () => {
  if (clientDir) await rm(clientDir, { recursive: true, force: true });
});

describe.each([
  ["normal", false],
  ["jitless", true],
])("a bad link, in Chromium (%s)", (_mode, jitless) => {
  let browser: Browser;
  let newsroom: Newsroom;
  beforeAll(async () => {
    browser = await launchChromium({ jitless });
    newsroom = await startNewsroom({ clientDir, classic: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await newsroom?.dispose();
  });

  async function openThrough(proxy: StallProxy, tuning: { partIdleTimeoutMs?: number } = {}) {
    const r = await openRecordedPage(browser);
    await r.context.addInitScript((t) => ((globalThis as { sealdropTuning?: object }).sealdropTuning = t), tuning);
    await r.page.goto(`${proxy.url}/?lang=en`);
    await r.page.locator("#fingerprint").waitFor();
    return r;
  }

  it("Cancel during the upload stops it and leaves no submission on the server", async () => {
    // Part 1 never gets an answer, so the upload is surely under way when Cancel is pressed.
    const proxy = await startStallProxy(newsroom.server.url, isPartOne);
    const r = await openThrough(proxy);
    try {
      const file = randomBytes(FILE_BYTES);
      await r.page.getByLabel(en.messageLabel).fill("this must never arrive");
      await r.page.getByLabel(en.filesLabel).setInputFiles({ name: "video.bin", mimeType: "application/octet-stream", buffer: file });
      await r.page.getByRole("button", { name: en.submit }).click();
      await proxy.held();
      const cancel = r.page.getByRole("button", { name: en.cancelSend });
      expect(await cancel.isVisible()).toBe(true);
      await cancel.click();
      await expect.poll(() => r.page.getByRole("alert").textContent()).toBe(en.sendCancelled);
      expect(await cancel.isHidden()).toBe(true);
      // Everything kept for another try, and the form usable again.
      expect(await r.page.getByLabel(en.messageLabel).inputValue()).toBe("this must never arrive");
      expect(await r.page.getByRole("button", { name: en.submit }).isEnabled()).toBe(true);
      // Nothing acknowledged: no submission was posted, none is stored.
      expect(proxy.seen.filter((s) => s.startsWith("POST /api/submissions"))).toEqual([]);
      const pulled = JSON.parse(await newsroom.sealdrop("pull", "--server", newsroom.server.url, "--json")) as { newSubmissions: number };
      expect(pulled.newSubmissions).toBe(0);
      expect(JSON.parse(await newsroom.sealdrop("list", "--json"))).toEqual([]);
    } finally {
      await r.close();
      await proxy.close();
    }
  }, 240_000);

  it("a stalled part is dropped after its idle timeout, shown as reconnecting, sent again, and the file arrives byte for byte", async () => {
    let holds = 0;
    // Only the first attempt at part 1 is held; the retry goes through.
    const proxy = await startStallProxy(newsroom.server.url, (method, path) => isPartOne(method, path) && holds++ === 0);
    const r = await openThrough(proxy, { partIdleTimeoutMs: 1500 });
    try {
      const file = randomBytes(FILE_BYTES);
      await r.page.getByLabel(en.messageLabel).fill("stalled but delivered");
      await r.page.getByLabel(en.filesLabel).setInputFiles({ name: "stalled.bin", mimeType: "application/octet-stream", buffer: file });
      // Checks the status text every frame from before the click: the reconnecting notice lasts about a second.
      const reconnecting = r.page.waitForFunction(
        (text) => document.getElementById("progress-text")?.textContent?.startsWith(text) === true,
        en.statusReconnecting,
        { polling: "raf", timeout: 180_000 },
      );
      await r.page.getByRole("button", { name: en.submit }).click();
      await proxy.held();
      await reconnecting;
      await r.page.locator("#receipt-id").waitFor({ timeout: 180_000 });
      const id = (await r.page.locator("#receipt-id").textContent())!.trim();
      // Part 1 was sent twice: the held attempt, then the retry that the server answered.
      expect(proxy.seen.filter((s) => isPartOne(s.split(" ")[0]!, s.split(" ")[1]!))).toHaveLength(2);

      await newsroom.sealdrop("pull", "--server", newsroom.server.url, "--json");
      const out = join(newsroom.root, `out-${jitless ? "jitless" : "normal"}`);
      const read = JSON.parse(await newsroom.sealdrop("read", id, "--out", out, "--json")) as { message: string; attachments: { size: number; sha256: string; savedAs: string }[] };
      expect(read.message).toBe("stalled but delivered");
      expect(read.attachments).toHaveLength(1);
      expect(read.attachments[0]).toMatchObject({ size: FILE_BYTES, sha256: toHex(sha256(file)) });
      expect(Buffer.compare(await readFile(read.attachments[0]!.savedAs), file)).toBe(0);
      expect(r.errors.filter((e) => !e.includes("/parts/1"))).toEqual([]);
    } finally {
      await r.close();
      await proxy.close();
    }
  }, 240_000);
});
