// The Workers entry serves the page compressed too: workerd (wrangler dev) compresses nothing on its own,
// so the worker picks the build's .br/.gz copies from its static assets (src/server/workers/assets.ts).
// Cloudflare's edge would compress text responses by itself; this checks what the worker sends.
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildClient } from "../browser/build.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { decode, entryFiles, isBuiltPage, rawGet } from "../helpers/compressed.js";

let clientDir: string;
let server: TestServer;
let files: { script: string; style: string };

beforeAll(async () => {
  clientDir = await buildClient();
  server = await startTestServer({ backend: "workerd", clientDir });
  files = await entryFiles(clientDir);
});

afterAll(async () => {
  await server?.dispose();
  if (clientDir) await rm(clientDir, { recursive: true, force: true });
});

const onDisk = (path: string) => readFile(join(clientDir, path === "/" ? "index.html" : path));

describe("the page over a slow link (Workers entry, workerd)", () => {
  // workerd hands the worker `Accept-Encoding: gzip` even when the browser also offers br (Cloudflare
  // normalises the header the same way), so a browser offering both gets the gzip copy here.
  it.each([
    [["br", "gzip"], "gzip, deflate, br, zstd"],
    [["gzip"], "gzip, deflate"],
  ])("serves the entry script, the stylesheet and the page as one of %j when the browser accepts it", async (encodings, accept) => {
    for (const path of [files.script, files.style, "/"]) {
      const res = await rawGet(server.url + path, { "accept-encoding": accept });
      expect(res.status, path).toBe(200);
      expect(encodings, path).toContain(res.headers["content-encoding"]);
      expect(res.headers["vary"], path).toMatch(/accept-encoding/i);
      expect(res.headers["cache-control"], path).toBe("no-store");
      expect(res.headers["content-security-policy"], path).toContain("script-src 'self'");
      const original = await onDisk(path);
      expect(res.body.length, path).toBeLessThan(path === "/" ? decode(res).length : original.length);
      // `/` carries the form for browsers without JavaScript in its <noscript>: the rest is the build's, byte for byte.
      expect(path === "/" ? isBuiltPage(decode(res), original) : decode(res).equals(original), path).toBe(true);
    }
  });

  it("sends the plain file to a client that accepts no encoding", async () => {
    const res = await rawGet(server.url + files.script, { "accept-encoding": "identity" });
    expect(res.headers["content-encoding"]).toBeUndefined();
    expect(res.body.equals(await onDisk(files.script))).toBe(true);
  });
});
