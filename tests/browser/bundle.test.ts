// The built page stays small and fits its CSP: measured on the real build output in dist/client/.
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildClient } from "./build.js";

let CLIENT_DIST: string;

/** Budget for all JavaScript together, gzipped: a slow link must still load the page in reasonable time. */
const JS_BUDGET_GZIP = 100 * 1024;

const assets = async (ext: string) => {
  const dir = join(CLIENT_DIST, "assets");
  return Promise.all(
    (await readdir(dir)).filter((f) => f.endsWith(ext)).map(async (f) => ({ name: f, bytes: await readFile(join(dir, f)) })),
  );
};

beforeAll(async () => {
  CLIENT_DIST = await buildClient();
}, 120_000);
afterAll(() => rm(CLIENT_DIST, { recursive: true, force: true }));

describe("the built source page", () => {
  it(`ships under ${JS_BUDGET_GZIP / 1024} KB of gzipped JavaScript`, async () => {
    const js = await assets(".js");
    expect(js.length).toBeGreaterThan(0);
    const gzipped = js.reduce((n, f) => n + gzipSync(f.bytes, { level: 9 }).length, 0);
    console.log(`client JS: ${js.length} file(s), ${js.reduce((n, f) => n + f.bytes.length, 0)} bytes, ${gzipped} bytes gzipped`);
    expect(gzipped).toBeLessThan(JS_BUDGET_GZIP);
  });

  it("has no inline script or style, and loads nothing from another origin", async () => {
    const html = await readFile(join(CLIENT_DIST, "index.html"), "utf8");
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/assets\/[^"]+\.js"/);
      expect(body!.trim()).toBe("");
    }
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    expect(html).toMatch(/<link rel="stylesheet"[^>]* href="\/assets\/[^"]+\.css"/);
    for (const css of await assets(".css")) expect(css.bytes.toString()).not.toMatch(/url\(|@import/);
  });

  it("uses no WebAssembly and no browser storage", async () => {
    for (const f of await assets(".js")) {
      const text = f.bytes.toString();
      expect(text).not.toMatch(/WebAssembly|localStorage|sessionStorage|indexedDB|serviceWorker|document\.cookie/);
    }
  });

  it("explains in every language why JavaScript is needed", async () => {
    const html = await readFile(join(CLIENT_DIST, "index.html"), "utf8");
    const noscript = /<noscript>([\s\S]*)<\/noscript>/.exec(html)?.[1] ?? "";
    for (const lang of ["en", "ko", "zh-Hans"]) expect(noscript).toContain(`lang="${lang}"`);
    expect(noscript).toContain("Safer");
  });
});
