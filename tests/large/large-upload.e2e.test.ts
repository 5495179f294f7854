// Large attachments end to end, in a real Chromium against a real server made with `sealdrop init`:
// (1) a ~200 MiB file streamed from the page whose upload loses one acknowledgement and has one part's
// connection reset, resumes, and is pulled and read by the editor byte for byte (SHA-256 equal);
// (2) a JPEG carrying GPS EXIF arrives with no GPS or device data and the same decoded pixels.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, openRecordedPage, sendThroughPage } from "../helpers/browser.js";
import { buildClient } from "../browser/build.js";
import { startNewsroom, type Newsroom } from "../browser/newsroom.js";
import { withExif } from "./fixtures.js";

let browser: Browser;
let clientDir: string;
let newsroom: Newsroom;

beforeAll(async () => {
  clientDir = await buildClient();
  newsroom = await startNewsroom({ clientDir, classic: true });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await newsroom?.dispose();
  if (clientDir) await rm(clientDir, { recursive: true, force: true });
});

async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

const send = (page: Page, message: string, files: Parameters<Page["setInputFiles"]>[1]): Promise<string> => sendThroughPage(page, newsroom.server.url, message, files);

interface ReadResult {
  attachments: { name: string; size: number; sha256: string; savedAs: string }[];
}

describe("a large attachment over a connection that drops", () => {
  it("resumes from the server's last part and reaches the editor byte for byte", async () => {
    const size = 200 * 1024 * 1024 + 4321;
    const path = join(newsroom.root, "long-video.mp4");
    const out = await open(path, "w");
    for (let written = 0; written < size; ) {
      const n = Math.min(8 << 20, size - written);
      await out.write(randomBytes(n));
      written += n;
    }
    await out.close();
    const expected = await fileSha256(path);

    const recorded = await openRecordedPage(browser);
    const { page } = recorded;
    const cuts: string[] = [];
    // Part 3: the server stores it but the answer is lost. Part 7: the connection resets before it lands.
    await page.route(/\/api\/uploads\/[0-9a-f]+\/parts\/(3|7)$/, async (route) => {
      const part = route.request().url().split("/").pop()!;
      if (cuts.includes(part)) return route.continue();
      cuts.push(part);
      if (part === "3") await route.fetch();
      await route.abort("connectionreset");
    });
    const statusSeen: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "GET" && /\/api\/uploads\/[0-9a-f]+$/.test(r.url())) statusSeen.push(r.url());
    });
    let id: string;
    try {
      id = await send(page, "the long video", path);
    } finally {
      await recorded.close();
    }
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(cuts.sort()).toEqual(["3", "7"]);
    expect(statusSeen.length).toBeGreaterThanOrEqual(2);

    await newsroom.sealdrop("pull", "--server", newsroom.server.url, "--json");
    const readOut = join(newsroom.root, "read-large");
    const read = JSON.parse(await newsroom.sealdrop("read", id, "--out", readOut, "--json")) as ReadResult;
    expect(read.attachments).toMatchObject([{ name: "long-video.mp4", size, sha256: expected }]);
    expect(await fileSha256(read.attachments[0]!.savedAs)).toBe(expected);
    await rm(path, { force: true });
  }, 400_000);
});

/** Decodes an image in the page and hashes its RGBA pixels. */
async function pixelHash(page: Page, bytes: Uint8Array): Promise<string> {
  return page.evaluate(async (b64) => {
    const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bin], { type: "image/jpeg" }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext("2d")!;
    ctx.drawImage(bitmap, 0, 0);
    const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    const digest = await crypto.subtle.digest("SHA-256", data);
    return `${bitmap.width}x${bitmap.height}:${[...new Uint8Array(digest)].map((x) => x.toString(16).padStart(2, "0")).join("")}`;
  }, Buffer.from(bytes).toString("base64"));
}

describe("a photo with GPS EXIF", () => {
  it("arrives without location or device data, and with the same pixels", async () => {
    const recorded = await openRecordedPage(browser);
    const { page } = recorded;
    let id: string;
    let before: string;
    let original: Uint8Array;
    try {
      await page.goto(`${newsroom.server.url}/?lang=en`);
      const b64 = await page.evaluate(async () => {
        const canvas = new OffscreenCanvas(320, 200);
        const ctx = canvas.getContext("2d")!;
        const g = ctx.createLinearGradient(0, 0, 320, 200);
        g.addColorStop(0, "#c33");
        g.addColorStop(1, "#36c");
        ctx.fillStyle = g;
        ctx.fillRect(0, 0, 320, 200);
        ctx.fillStyle = "#fff";
        ctx.font = "32px sans-serif";
        ctx.fillText("Hoeryong", 40, 110);
        const blob = await canvas.convertToBlob({ type: "image/jpeg", quality: 0.9 });
        const bytes = new Uint8Array(await blob.arrayBuffer());
        let s = "";
        for (const x of bytes) s += String.fromCharCode(x);
        return btoa(s);
      });
      original = withExif(Uint8Array.from(Buffer.from(b64, "base64")));
      before = await pixelHash(page, original);
      await page.getByLabel("Message").fill("a photo");
      await page.getByLabel("Files (optional)").setInputFiles({ name: "IMG_0001.jpg", mimeType: "image/jpeg", buffer: Buffer.from(original) });
      // The page says what it found, in plain words, before anything is sent.
      await expect.poll(() => page.locator("#metadata-findings").textContent()).toContain("GPS position");
      expect(await page.locator("#metadata-findings").textContent()).toContain("the camera or phone model");
      id = await send(page, "a photo", { name: "IMG_0001.jpg", mimeType: "image/jpeg", buffer: Buffer.from(original) });
      expect(recorded.errors).toEqual([]);
    } finally {
      await recorded.close();
    }

    await newsroom.sealdrop("pull", "--server", newsroom.server.url, "--json");
    const readOut = join(newsroom.root, "read-photo");
    const read = JSON.parse(await newsroom.sealdrop("read", id, "--out", readOut, "--json")) as ReadResult;
    const received = new Uint8Array(await readFile(read.attachments[0]!.savedAs));
    const text = Buffer.from(received).toString("latin1");
    for (const trace of ["Exif", "Apple", "iPhone7", "2024:01:02", "MM\0*"]) expect(text.includes(trace), trace).toBe(false);
    expect(received.length).toBeLessThan(original.length);

    const checker = await openRecordedPage(browser);
    try {
      await checker.page.goto(`${newsroom.server.url}/?lang=en`);
      expect(await pixelHash(checker.page, received)).toBe(before);
    } finally {
      await checker.close();
    }
  }, 120_000);
});
