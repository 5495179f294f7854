// Benchmark sections in Chromium: encrypt+upload against its baselines (normal and jitless), memory during a
// large upload, and our encryption against OpenPGP.js. The page is bench/page (built by bench/run.ts).
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, readFileSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { chromium, type Browser, type Page } from "playwright-core";
import { decryptAttachmentToFile } from "../src/cli/stream/attachment.js";
import { CHROMIUM, cpuSeconds, descendants, GiB, log, mb, MiB, pss, rate, ratio, sampler, SIZES, statusField, type Figures } from "./lib.js";

interface Measured<T = unknown> {
  seconds: number;
  peakHeap: number;
  /** The main thread's long tasks during the run (Long Tasks API): how many took over 100 ms, and the longest. */
  longTasks: { over100: number; longestMs: number };
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

type BenchFunction = "encryptOnly" | "encryptUpload" | "rawUpload" | "openpgpEncrypt";

const run = (page: Page, fn: BenchFunction) =>
  page.evaluate((name) => (window as unknown as { bench: Record<string, () => Promise<Measured>> }).bench[name]!(), fn) as Promise<Measured>;

const chromiumArgs = (jitless: boolean) => ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--enable-precise-memory-info", ...(jitless ? ["--js-flags=--jitless"] : [])];

async function withBrowser<T>(jitless: boolean, f: (browser: Browser) => Promise<T>): Promise<T> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: chromiumArgs(jitless) });
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

/**
 * CPU seconds each side spends during one run: the server process, and Chromium's processes by type
 * (the renderer holds the page's main thread and its sealing workers). Read from /proc before and after.
 */
function cpuMeter(server: BenchServer) {
  const serverTree = () => new Set([server.pid, ...descendants(server.pid)]);
  const read = () => {
    const own = serverTree();
    const byType = new Map<string, number>();
    for (const p of descendants(process.pid)) {
      const key = own.has(p) ? "server" : processType(p).replace(/^utility: /, "");
      byType.set(key, (byType.get(key) ?? 0) + cpuSeconds(p));
    }
    return byType;
  };
  const before = read();
  return {
    /** CPU milliseconds per MiB of `bytes`, by component, largest first, and their sum. */
    stop(bytes: number) {
      const after = read();
      const perMiB = [...after].map(([k, v]) => [k, ((v - (before.get(k) ?? 0)) * 1000) / (bytes / MiB)] as const).filter(([, v]) => v >= 0.05).sort((a, b) => b[1] - a[1]);
      const total = perMiB.reduce((sum, [, v]) => sum + v, 0);
      return `${total.toFixed(1)} ms/MiB (${perMiB.map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ")})`;
    },
  };
}

