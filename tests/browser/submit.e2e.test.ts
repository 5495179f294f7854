// The source page end to end: a real server process, the built page in a real Chromium (with and
// without JIT), and the newsroom's side reading the tip back. The tip's plaintext must never reach the
// server's disk or output, and the source's browser must keep no trace.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { sha256 } from "@noble/hashes/sha2.js";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromUtf8, toHex } from "../../src/core/bytes.js";
import { openBytes, openEnvelope } from "../../src/core/envelope.js";
import { paddedSize, unpad } from "../../src/core/padding.js";
import { initializeNewsroom } from "../../src/server/newsroom.js";
import { openNodeDatabase } from "../../src/server/node/database.js";
import { launchChromium, openRecordedPage, storageTraces } from "../helpers/browser.js";
import { editorFetch, makeEditor, type TestEditor } from "../helpers/server.js";
import { buildClient } from "./build.js";
import { startPageServer, type PageServer } from "./server.js";

const run = promisify(execFile);

interface Newsroom {
  dataDir: string;
  server: PageServer;
  editor: TestEditor;
  dispose(): Promise<void>;
}

async function startNewsroom(options: { classic: boolean }): Promise<Newsroom> {
  const clientDir = await client;
  const dataDir = await mkdtemp(join(tmpdir(), "sealdrop-e2e-"));
  const editor = await makeEditor({ classic: options.classic, desks: ["news"] });
  const db = await openNodeDatabase(dataDir);
  await initializeNewsroom(db, { name: "Border Desk", desks: [{ id: "news", name: "News" }], editor: editor.publicKeys }, new Date());
  await db.destroy();
  const server = await startPageServer(dataDir, clientDir);
  return {
    dataDir,
    server,
    editor,
    dispose: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Every stored byte of the server: database, WAL, blobs, uploads. */
async function findInDataDir(dataDir: string, needles: Buffer[]): Promise<string[]> {
  const hits: string[] = [];
  for (const file of await filesUnder(dataDir)) {
    const bytes = await readFile(file);
    for (const n of needles) if (bytes.includes(n)) hits.push(`${file} contains ${n.toString("hex").slice(0, 16)}…`);
  }
  return hits;
}

let browsers: Partial<Record<"normal" | "jitless", Browser>> = {};
let client: Promise<string>;

beforeAll(async () => {
  client = buildClient();
  await client;
  browsers = { normal: await launchChromium(), jitless: await launchChromium({ jitless: true }) };
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(browsers).map((b) => b?.close()));
  await rm(await client, { recursive: true, force: true });
});

describe.each([
  { mode: "normal", classic: false },
  { mode: "normal", classic: true },
  { mode: "jitless", classic: false },
  { mode: "jitless", classic: true },
] as const)("a tip sent from the page ($mode Chromium, classic keys: $classic)", ({ mode, classic }) => {
  let newsroom: Newsroom;
  beforeAll(async () => {
    newsroom = await startNewsroom({ classic });
  }, 60_000);
  afterAll(() => newsroom?.dispose());

  it("arrives sealed, readable only by the newsroom, and leaves no trace in the browser", async () => {
    const origin = newsroom.server.url;
    const canary = `canary-${toHex(randomBytes(12))}`;
    const message = `${canary}\n회령 세관 앞에서 본 것: 트럭 세 대.`;
    const fileName = `harbour-${toHex(randomBytes(6))}.bin`;
    const file = randomBytes(200_000);

    const recorded = await openRecordedPage(browsers[mode]!);
    try {
      const { page } = recorded;
      await page.goto(`${origin}/?lang=en`);
      if (mode === "jitless") expect(await page.evaluate(() => typeof WebAssembly)).toBe("undefined");
      await expect.poll(() => page.locator("#fingerprint").textContent()).toMatch(/^([0-9A-F]{4} ){9}[0-9A-F]{4}$/);
      // One desk: no desk choice to make.
      expect(await page.locator("#desk").count()).toBe(0);
      await page.locator("#message").fill(message);
      await page.locator("#files").setInputFiles({ name: fileName, mimeType: "application/octet-stream", buffer: file });
      await page.getByRole("button", { name: "Encrypt and send" }).click();

      const receiptId = page.locator("#receipt-id");
      await receiptId.waitFor({ timeout: 90_000 });
      expect(await page.locator("#receipt-heading").textContent()).toBe("Your tip was received and encrypted");
      const id = (await receiptId.textContent()) ?? "";
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      // The form, and the tip with it, is gone from the page.
      expect(await page.locator("form").count()).toBe(0);
      expect(await page.content()).not.toContain(canary);

      // The browser kept nothing and talked to no one else.
      expect(recorded.offOrigin(origin)).toEqual([]);
      expect(await storageTraces(recorded)).toEqual({ cookies: 0, localStorage: 0, sessionStorage: 0, indexedDB: [], serviceWorkers: 0, cacheStorage: [] });
      expect(recorded.errors).toEqual([]);

      // (a) No plaintext on the server's disk or in its output.
      const needles = [Buffer.from(canary), Buffer.from(fileName), file.subarray(0, 32), file.subarray(100_000, 100_032)];
      expect(await findInDataDir(newsroom.dataDir, needles)).toEqual([]);
      for (const n of needles) expect(newsroom.server.output().includes(n)).toBe(false);

      // (b) The newsroom reads exactly what was sent.
      const { editor } = newsroom;
      const list = await editorFetch(newsroom.server, editor, "GET", "/api/editor/submissions");
      const { submissions } = (await list.json()) as { submissions: { id: string; attachments: { id: string }[] }[] };
      const summary = submissions.find((s) => s.id === id)!;
      const envelopeRes = await editorFetch(newsroom.server, editor, "GET", `/api/editor/submissions/${id}/envelope`);
      const envelope = await openEnvelope(new Uint8Array(await envelopeRes.arrayBuffer()), [editor.identity]);
      expect(envelope).toMatchObject({ kind: "submission", desk: "news", message, lang: "en", client: "sealdrop-web/0.1.0", reply: null });
      expect(envelope.attachments).toEqual([{ name: fileName, type: "application/octet-stream", size: file.length, sha256: toHex(sha256(file)) }]);
      const attachmentRes = await editorFetch(newsroom.server, editor, "GET", `/api/editor/attachments/${summary.attachments[0]!.id}`);
      const attachment = await openBytes(new Uint8Array(await attachmentRes.arrayBuffer()), [editor.identity]);
      expect(toHex(sha256(attachment))).toBe(toHex(sha256(file)));

      // (c) Classic keys: the stored envelope is a standard age file the reference tool opens.
      if (classic) {
        const stored = join(newsroom.dataDir, "blobs", "envelopes", id);
        expect(existsSync(stored)).toBe(true);
        const identityFile = join(newsroom.dataDir, "..", `${id}.agekey`);
        await writeFile(identityFile, `${editor.identity}\n`, { mode: 0o600 });
        try {
          const { stdout } = await run("age", ["-d", "-i", identityFile, stored], { encoding: "buffer", maxBuffer: 64 << 20 });
          const padded = new Uint8Array(stdout);
          const plaintext = unpad(padded);
          expect(padded.length).toBe(paddedSize(plaintext.length));
          expect(fromUtf8(plaintext)).toContain(canary);
        } finally {
          await rm(identityFile, { force: true });
        }
      }
    } finally {
      await recorded.close();
    }
  }, 180_000);
});
