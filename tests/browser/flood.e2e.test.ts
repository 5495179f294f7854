// Issue 6's acceptance through the real page: while a flood of submissions and uploads without valid proof
// of work hits the server, a source in jitless Chromium (Tor Browser "Safer") still gets a receipt, and the
// editor reads exactly that one tip. The flood is bounded in count and time and stays on loopback.
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBase64, toHex } from "../../src/core/bytes.js";
import { POW_HEADER } from "../../src/core/pow.js";
import { launchChromium, openRecordedPage } from "../helpers/browser.js";
import { buildClient } from "./build.js";
import { startNewsroom, type Newsroom } from "./newsroom.js";

let browser: Browser;
let clientDir: string;
let newsroom: Newsroom;

beforeAll(async () => {
  clientDir = await buildClient();
  browser = await launchChromium({ jitless: true });
  newsroom = await startNewsroom({ clientDir });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await newsroom?.dispose();
  if (clientDir) await rm(clientDir, { recursive: true, force: true });
});

/** Garbage writes: no proof, forged proof, replayed-looking tokens; each answered and counted by status. */
async function flood(url: string, until: () => boolean, statuses: Map<number, number>): Promise<void> {
  const forged = () => `v1.${toBase64(randomBytes(16))}.10.9999999999.${toBase64(randomBytes(32))}.${toHex(randomBytes(8))}`;
  const attacks = [
    () => fetch(`${url}/api/submissions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ desk: "news", envelope: toBase64(randomBytes(600)), attachments: [] }) }),
    () => fetch(`${url}/api/submissions`, { method: "POST", headers: { "content-type": "application/json", [POW_HEADER]: forged() }, body: "{}" }),
    () => fetch(`${url}/api/uploads`, { method: "POST", headers: { "content-type": "application/json", [POW_HEADER]: forged() }, body: "{}" }),
  ];
  const worker = async (n: number) => {
    for (let i = 0; i < 5_000 && !until(); i++) {
      const res = await attacks[(i + n) % attacks.length]!();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      await res.arrayBuffer();
    }
  };
  await Promise.all([0, 1, 2, 3].map(worker));
}

describe("a flood without valid proof of work", () => {
  it("does not stop a jitless-browser source from landing a tip", async () => {
    const origin = newsroom.server.url;
    const message = `flood-canary-${toHex(randomBytes(8))}`;
    const statuses = new Map<number, number>();
    let done = false;
    const attacker = flood(origin, () => done, statuses);

    const recorded = await openRecordedPage(browser);
    try {
      const { page } = recorded;
      await page.goto(`${origin}/?lang=en`);
      expect(await page.evaluate(() => typeof WebAssembly)).toBe("undefined");
      await page.getByLabel("Message").fill(message);
      await page.getByRole("button", { name: "Encrypt and send" }).click();
      await page.locator("#receipt-id").waitFor({ timeout: 90_000 });
      expect(await page.locator("#receipt-id").textContent()).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      done = true;
      await attacker;
      await recorded.close();
    }

    // The flood was real, and every one of its writes was refused for want of proof of work.
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(20);
    expect([...statuses.keys()]).toEqual([428]);

    // Exactly the source's tip is stored.
    const pulled = JSON.parse(await newsroom.sealdrop("pull", "--server", origin, "--json")) as { newSubmissions: number };
    expect(pulled.newSubmissions).toBe(1);
    const list = JSON.parse(await newsroom.sealdrop("list", "--json")) as { firstLine: string }[];
    expect(list.map((s) => s.firstLine)).toEqual([message]);
  });
});