/** Encrypt+upload against min(encrypt-only, raw upload), normal and jitless. */
export async function uploadFigures(server: BenchServer, bigFile: string, smallFile: string): Promise<Figures> {
  const notes: string[] = [];
  const one = (jitless: boolean, file: string, bytes: number) =>
    withPlainBench(server, file, jitless, async (page) => {
      const measured = async (fn: BenchFunction) => {
        const cpu = cpuMeter(server);
        const m = await page.run(fn);
        return { ...m, cpu: cpu.stop(bytes) };
      };
      log(`${jitless ? "jitless " : ""}browser, ${mb(bytes)}: encrypt only…`);
      const enc = await measured("encryptOnly");
      log(`  raw upload…`);
      const raw = await measured("rawUpload");
      await clearUploads(server.dataDir);
      log(`  encrypt + upload…`);
      const both = await measured("encryptUpload");
      await clearUploads(server.dataDir);
      const r = Math.max(enc.seconds, raw.seconds) / both.seconds;
      const label = jitless ? `Browser encrypt+upload, ${mb(bytes)}, \`--jitless\`` : `Browser encrypt+upload, ${mb(bytes)} on loopback (Chromium)`;
      const rows = [`| ${label} | ${rate(bytes, both.seconds)} | min(encrypt only ${rate(bytes, enc.seconds)}, raw upload ${rate(bytes, raw.seconds)}) | **${ratio(r)}** | ≥ 0.9 | ${r >= 0.9 ? "met" : "not met"} |`];
      const cpuNote = `CPU per MiB of the ${mb(bytes)} file${jitless ? " (`--jitless`)" : ""}, user + system, from /proc: encrypt only ${enc.cpu}; raw upload ${raw.cpu}; encrypt+upload ${both.cpu}.`;
      log(`  ${cpuNote}`);
      notes.push(cpuNote);
      if (jitless) {
        const speed = bytes / 2 ** 20 / both.seconds;
        rows.push(`| Browser encrypt+upload speed, ${mb(bytes)}, \`--jitless\` (sealing on ${"`navigator.hardwareConcurrency`"} Web Workers) | ${rate(bytes, both.seconds)} | the 2.5 MiB/s target | **${ratio(speed / 2.5)}** | ≥ 1 | ${speed >= 2.5 ? "met" : "not met"} |`);
        rows.push(`| Main-thread long tasks over 100 ms while ${mb(bytes)} is encrypted and sent, \`--jitless\` | ${both.longTasks.over100} (longest ${both.longTasks.longestMs} ms) | none | **${both.longTasks.over100}** | 0 | ${both.longTasks.over100 === 0 ? "met" : "not met"} |`);
      }
      return rows;
    });
  const rows = [...(await one(false, bigFile, SIZES.browser)), ...(await one(true, smallFile, SIZES.jitless))];
  return { rows, notes };
}

/**
 * The bench page in Chromium driven over --remote-debugging-pipe with the Target, Page, DOM and Runtime
 * domains only. Playwright always enables the Network domain, which copies every request body in full
 * (base64, in Network.requestWillBeSent) through the renderer and the browser process to the driver: with
 * 8 MiB parts that was most of the memory the benchmark saw, and a third of the speed. A source's browser
 * has no debugger attached, so the memory section measures without it.
 */
