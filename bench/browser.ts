// Benchmark sections in Chromium: encrypt+upload against its baselines (normal and jitless), memory during a
// large upload, and our encryption against OpenPGP.js. The page is bench/page (built by bench/run.ts).
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { CHROMIUM, descendants, log, mb, MiB, pss, rate, ratio, sampler, SIZES, statusField, type Figures } from "./lib.js";

interface Measured<T = unknown> {
  seconds: number;
  peakHeap: number;
  result: T;
}

/** The running sealdrop server the page talks to. */
export interface BenchServer {
  url: string;
  pid: number;
  dataDir: string;
  recipient: string;
}

async function openBench(browser: Browser, server: BenchServer, file: string): Promise<Page> {
  const page = await browser.newPage();
  page.on("pageerror", (e) => log(`page error: ${e.message}`));
  await page.goto(`${server.url}/`);
  await page.locator("#ready").waitFor({ state: "attached" });
  await page.evaluate((r) => ((window as unknown as { benchRecipient: string }).benchRecipient = r), server.recipient);
  await page.locator("#file").setInputFiles(file);
  return page;
}

const run = (page: Page, fn: "encryptOnly" | "encryptUpload" | "rawUpload" | "openpgpEncrypt") =>
  page.evaluate((name) => (window as unknown as { bench: Record<string, () => Promise<Measured>> }).bench[name]!(), fn) as Promise<Measured>;

async function withBrowser<T>(jitless: boolean, f: (browser: Browser) => Promise<T>): Promise<T> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--enable-precise-memory-info", ...(jitless ? ["--js-flags=--jitless"] : [])],
  });
  try {
    return await f(browser);
  } finally {
    await browser.close().catch(() => {});
  }
}

async function clearUploads(dataDir: string): Promise<void> {
  const dir = join(dataDir, "blobs", "uploads");
  for (const f of await readdir(dir).catch(() => [] as string[])) await rm(join(dir, f), { force: true });
}

/** Encrypt+upload against min(encrypt-only, raw upload), normal and jitless. */
export async function uploadFigures(server: BenchServer, bigFile: string, smallFile: string): Promise<Figures> {
  const one = (jitless: boolean, file: string, bytes: number) =>
    withBrowser(jitless, async (browser) => {
      const page = await openBench(browser, server, file);
      log(`${jitless ? "jitless " : ""}browser, ${mb(bytes)}: encrypt only…`);
      const enc = await run(page, "encryptOnly");
      log(`  raw upload…`);
      const raw = await run(page, "rawUpload");
      await clearUploads(server.dataDir);
      log(`  encrypt + upload…`);
      const both = await run(page, "encryptUpload");
      await clearUploads(server.dataDir);
      const r = Math.max(enc.seconds, raw.seconds) / both.seconds;
      const label = jitless ? `Browser encrypt+upload, ${mb(bytes)}, \`--jitless\`` : `Browser encrypt+upload, ${mb(bytes)} on loopback (Chromium)`;
      return `| ${label} | ${rate(bytes, both.seconds)} | min(encrypt only ${rate(bytes, enc.seconds)}, raw upload ${rate(bytes, raw.seconds)}) | **${ratio(r)}** | ≥ 0.9 | ${r >= 0.9 ? "met" : "not met"} |`;
    });
  return { rows: [await one(false, bigFile, SIZES.browser), await one(true, smallFile, SIZES.jitless)], notes: [] };
}

/** A large encrypt+upload, sampling the browser's process tree (PSS) and the server (RSS). */
export async function memoryFigures(server: BenchServer, hugeFile: string): Promise<Figures> {
  return withBrowser(false, async (browser) => {
    const page = await openBench(browser, server, hugeFile);
    const serverTree = new Set([server.pid, ...descendants(server.pid)]);
    const browserTree = () => descendants(process.pid).filter((p) => !serverTree.has(p));
    const browserIdle = browserTree().reduce((n, p) => n + pss(p), 0);
    const serverIdle = statusField(server.pid, "VmRSS");
    const browserMemory = sampler(() => browserTree().reduce((n, p) => n + pss(p), 0));
    const serverMemory = sampler(() => statusField(server.pid, "VmRSS"));
    log(`browser memory, ${mb(SIZES.memory)} encrypt + upload…`);
    const m = await run(page, "encryptUpload");
    const browserPeak = browserMemory.stop();
    const serverPeak = serverMemory.stop();
    await clearUploads(server.dataDir);
    const growth = (peak: number, idle: number, limit: number) => (peak < limit ? "met" : `not met (growth ${mb(peak - idle)}, ${peak - idle < limit ? "under" : "over"} ${mb(limit)})`);
    return {
      rows: [
        `| Peak JS heap, ${mb(SIZES.memory)} encrypt+upload | ${mb(m.peakHeap)} | (absolute) | – | < 300 MiB | ${m.peakHeap < 300 * MiB ? "met" : "not met"} |`,
        `| Peak browser memory (PSS, all Chromium processes), same run | ${mb(browserPeak)} | idle with the page open: ${mb(browserIdle)} (growth ${mb(browserPeak - browserIdle)}) | – | < 300 MiB | ${growth(browserPeak, browserIdle, 300 * MiB)} |`,
        `| Peak server RSS during the ${mb(SIZES.memory)} upload | ${mb(serverPeak)} | idle before it: ${mb(serverIdle)} (growth ${mb(serverPeak - serverIdle)}) | – | < 150 MiB | ${growth(serverPeak, serverIdle, 150 * MiB)} |`,
      ],
      notes: [`The ${mb(SIZES.memory)} encrypt+upload itself ran at ${rate(SIZES.memory, m.seconds)}.`],
    };
  });
}

/** Our browser encryption against OpenPGP.js on the same data, same browser. */
export async function openpgpFigures(server: BenchServer, file: string): Promise<Figures> {
  return withBrowser(false, async (browser) => {
    const page = await openBench(browser, server, file);
    log(`OpenPGP.js against sealdrop, ${mb(SIZES.openpgp)}…`);
    const ours = await run(page, "encryptOnly");
    const pgp = await run(page, "openpgpEncrypt");
    const r = pgp.seconds / ours.seconds;
    return {
      rows: [
        `| Browser encryption, ${mb(SIZES.openpgp)}: sealdrop (age STREAM + padding + SHA-256) vs OpenPGP.js 6.3.2 (Curve25519, uncompressed) | ${rate(SIZES.openpgp, ours.seconds)} | OpenPGP.js ${rate(SIZES.openpgp, pgp.seconds)} | **${ratio(r)}** | (comparison) | – |`,
      ],
      notes: [],
    };
  });
}
