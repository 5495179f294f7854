// A slow link gets the page compressed: the build's .br/.gz copies, served by the Node entry with
// Content-Encoding when the browser accepts them, the same bytes once decoded, and still never cached.
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decode, entryFiles, isBuiltPage, rawGet } from "../helpers/compressed.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { buildClient } from "./build.js";

let clientDir: string;
let server: TestServer;
let files: { script: string; style: string };

beforeAll(async () => {
  clientDir = await buildClient();
  server = await startTestServer({ clientDir, backend: "sqlite" });
  files = await entryFiles(clientDir);
}, 120_000);

afterAll(async () => {
  await server?.dispose();
  if (clientDir) await rm(clientDir, { recursive: true, force: true });
});

const onDisk = (path: string) => readFile(join(clientDir, path === "/" ? "index.html" : path));

describe("the page over a slow link (Node entry)", () => {
  it.each([
    ["br", "gzip, deflate, br, zstd"],
    ["gzip", "gzip, deflate"],
  ])("serves the entry script, the stylesheet and the page as %s when the browser accepts it", async (encoding, accept) => {
    for (const path of [files.script, files.style, "/"]) {
      const res = await rawGet(server.url + path, { "accept-encoding": accept });
      expect(res.status, path).toBe(200);
      // The page is written per request (its form's check question), and gzipped then, whatever else is offered.
      expect(res.headers["content-encoding"], path).toBe(path === "/" ? "gzip" : encoding);
      expect(res.headers["vary"], path).toMatch(/accept-encoding/i);
      expect(res.headers["cache-control"], path).toBe("no-store");
      expect(Number(res.headers["content-length"]), path).toBe(res.body.length);
      const original = await onDisk(path);
      expect(res.body.length, path).toBeLessThan(path === "/" ? decode(res).length : original.length);
      // `/` carries the form for browsers without JavaScript in its <noscript>: the rest is the build's, byte for byte.
      expect(path === "/" ? isBuiltPage(decode(res), original) : decode(res).equals(original), path).toBe(true);
    }
    const script = await rawGet(server.url + files.script, { "accept-encoding": accept });
    expect(script.headers["content-type"]).toMatch(/^text\/javascript/);
    // The entry script is most of what a first visit downloads: compressed, a fraction of it goes over the wire.
    expect(script.body.length).toBeLessThan((await onDisk(files.script)).length / 2.5);
  });

  it("sends the plain file to a client that accepts no encoding", async () => {
    const res = await rawGet(server.url + files.script);
    expect(res.headers["content-encoding"]).toBeUndefined();
    expect(res.headers["vary"]).toMatch(/accept-encoding/i);
    expect(res.body.equals(await onDisk(files.script))).toBe(true);
  });

  it("does not send an encoding the browser refused with q=0", async () => {
    const res = await rawGet(server.url + files.script, { "accept-encoding": "br;q=0, gzip" });
    expect(res.headers["content-encoding"]).toBe("gzip");
  });
});