async function plainBench(server: BenchServer, file: string, jitless = false) {
  const profile = await mkdtemp(join(tmpdir(), "sealdrop-chromium-"));
  const child = spawn(CHROMIUM, ["--headless", `--user-data-dir=${profile}`, "--remote-debugging-pipe", ...chromiumArgs(jitless), "about:blank"], { stdio: ["ignore", "ignore", "ignore", "pipe", "pipe"] });
  const [toChrome, fromChrome] = [child.stdio[3] as Writable, child.stdio[4] as Readable];
  const pending = new Map<number, { resolve: (v: Record<string, any>) => void; reject: (e: Error) => void }>();
  const decoder = new StringDecoder("utf8");
  let text = "";
  let id = 0;
  fromChrome.on("data", (c: Buffer) => {
    text += decoder.write(c);
    for (let end = text.indexOf("\0"); end >= 0; end = text.indexOf("\0")) {
      const m = JSON.parse(text.slice(0, end)) as { id?: number; result?: Record<string, any>; error?: { message: string } };
      text = text.slice(end + 1);
      const p = m.id === undefined ? undefined : pending.get(m.id);
      if (p) (pending.delete(m.id!), m.error ? p.reject(new Error(m.error.message)) : p.resolve(m.result!));
    }
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  void exited.then(() => pending.forEach((p) => p.reject(new Error("Chromium exited"))));
  const send = (method: string, params: object = {}, sessionId?: string) =>
    new Promise<Record<string, any>>((resolve, reject) => {
      pending.set(++id, { resolve, reject });
      toChrome.write(`${JSON.stringify({ id, method, params, sessionId })}\0`);
    });
  const { targetId } = await send("Target.createTarget", { url: "about:blank" });
  const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
  const evaluate = async (expression: string) => {
    const r = await send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true }, sessionId);
    if (r.exceptionDetails) throw new Error(`page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as unknown;
  };
  await send("Page.navigate", { url: `${server.url}/` }, sessionId);
  while (!(await evaluate(`document.getElementById("ready")?.hidden === false`))) await new Promise((r) => setTimeout(r, 100));
  await evaluate(`window.benchRecipient = ${JSON.stringify(server.recipient)}`);
  const { root } = await send("DOM.getDocument", {}, sessionId);
  const { nodeId } = await send("DOM.querySelector", { nodeId: root.nodeId, selector: "#file" }, sessionId);
  await send("DOM.setFileInputFiles", { nodeId, files: [file] }, sessionId);
  return {
    run: (fn: BenchFunction) => evaluate(`bench.${fn}()`) as Promise<Measured>,
    async close() {
      await send("Browser.close").catch(() => {});
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      child.kill("SIGKILL");
      await rm(profile, { recursive: true, force: true });
    },
  };
}

async function withPlainBench<T>(server: BenchServer, file: string, jitless: boolean, f: (page: Awaited<ReturnType<typeof plainBench>>) => Promise<T>): Promise<T> {
  const page = await plainBench(server, file, jitless);
  try {
    return await f(page);
  } finally {
    await page.close();
  }
}

/** A very large attachment end to end: the page encrypts and uploads it, the editor's decryptor restores it. */
export async function largeFigures(server: BenchServer, file: string, bytes: number, identity: string): Promise<Figures> {
  return withPlainBench(server, file, false, async (page) => {
    log(`browser, ${mb(bytes)}: encrypt + upload, then decrypt on the editor side…`);
    const m = (await page.run("encryptUpload")) as Measured<{ uploadId: string; size: number; sha256Pieces: string; ciphertextSize: number }>;
    const stored = join(server.dataDir, "blobs", "uploads", m.result.uploadId);
    const out = `${stored}.plain`;
    const t = performance.now();
    const r = await decryptAttachmentToFile({ path: stored, size: m.result.ciphertextSize }, [identity], { size: m.result.size, sha256_pieces: m.result.sha256Pieces }, out);
    const decryptSeconds = (performance.now() - t) / 1000;
    // The decryptor checked the page's pieces digest; the file it wrote must also be the original, byte for byte.
    const exact = r.ok && m.result.size === bytes && r.sha256 === (await fileSha256(file));
    await rm(out, { force: true });
    await clearUploads(server.dataDir);
    return {
      rows: [
        `| ${mb(bytes)} attachment end to end: browser encrypt+upload, then \`sealdrop read\`'s decryptor on the stored upload | upload ${rate(bytes, m.seconds)}, decrypt ${rate(bytes, decryptSeconds)} | (absolute) | – | ≥ 4 GiB, byte-exact | ${exact && bytes >= 4 * GiB ? "met" : `not met${r.ok ? "" : ` (${r.reason})`}`} |`,
      ],
      notes: [`The ${mb(bytes)} attachment: ${mb(m.result.ciphertextSize)} of ciphertext on the server (padding included); decrypted plaintext ${exact ? "identical to the file (SHA-256)" : "NOT identical"}; peak JS heap ${mb(m.peakHeap)}.`],
    };
  });
}

async function fileSha256(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest("hex");
}

/** Chromium's name for a process: its --type= (renderer, gpu-process, utility: network…), or "browser". */
function processType(pid: number): string {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split(/[\0 ]/); // Chromium rewrites its title: spaces, not NULs
    const type = args.find((a) => a.startsWith("--type="))?.slice(7);
    const sub = args.find((a) => a.startsWith("--utility-sub-type="))?.slice(19).replace(/^.*\.mojom\./, "");
    return type ? (sub ? `${type}: ${sub}` : type) : "browser";
  } catch {
    return "?";
  }
}

