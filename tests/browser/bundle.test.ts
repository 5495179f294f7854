// The built page stays small and fits its CSP: measured on the real build output in dist/client/.
import { createHash } from "node:crypto";
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXPECTED_ROTATIONS } from "../../scripts/vite/inline-rotations.js";
import { buildClient } from "./build.js";

let CLIENT_DIST: string;

/**
 * Budget for the JavaScript a source downloads in any one flow, gzipped: a slow link must still load the
 * page in reasonable time. Word lists and the return flow are separate chunks loaded on demand. Raised
 * from 100 KB for issue 13: verifying the signed roster in the page (Ed25519, the roster's schemas and
 * rules, signed replies) costs about 11 KB in every flow, the price of the server not choosing who reads.
 * Raised to 116 KB for issue 16: the Korean list both Koreas share (src/core/wordlists/korean.ts) is built
 * from BIP39's, and a returning Korean source needs both, about 3.3 KB more in that one flow; the entry,
 * what a slow link waits for before the form shows, has its own budget below and did not grow.
 */
const JS_BUDGET_GZIP = 116 * 1024;

interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}
type Manifest = Record<string, ManifestChunk>;

const WORDLISTS = { en: "wordlists/english.js", ko: "core/wordlists/korean.ts", zh: "wordlists/simplified-chinese.js" } as const;

/**
 * What each flow loads after the entry, by source: the roster verifier (authority.ts) and the encryption
 * code (send.ts) follow as soon as a form is on screen, in every flow; a new codename shows the page
 * language's list; a returning source loads the return flow and the one list of the script they typed
 * (none when no script is recognised: client/wordlists.ts).
 */
const EVERY_FLOW = ["authority.ts", "send.ts"];
const FLOWS: Record<string, string[]> = {
  "first visit, no codename": EVERY_FLOW,
  ...Object.fromEntries(Object.entries(WORDLISTS).map(([lang, list]) => [`new codename (${lang})`, [...EVERY_FLOW, list]])),
  ...Object.fromEntries(Object.entries(WORDLISTS).map(([lang, list]) => [`return typing ${lang}`, [...EVERY_FLOW, "returning.ts", list]])),
  "return, unrecognised script": [...EVERY_FLOW, "returning.ts"],
};

/**
 * What must arrive before the form can show (the entry and its static imports), gzipped: a slow link's first
 * wait. The roster verifier is not part of it: the form shows at once and cannot send until the roster is
 * verified (client/main.ts). Raised from 40 KB for issue 13 (the roster's messages, and the schema code the
 * entry shares with the verifier).
 */
const ENTRY_BUDGET_GZIP = 44 * 1024;

/**
 * The sealing Web Worker (client/upload/seal-worker.ts) is fetched only when a tip with a file is sent,
 * after the source has written it: its own budget, on top of the flow's.
 */
const WORKER_BUDGET_GZIP = 10 * 1024;
const WORKER_FILE = /^seal-worker-[\w-]+\.js$/;

const assets = async (ext: string) => {
  const dir = join(CLIENT_DIST, "assets");
  return Promise.all(
    (await readdir(dir)).filter((f) => f.endsWith(ext)).map(async (f) => ({ name: f, bytes: await readFile(join(dir, f)) })),
  );
};

beforeAll(async () => {
  CLIENT_DIST = await buildClient({ manifest: true });
}, 120_000);

const gzipSize = async (file: string) => gzipSync(await readFile(join(CLIENT_DIST, file)), { level: 9 }).length;
afterAll(() => rm(CLIENT_DIST, { recursive: true, force: true }));

