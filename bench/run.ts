// `npm run bench`: measures large-attachment and ingest performance on this machine in one run and writes
// bench/RESULTS.md. Every figure is a ratio against a baseline measured in the same run, on the same
// machine, with the same data. Generated files live in a temporary directory and are removed at the end.
//
//   SEALDROP_BENCH_SCALE=0.25 npm run bench   # smaller files, for a quick look (RESULTS.md says so)
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, readFileSync, readdirSync } from "node:fs";
import { mkdtemp, open, readdir, rm, writeFile } from "node:fs/promises";
import { Agent, request } from "node:http";
import { cpus, release, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequire } from "node:module";
import { Encrypter, generateX25519Identity, identityToRecipient } from "age-encryption";
import { chromium, type Browser, type Page } from "playwright-core";
import { build } from "vite";
import { toBase64 } from "../src/core/bytes.js";
import { sealEnvelope } from "../src/core/envelope.js";
import { paddingTail } from "../src/core/padding.js";
import { initializeNewsroom } from "../src/server/newsroom.js";
import { openNodeDatabase } from "../src/server/node/database.js";
import { decryptStream } from "../src/cli/stream/age-stream.js";
import { ciphertextStream, decryptAttachmentToFile } from "../src/cli/stream/attachment.js";
import { makeEditor } from "../tests/helpers/server.js";

const SCALE = Number(process.env.SEALDROP_BENCH_SCALE ?? "1");
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const size = (bytes: number) => Math.max(8 * MiB, Math.round((bytes * SCALE) / MiB) * MiB);
const SIZES = { browser: size(GiB), memory: size(2 * GiB), jitless: size(64 * MiB), openpgp: size(256 * MiB), decrypt: size(GiB) };
const CHROMIUM = process.env.SEALDROP_CHROMIUM ?? "/usr/bin/chromium";
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

const log = (s: string) => process.stderr.write(`${s}\n`);
const mb = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
const rate = (bytes: number, seconds: number) => `${(bytes / MiB / seconds).toFixed(1)} MiB/s`;
const ratio = (x: number) => x.toFixed(2);

// ---- processes and memory -------------------------------------------------------------------------------