/** PSS of each process in a tree, sampled every 200 ms: idle (first reading) and peak per process. SEALDROP_BENCH_TRACE=1 logs every 2 s. */
function processSampler(tree: () => number[]) {
  const idle = new Map<number, number>();
  const peak = new Map<number, number>();
  let peakSum = 0;
  const read = () => {
    let sum = 0;
    for (const p of tree()) {
      const v = pss(p);
      sum += v;
      if (!idle.has(p)) idle.set(p, v);
      peak.set(p, Math.max(peak.get(p) ?? 0, v));
    }
    peakSum = Math.max(peakSum, sum);
    return sum;
  };
  const idleSum = read();
  let ticks = 0;
  const trace = process.env.SEALDROP_BENCH_TRACE === "1";
  const timer = setInterval(() => {
    read();
    if (trace && ++ticks % 10 === 0) log(`  ${tree().map((p) => `${processType(p).replace(/^utility: /, "")} ${(pss(p) / MiB).toFixed(0)}`).join(", ")}`);
  }, 200);
  return {
    idleSum,
    stop() {
      clearInterval(timer);
      read();
      const byProcess = [...peak].map(([p, v]) => ({ pid: p, type: processType(p), idle: idle.get(p)!, peak: v })).sort((a, b) => b.peak - b.idle - (a.peak - a.idle));
      return { peakSum, byProcess };
    },
  };
}

/** A large encrypt+upload, sampling the browser's process tree (PSS, per process) and the server (RSS). */
export async function memoryFigures(server: BenchServer, hugeFile: string): Promise<Figures> {
  const page = await plainBench(server, hugeFile);
  try {
    const serverTree = new Set([server.pid, ...descendants(server.pid)]);
    const browserTree = () => descendants(process.pid).filter((p) => !serverTree.has(p));
    const serverIdle = statusField(server.pid, "VmRSS");
    const browserMemory = processSampler(browserTree);
    const browserIdle = browserMemory.idleSum;
    const serverMemory = sampler(() => statusField(server.pid, "VmRSS"));
    log(`browser memory, ${mb(SIZES.memory)} encrypt + upload…`);
    const m = await page.run("encryptUpload");
    const { peakSum: browserPeak, byProcess } = browserMemory.stop();
    const serverPeak = serverMemory.stop();
    await clearUploads(server.dataDir);
    for (const p of byProcess) log(`  ${p.type} (${p.pid}): idle ${mb(p.idle)}, peak ${mb(p.peak)} (growth ${mb(p.peak - p.idle)})`);
    const top = byProcess[0];
    const growth = (peak: number, idle: number, limit: number) => (peak - idle < limit ? "met" : `not met (growth ${mb(peak - idle)}, over ${mb(limit)})`);
    const absolute = (peak: number, idle: number, limit: number) => (peak < limit ? "met" : `not met (growth ${mb(peak - idle)}, ${peak - idle < limit ? "under" : "over"} ${mb(limit)})`);
    return {
      rows: [
        `| Peak JS heap, ${mb(SIZES.memory)} encrypt+upload | ${mb(m.peakHeap)} | (absolute) | – | < 300 MiB | ${m.peakHeap < 300 * MiB ? "met" : "not met"} |`,
        `| Peak browser memory growth (PSS, all Chromium processes), same run | ${mb(browserPeak - browserIdle)} | idle with the page open: ${mb(browserIdle)}, peak ${mb(browserPeak)}${top ? `; most growth: ${top.type} +${mb(top.peak - top.idle)}` : ""} | – | < 300 MiB | ${growth(browserPeak, browserIdle, 300 * MiB)} |`,
        `| Peak server RSS during the ${mb(SIZES.memory)} upload | ${mb(serverPeak)} | idle before it: ${mb(serverIdle)} (growth ${mb(serverPeak - serverIdle)}) | – | < 150 MiB | ${absolute(serverPeak, serverIdle, 150 * MiB)} |`,
      ],
      notes: [
        `The ${mb(SIZES.memory)} encrypt+upload itself ran at ${rate(SIZES.memory, m.seconds)}.`,
        `Browser PSS growth by process: ${byProcess.map((p) => `${p.type} +${mb(p.peak - p.idle)}`).join(", ")}. Chromium is driven without the DevTools Network domain here (see plainBench in bench/browser.ts).`,
      ],
    };
  } finally {
    await page.close();
  }
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