describe("the built source page", () => {
  it(`ships under ${JS_BUDGET_GZIP / 1024} KB of gzipped JavaScript in every flow: the entry plus what the flow loads lazily`, async () => {
    const manifest = JSON.parse(await readFile(join(CLIENT_DIST, ".vite", "manifest.json"), "utf8")) as Manifest;
    const entryKey = Object.keys(manifest).find((k) => manifest[k]!.isEntry)!;
    const keyOf = (suffix: string) => {
      const key = Object.keys(manifest).find((k) => k === suffix || k.endsWith(`/${suffix}`));
      if (key === undefined) throw new Error(`no chunk for ${suffix}: ${Object.keys(manifest).join(", ")}`);
      return key;
    };
    /** A chunk and its static imports, transitively. */
    const closure = (key: string, into = new Set<string>()): Set<string> => {
      if (into.has(key)) return into;
      into.add(key);
      for (const i of manifest[key]!.imports ?? []) closure(i, into);
      return into;
    };
    const entry = closure(entryKey);
    // Every lazily loaded chunk is one the entry can load, and each flow's sources are among them.
    // Lazy chunks load others in turn (send.ts loads the word list of the page's language).
    const lazySet = new Set<string>();
    const addLazy = (key: string) => {
      for (const d of manifest[key]!.dynamicImports ?? []) {
        if (lazySet.has(d)) continue;
        lazySet.add(d);
        for (const k of closure(d)) addLazy(k);
      }
    };
    for (const k of entry) addLazy(k);
    const lazy = [...lazySet];
    for (const list of Object.values(WORDLISTS)) expect(lazy).toContain(keyOf(list));
    expect(lazy).toContain(keyOf("returning.ts"));
    expect(lazy).toContain(keyOf("send.ts"));
    expect(lazy).toContain(keyOf("authority.ts"));

    const entryBytes = (await Promise.all([...entry].map((k) => gzipSize(manifest[k]!.file)))).reduce((a, b) => a + b, 0);
    const figures: string[] = [`entry (${[...entry].map((k) => manifest[k]!.file).join(", ")}): ${entryBytes} bytes gzipped`];
    for (const key of lazy) figures.push(`lazy ${manifest[key]!.file}: ${await gzipSize(manifest[key]!.file)} bytes gzipped`);
    let largest = { flow: "", bytes: 0 };
    for (const [flow, sources] of Object.entries(FLOWS)) {
      const chunks = new Set<string>();
      for (const source of sources) for (const k of closure(keyOf(source))) if (!entry.has(k)) chunks.add(k);
      const bytes = entryBytes + (await Promise.all([...chunks].map((k) => gzipSize(manifest[k]!.file)))).reduce((a, b) => a + b, 0);
      figures.push(`flow "${flow}": ${bytes} bytes gzipped`);
      if (bytes > largest.bytes) largest = { flow, bytes };
    }
    console.log(`client JS budget ${JS_BUDGET_GZIP} bytes gzipped (level 9):\n  ${figures.join("\n  ")}`);
    expect(largest.bytes, `largest flow: ${largest.flow}`).toBeLessThan(JS_BUDGET_GZIP);
    expect(entryBytes, "the entry, before the form shows").toBeLessThan(ENTRY_BUDGET_GZIP);

    // The sealing worker: one file, within its own budget.
    const js = await assets(".js");
    const workers = js.filter((f) => WORKER_FILE.test(f.name));
    expect(workers).toHaveLength(1);
    const workerBytes = gzipSync(workers[0]!.bytes, { level: 9 }).length;
    console.log(`  sealing worker (${workers[0]!.name}, loaded when a file is sent): ${workerBytes} bytes gzipped`);
    expect(workerBytes).toBeLessThan(WORKER_BUDGET_GZIP);

    // Nothing ships that no flow loads.
    const reachable = new Set([...entry, ...lazy.flatMap((k) => [...closure(k)])].map((k) => manifest[k]!.file.replace(/^assets\//, "")));
    expect(js.filter((f) => !WORKER_FILE.test(f.name)).map((f) => f.name).sort()).toEqual([...reachable].sort());
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

  it("pins its script and stylesheet with Subresource Integrity (SHA-384 of the served file)", async () => {
    const html = await readFile(join(CLIENT_DIST, "index.html"), "utf8");
    const tags = [...html.matchAll(/<(?:script|link rel="stylesheet")[^>]*?\s(?:src|href)="(\/assets\/[^"]+)"[^>]*>/g)];
    expect(tags.length).toBe(2);
    for (const [tag, url] of tags) {
      const expected = `sha384-${createHash("sha384").update(await readFile(join(CLIENT_DIST, url!))).digest("base64")}`;
      expect(tag).toContain(`integrity="${expected}"`);
    }
  });

  it("has the cipher's 32 rotations written out where it seals (scripts/vite/inline-rotations.ts): in the worker and in the page", async () => {
    // Minified: `(a^b)<<16|(a^b)>>>16` and the like, the same two names each side.
    const written = /\(([\w$]+)\^([\w$]+)\)<<(16|12|8|7)\|\(\1\^\2\)>>>(16|20|24|25)/g;
    const js = await assets(".js");
    const worker = js.find((f) => WORKER_FILE.test(f.name))!;
    expect(worker.bytes.toString().match(written)).toHaveLength(EXPECTED_ROTATIONS);
    // The chunks that hold ChaCha20 carry its constant.
    const pageCiphers = js.filter((f) => !WORKER_FILE.test(f.name) && f.bytes.toString().includes("expand 32-byte k"));
    expect(pageCiphers.length).toBeGreaterThan(0);
    for (const f of pageCiphers) expect(f.bytes.toString().match(written), f.name).toHaveLength(EXPECTED_ROTATIONS);
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
