// The source page end to end: a newsroom made with `sealdrop init`, a real server process, the built
// page in a real Chromium (with and without JIT), and the editor reading the tip back with `sealdrop`.
// The tip's plaintext must never reach the server's disk or output, and the browser must keep no trace.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { sha256 } from "@noble/hashes/sha2.js";
import SQLite from "better-sqlite3";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromUtf8, toHex } from "../../src/core/bytes.js";
import { paddedSize, unpad } from "../../src/core/padding.js";
import { SQLITE_FILE } from "../../src/server/node/database.js";
import { launchChromium, openRecordedPage, storageTraces } from "../helpers/browser.js";
import { findInDataDir } from "../helpers/data-dir.js";
import { buildClient } from "./build.js";
import { startNewsroom, type Newsroom } from "./newsroom.js";

const run = promisify(execFile);

const browsers: Partial<Record<"normal" | "jitless", Browser>> = {};
let clientDir: string;

beforeAll(async () => {
  clientDir = await buildClient();
  browsers.normal = await launchChromium();
  browsers.jitless = await launchChromium({ jitless: true });
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(browsers).map((b) => b?.close()));
  if (clientDir) await rm(clientDir, { recursive: true, force: true });
});

describe.each([
  { mode: "normal", classic: false },
  { mode: "normal", classic: true },
  { mode: "jitless", classic: false },
  { mode: "jitless", classic: true },
] as const)("a tip sent from the page ($mode Chromium, classic keys: $classic)", ({ mode, classic }) => {
  let newsroom: Newsroom;
  beforeAll(async () => {
    newsroom = await startNewsroom({ clientDir, classic });
  }, 60_000);
  afterAll(() => newsroom?.dispose());

  it("arrives sealed, is read back exactly by the editor, and leaves no trace in the browser", async () => {
    const origin = newsroom.server.url;
    const canary = `canary-${toHex(randomBytes(12))}`;
    const message = `${canary}\n회령 세관 앞에서 본 것: 트럭 세 대.`;
    const fileName = `harbour-${toHex(randomBytes(6))}.bin`;
    const file = randomBytes(200_000);

    const recorded = await openRecordedPage(browsers[mode]!);
    let id: string;
    try {
      const { page } = recorded;
      await page.goto(`${origin}/?lang=en`);
      // The flag took: this is the Tor Browser "Safer" situation, no JIT and no WebAssembly.
      if (mode === "jitless") expect(await page.evaluate(() => typeof WebAssembly)).toBe("undefined");
      await expect.poll(() => page.locator("#fingerprint").textContent()).toMatch(/^([0-9A-F]{4} ){9}[0-9A-F]{4}$/);
      // One desk: no desk choice to make.
      expect(await page.locator("#desk").count()).toBe(0);
      await page.getByLabel("Message").fill(message);
      await page.getByLabel("Files (optional)").setInputFiles({ name: fileName, mimeType: "application/octet-stream", buffer: file });
      await page.getByRole("button", { name: "Encrypt and send" }).click();

      const receiptId = page.locator("#receipt-id");
      await receiptId.waitFor({ timeout: 90_000 });
      expect(await page.locator("#receipt-heading").textContent()).toBe("Your tip was received and encrypted");
      id = (await receiptId.textContent()) ?? "";
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(await page.locator("#codename-words li").count()).toBe(12);
      // The form, and the tip with it, is gone from the page.
      expect(await page.locator("form").count()).toBe(0);
      expect(await page.content()).not.toContain(canary);

      // The file was sealed by the page's Web Workers (client/upload/sealer.ts), not on its main thread.
      expect(recorded.requests.filter((u) => /\/assets\/seal-worker-[\w-]+\.js$/.test(u)).length).toBeGreaterThanOrEqual(1);
      // The browser kept nothing and talked to no one else.
      expect(recorded.offOrigin(origin)).toEqual([]);
      expect(await storageTraces(recorded)).toEqual({ cookies: 0, localStorage: 0, sessionStorage: 0, indexedDB: [], serviceWorkers: 0, cacheStorage: [] });
      expect(recorded.errors).toEqual([]);
    } finally {
      await recorded.close();
    }

    // (a) No plaintext on the server's disk or in its output: message, file name, file content.
    const needles = [Buffer.from(canary), Buffer.from(fileName), file.subarray(0, 32), file.subarray(100_000, 100_032)];
    expect(await findInDataDir(newsroom.dataDir, needles)).toEqual([]);
    for (const n of needles) expect(newsroom.server.output().includes(n)).toBe(false);

    // (b) The editor pulls and reads exactly what was sent.
    const pulled = JSON.parse(await newsroom.sealdrop("pull", "--server", origin, "--json")) as { newSubmissions: number };
    expect(pulled.newSubmissions).toBe(1);
    const list = JSON.parse(await newsroom.sealdrop("list", "--json")) as { id: string; firstLine: string; attachments: number }[];
    expect(list).toMatchObject([{ id, desk: "news", kind: "submission", firstLine: canary, attachments: 1 }]);
    const out = join(newsroom.root, "out");
    const read = JSON.parse(await newsroom.sealdrop("read", id, "--out", out, "--json")) as {
      message: string;
      lang: string;
      client: string;
      reply: { recipient: string; mailbox: string } | null;
      attachments: { name: string; size: number; sha256: string; savedAs: string }[];
    };
    // A codename is kept by default: the reply channel travels inside the envelope, of the newsroom's key
    // kind, and nothing about the mailbox reached the server's disk at submission time.
    expect(read).toMatchObject({ message, lang: "en", client: "sealdrop-web/0.1.0", kind: "submission" });
    expect(read.reply?.recipient).toMatch(classic ? /^age1[02-9ac-hj-np-z]{58}$/ : /^age1pq1/);
    expect(read.reply?.mailbox).toMatch(/^[0-9a-f]{32}$/);
    expect(await findInDataDir(newsroom.dataDir, [Buffer.from(read.reply!.mailbox), Buffer.from(read.reply!.recipient)])).toEqual([]);
    expect(read.attachments).toHaveLength(1);
    const [saved] = read.attachments;
    expect(saved).toMatchObject({ name: fileName, size: file.length, sha256: toHex(sha256(file)) });
    expect(toHex(sha256(await readFile(saved!.savedAs)))).toBe(toHex(sha256(file)));

    // (c) Classic keys: the stored envelope (base64 in its submission's row) is a standard age file that
    // the reference tool opens.
    if (classic) {
      const db = new SQLite(join(newsroom.dataDir, SQLITE_FILE), { readonly: true, fileMustExist: true });
      const row = db.prepare("SELECT envelope FROM submissions WHERE id = ?").get(id) as { envelope: string | null } | undefined;
      db.close();
      expect(row?.envelope).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
      const stored = join(newsroom.root, "stored-envelope.age");
      await writeFile(stored, Buffer.from(row!.envelope!, "base64"));
      const identityFile = join(newsroom.root, "identity.txt");
      await newsroom.sealdrop("identity", "export", "--age", "--out", identityFile);
      const { stdout } = await run("age", ["-d", "-i", identityFile, stored], { encoding: "buffer", maxBuffer: 64 << 20 });
      const padded = new Uint8Array(stdout);
      const plaintext = unpad(padded);
      expect(padded.length).toBe(paddedSize(plaintext.length));
      expect(JSON.parse(fromUtf8(plaintext))).toMatchObject({ v: 1, kind: "submission", message });
      expect(fromUtf8(plaintext)).toContain(canary);
      // The attachment, sealed chunk by chunk on the workers, is a standard age file too, byte-exact.
      const [blob] = await readdir(join(newsroom.dataDir, "blobs", "attachments"));
      const opened = await run("age", ["-d", "-i", identityFile, join(newsroom.dataDir, "blobs", "attachments", blob!)], { encoding: "buffer", maxBuffer: 64 << 20 });
      expect(Buffer.compare(unpad(new Uint8Array(opened.stdout)), file)).toBe(0);
    }
  }, 180_000);
});