function startProcess(script: string, args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", TSX, script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /listening (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
    child.once("exit", (code) => reject(new Error(`${script} exited (${code}): ${out}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once("exit", () => done());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5000).unref();
  });
}

function statusField(pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Proportional set size (shared pages split between processes), so a process tree's sum is honest. */
function pss(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Every descendant of `root` (Chromium's browser, GPU, network, renderer processes). */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of parents) if (parent === pid) (out.push(child), walk(child));
  };
  walk(root);
  return out;
}

/** Samples `read()` every 200 ms until stopped; returns the peak. */
function sampler(read: () => number): { stop(): number } {
  let peak = read();
  const timer = setInterval(() => (peak = Math.max(peak, read())), 200);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, read());
    },
  };
}

// ---- files -----------------------------------------------------------------------------------------------

async function generateFile(path: string, bytes: number): Promise<void> {
  const out = await open(path, "w");
  const block = Buffer.alloc(8 * MiB);
  const random = createHash("sha256");
  for (let written = 0; written < bytes; ) {
    // Incompressible, cheap: SHA-256 counter mode is faster than /dev/urandom here and reproducible.
    for (let i = 0; i < block.length; i += 32) random.copy().update(`${written + i}`).digest().copy(block, i);
    const n = Math.min(block.length, bytes - written);
    await out.write(block.subarray(0, n));
    written += n;
  }
  await out.close();
}

// ---- browser -----------------------------------------------------------------------------------------------

interface Measured<T = unknown> {
  seconds: number;
  peakHeap: number;
  result: T;
}

async function openBench(browser: Browser, url: string, recipient: string, file: string): Promise<Page> {
  const page = await browser.newPage();
  page.on("pageerror", (e) => log(`page error: ${e.message}`));
  await page.goto(url);
  await page.locator("#ready").waitFor({ state: "attached" });
  await page.evaluate((r) => ((window as unknown as { benchRecipient: string }).benchRecipient = r), recipient);
  await page.locator("#file").setInputFiles(file);
  return page;
}

const run = (page: Page, fn: "encryptOnly" | "encryptUpload" | "rawUpload" | "openpgpEncrypt") =>
  page.evaluate((name) => (window as unknown as { bench: Record<string, () => Promise<Measured>> }).bench[name]!(), fn) as Promise<Measured>;

async function launch(jitless: boolean): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--enable-precise-memory-info", ...(jitless ? ["--js-flags=--jitless"] : [])],
  });
}

async function clearUploads(dataDir: string): Promise<void> {
  const dir = join(dataDir, "blobs", "uploads");
  for (const f of await readdir(dir).catch(() => [] as string[])) await rm(join(dir, f), { force: true });
}

// ---- ingest ------------------------------------------------------------------------------------------------

async function ingest(url: string, body: string, seconds: number, concurrency = 16): Promise<{ rps: number; errors: number }> {
  const target = new URL("/api/submissions", url);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const payload = Buffer.from(body);
  let ok = 0;
  let errors = 0;
  const end = Date.now() + seconds * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const req = request(
        { hostname: target.hostname, port: target.port, path: target.pathname, method: "POST", agent, headers: { "content-type": "application/json", "content-length": payload.length } },
        (res) => {
          res.resume();
          res.on("end", () => {
            if (res.statusCode === 201) ok++;
            else errors++;
            resolve();
          });
        },
      );
      req.on("error", () => (errors++, resolve()));
      req.end(payload);
    });
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) await one();
    }),
  );
  agent.destroy();
  return { rps: ok / ((Date.now() - started) / 1000), errors };
}

// ---- main --------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = Date.now();
  const work = await mkdtemp(join(tmpdir(), "sealdrop-bench-"));
  const children: ChildProcess[] = [];
  const browsers: Browser[] = [];
  const rows: string[] = [];
  const notes: string[] = [];
  try {
    log(`building the benchmark page…`);
    const pageDir = join(work, "page");
    await build({ configFile: here("./vite.config.ts"), build: { outDir: pageDir, emptyOutDir: true }, logLevel: "warn" });

    const editor = await makeEditor({ classic: true, desks: ["news"] });
    const dataDir = join(work, "data");
    const db = await openNodeDatabase(dataDir);
    await initializeNewsroom(db, { name: "Bench", desks: [{ id: "news", name: "News" }], editor: editor.publicKeys }, new Date());
    await db.destroy();
    const server = await startProcess(here("./server-process.ts"), [dataDir, pageDir]);
    children.push(server.child);
    const serverPid = server.child.pid!;

    log(`generating files (${mb(SIZES.memory)} largest)…`);
    const bigFile = join(work, "attachment-1g.bin");
    const hugeFile = join(work, "attachment-2g.bin");
    const smallFile = join(work, "attachment-jitless.bin");
    const pgpFile = join(work, "attachment-openpgp.bin");
    await generateFile(bigFile, SIZES.browser);
    await generateFile(hugeFile, SIZES.memory);
    await generateFile(smallFile, SIZES.jitless);
    await generateFile(pgpFile, SIZES.openpgp);

    // 1. Browser: encrypt+upload against min(encrypt-only, raw upload), normal and jitless.
    const browserFigures = async (jitless: boolean, file: string, bytes: number) => {
      const browser = await launch(jitless);
      browsers.push(browser);
      const page = await openBench(browser, `${server.url}/`, editor.recipient, file);
      log(`${jitless ? "jitless " : ""}browser, ${mb(bytes)}: encrypt only…`);
      const enc = await run(page, "encryptOnly");
      log(`  raw upload…`);
      const raw = await run(page, "rawUpload");
      await clearUploads(dataDir);
      log(`  encrypt + upload…`);
      const both = await run(page, "encryptUpload");
      await clearUploads(dataDir);
      await page.close();
      await browser.close();
      browsers.pop();
      const baseline = Math.max(enc.seconds, raw.seconds);
      return { enc, raw, both, ratio: baseline / both.seconds };
    };
    const normal = await browserFigures(false, bigFile, SIZES.browser);
    rows.push(
      `| Browser encrypt+upload, ${mb(SIZES.browser)} on loopback (Chromium) | ${rate(SIZES.browser, normal.both.seconds)} | min(encrypt only ${rate(SIZES.browser, normal.enc.seconds)}, raw upload ${rate(SIZES.browser, normal.raw.seconds)}) | **${ratio(normal.ratio)}** | ≥ 0.9 | ${normal.ratio >= 0.9 ? "met" : "not met"} |`,
    );
    const jit = await browserFigures(true, smallFile, SIZES.jitless);
    rows.push(
      `| Browser encrypt+upload, ${mb(SIZES.jitless)}, \`--jitless\` | ${rate(SIZES.jitless, jit.both.seconds)} | min(encrypt only ${rate(SIZES.jitless, jit.enc.seconds)}, raw upload ${rate(SIZES.jitless, jit.raw.seconds)}) | **${ratio(jit.ratio)}** | ≥ 0.9 | ${jit.ratio >= 0.9 ? "met" : "not met"} |`,
    );

    // 2. Memory: a 2 GiB encrypt+upload, sampling the browser's process tree (PSS) and the server (RSS).
    {
      const browser = await launch(false);
      browsers.push(browser);
      const page = await openBench(browser, `${server.url}/`, editor.recipient, hugeFile);
      const browserTree = () => descendants(process.pid).filter((p) => p !== serverPid && !descendants(serverPid).includes(p));
      const browserIdle = browserTree().reduce((n, p) => n + pss(p), 0);
      const serverIdle = statusField(serverPid, "VmRSS");
      const browserMemory = sampler(() => browserTree().reduce((n, p) => n + pss(p), 0));
      const serverMemory = sampler(() => statusField(serverPid, "VmRSS"));
      log(`browser memory, ${mb(SIZES.memory)} encrypt + upload…`);
      const m = await run(page, "encryptUpload");
      const browserPeak = browserMemory.stop();
      const serverPeak = serverMemory.stop();
      await clearUploads(dataDir);
      await browser.close();
      browsers.pop();
      rows.push(`| Peak JS heap, ${mb(SIZES.memory)} encrypt+upload | ${mb(m.peakHeap)} | (absolute) | – | < 300 MiB | ${m.peakHeap < 300 * MiB ? "met" : "not met"} |`);
      rows.push(`| Peak browser memory (PSS, all Chromium processes), same run | ${mb(browserPeak)} | idle with the page open: ${mb(browserIdle)} (growth ${mb(browserPeak - browserIdle)}) | – | < 300 MiB | ${browserPeak < 300 * MiB ? "met" : `not met (growth ${browserPeak - browserIdle < 300 * MiB ? "under" : "over"} 300 MiB)`} |`);
      rows.push(`| Peak server RSS during the ${mb(SIZES.memory)} upload | ${mb(serverPeak)} | idle before it: ${mb(serverIdle)} (growth ${mb(serverPeak - serverIdle)}) | – | < 150 MiB | ${serverPeak < 150 * MiB ? "met" : `not met (growth ${serverPeak - serverIdle < 150 * MiB ? "under" : "over"} 150 MiB)`} |`);
      notes.push(`The ${mb(SIZES.memory)} encrypt+upload itself ran at ${rate(SIZES.memory, m.seconds)}.`);
    }

    // 3. Our browser encryption against OpenPGP.js on the same data, same browser.
    {
      const browser = await launch(false);
      browsers.push(browser);
      const page = await openBench(browser, `${server.url}/`, editor.recipient, pgpFile);
      log(`OpenPGP.js against sealdrop, ${mb(SIZES.openpgp)}…`);
      const ours = await run(page, "encryptOnly");
      const pgp = await run(page, "openpgpEncrypt");
      await browser.close();
      browsers.pop();
      const r = pgp.seconds / ours.seconds;
      rows.push(
        `| Browser encryption, ${mb(SIZES.openpgp)}: sealdrop (age STREAM + padding + SHA-256) vs OpenPGP.js 6.3.2 (Curve25519, uncompressed) | ${rate(SIZES.openpgp, ours.seconds)} | OpenPGP.js ${rate(SIZES.openpgp, pgp.seconds)} | **${ratio(r)}** | (comparison) | – |`,
      );
    }

    // 4. Editor decryption of a 1 GiB attachment against `age -d` on the same file.
    {
      log(`editor decryption, ${mb(SIZES.decrypt)}…`);
      const identity = await generateX25519Identity();
      const recipient = await identityToRecipient(identity);
      const keyFile = join(work, "key.txt");
      await writeFile(keyFile, `${identity}\n`, { mode: 0o600 });
      const sealed = join(work, "attachment.age");
      // The attachment as the page makes it: file || padding, sealed with age STREAM (by the age tool here).
      const tail = join(work, "tail.bin");
      await writeFile(tail, paddingTail(SIZES.decrypt));
      execFileSync("bash", ["-c", `cat "${bigFile}" "${tail}" | age -r ${recipient} > "${sealed}"`]);
      const digest = createHash("sha256");
      for await (const c of createReadStream(bigFile)) digest.update(c as Buffer);
      const manifest = { size: SIZES.decrypt, sha256: digest.digest("hex") };
      const sealedSize = (await open(sealed, "r").then(async (h) => ((await h.stat()).size + (await h.close(), 0))));
      const timeIt = async (f: () => Promise<void> | void) => {
        const t = performance.now();
        await f();
        return (performance.now() - t) / 1000;
      };
      const ageOut = join(work, "age.out");
      const ours: number[] = [];
      const payloadOnly: number[] = [];
      const age: number[] = [];
      for (let i = 0; i < 2; i++) {
        age.push(await timeIt(() => void execFileSync("age", ["-d", "-i", keyFile, "-o", ageOut, sealed])));
        await rm(ageOut, { force: true });
        const out = join(work, `ours-${i}.bin`);
        ours.push(
          await timeIt(async () => {
            const r = await decryptAttachmentToFile({ path: sealed, size: sealedSize }, [identity], manifest, out);
            if (!r.ok) throw new Error(r.reason);
          }),
        );
        await rm(out, { force: true });
        const raw = join(work, `raw-${i}.bin`);
        payloadOnly.push(
          await timeIt(async () => {
            const h = await open(raw, "w");
            await decryptStream(ciphertextStream({ path: sealed, size: sealedSize }), [identity], async (c) => void (await h.writev(c)));
            await h.close();
          }),
        );
        await rm(raw, { force: true });
      }
      const best = (xs: number[]) => Math.min(...xs);
      rows.push(
        `| Editor decryption to disk, ${mb(SIZES.decrypt)} (\`sealdrop read\`'s path: decrypt + unpad + SHA-256 check) | ${rate(SIZES.decrypt, best(ours))} | \`age -d\` ${rate(SIZES.decrypt, best(age))} | **${ratio(best(age) / best(ours))}** | ≥ 1.0 | ${best(age) / best(ours) >= 1 ? "met" : "not met"} |`,
      );
      rows.push(
        `| Editor decryption to disk, same file, decryptor alone (the same work as \`age -d\`) | ${rate(SIZES.decrypt, best(payloadOnly))} | \`age -d\` ${rate(SIZES.decrypt, best(age))} | **${ratio(best(age) / best(payloadOnly))}** | ≥ 1.0 | ${best(age) / best(payloadOnly) >= 1 ? "met" : "not met"} |`,
      );
      await rm(sealed, { force: true });
    }

    // 5. Small-tip ingest against a bare Hono route.
    {
      log(`small-tip ingest…`);
      const envelope = await sealEnvelope(
        { v: 1, kind: "submission", desk: "news", message: "A short tip: the trucks left at dawn.", fields: {}, attachments: [], reply: null, client: "bench", lang: "en" },
        [editor.recipient],
      );
      const body = JSON.stringify({ desk: "news", envelope: toBase64(envelope), attachments: [] });
      await ingest(server.url, body, 2); // warm-up
      const ours = await ingest(server.url, body, 10);
      await stop(server.child);
      const bare = await startProcess(here("./bare-server.ts"), []);
      children.push(bare.child);
      await ingest(bare.url, body, 2);
      const baseline = await ingest(bare.url, body, 10);
      await stop(bare.child);
      const r = ours.rps / baseline.rps;
      rows.push(
        `| Small-tip ingest (POST /api/submissions, ${body.length}-byte body, 16 connections; **proof of work and rate limits off**: \`pow: false\`, \`rateLimits: false\`) | ${ours.rps.toFixed(0)} req/s (${ours.errors} errors) | bare Hono route ${baseline.rps.toFixed(0)} req/s | **${ratio(r)}** | ≥ 0.5 | ${r >= 0.5 ? "met" : "not met"} |`,
      );
      notes.push("Each accepted tip is durable before its 201: the envelope is written, fsynced and renamed, and the SQLite row committed (synchronous = FULL); the bare route does none of that.");
    }

    const chromiumVersion = execFileSync(CHROMIUM, ["--version"]).toString().trim();
    const ageVersion = execFileSync("age", ["--version"]).toString().trim();
    const cpu = cpus();
    const minutes = ((Date.now() - started) / 60000).toFixed(1);
    const md = `# sealdrop benchmarks

Written by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)}, in one run of ${minutes} minutes${SCALE !== 1 ? `, **at scale ${SCALE}** (SEALDROP_BENCH_SCALE)` : ""}.
Every ratio is against a baseline measured in the same run on the same machine with the same data; higher is better.

## Machine

- CPU: ${cpu[0]?.model ?? "unknown"}, ${cpu.length} cores (shared with other work while this ran)
- Memory: ${(totalmem() / GiB).toFixed(1)} GiB
- OS: Linux ${release()}
- Node ${process.version}; ${chromiumVersion}; age ${ageVersion}

## Figures

| What | sealdrop | Baseline | Ratio | Target | |
| --- | --- | --- | --- | --- | --- |
${rows.join("\n")}

## How each figure is taken

- **Browser encrypt+upload**: the source page's own streaming upload (client/upload/stream-upload.ts: file stream,
  incremental SHA-256, padding tail, age STREAM, 8 MiB parts, one in flight and up to three queued) against the sealdrop
  server on loopback. *Encrypt only* runs the same code with a network that acknowledges at once; *raw upload* sends the
  file's own bytes in the same parts to the same endpoint. Ratio = slower baseline's time ÷ encrypt+upload time. The
  file is a generated one chosen through a file input. \`--jitless\` is Tor Browser's "Safer" situation (no JIT, no
  WebAssembly), with a smaller file.
- **Memory**: JS heap from \`performance.memory\` (with \`--enable-precise-memory-info\`) sampled every 50 ms in the page;
  browser memory is the sum of PSS over every Chromium process, sampled every 200 ms; server memory is the server
  process's VmRSS, sampled every 200 ms, while the ${mb(SIZES.memory)} upload runs.
- **OpenPGP.js**: \`openpgp.encrypt\` streaming the same file (Blob.stream) to a fresh Curve25519 key, compression off,
  output read and discarded; ours is the encrypt-only run on the same file. Ratio = OpenPGP.js time ÷ ours. OpenPGP.js
  is bundled only into the benchmark page (bench/page), never into the source page.
- **Editor decryption**: an attachment made as the page makes it (file + Padmé padding, age STREAM to an X25519 key),
  decrypted to disk by \`age -d -o\` and by sealdrop's streaming decryptor (native ChaCha20-Poly1305); best of two each.
  Ratio = age time ÷ sealdrop time.
- **Ingest**: 16 keep-alive connections from one Node client posting the same small sealed envelope for 10 s (after a 2 s
  warm-up), against the sealdrop server and against a bare Hono route on the same Node adapter.

${notes.map((n) => `- ${n}`).join("\n")}
`;
    await writeFile(here("./RESULTS.md"), md);
    process.stdout.write(md);
  } finally {
    for (const b of browsers) await b.close().catch(() => {});
    for (const c of children) await stop(c);
    await rm(work, { recursive: true, force: true });
  }
}

await main();
