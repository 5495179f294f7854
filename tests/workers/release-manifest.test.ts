// The signed release manifest on the Workers deployment (issue 16, "Verifiable client"): the page is built,
// a newsroom is made over HTTP on the worker (`sealdrop init --server --setup-token`), an admin signs the
// build with `sealdrop release sign`, which writes the manifest into the build directory the worker serves
// as static assets. The worker (real workerd, `wrangler dev`) then serves it at the well-known path with
// the app's security headers, every file it lists is what the worker serves byte for byte, and the check
// `sealdrop verify` runs (verifyServedRelease) passes on it. The Node server is tested in tests/cli/verify.test.ts.
import { createHash } from "node:crypto";
import { cp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { randomId } from "../../src/core/bytes.js";
import { isBuiltPage, RELEASE_PATH, type ReleaseManifest, splitPage, verifyRelease } from "../../src/core/release-manifest.js";
import { verifyRoster } from "../../src/core/roster.js";
import { verifyServedRelease } from "../../src/cli/services/release-verify.js";
import { CONTENT_SECURITY_POLICY } from "../../src/server/middleware/security-headers.js";
import { buildClient } from "../browser/build.js";
import { runCli, tempDir } from "../cli/helpers.js";
import { type RunningWorker, startWorker } from "../helpers/backends.js";
import { rawGet } from "../helpers/compressed.js";
import { freshFetch } from "../helpers/http.js";

let dir: string;
let clientDir: string;
let worker: RunningWorker;
let home: string;
let fingerprint: string;
let manifest: ReleaseManifest;

beforeAll(async () => {
  dir = await tempDir();
  clientDir = await buildClient();
  const token = `setup-${randomId()}`;
  worker = await startWorker({ setupToken: token, assetsDir: clientDir });
  home = join(dir, "admin");
  const init = await runCli(["init", "--name", "Border News", "--desk", "news=News", "--editor-name", "Alice", "--home", home, "--server", worker.url, "--setup-token", token, "--json"]);
  expect(init.stderr).toBe("");
  expect(init.code).toBe(0);
  fingerprint = (JSON.parse(init.stdout) as { fingerprint: string }).fingerprint;
  const signed = await runCli(["release", "sign", "--dist", clientDir, "--home", home, "--json"]);
  expect(signed.stderr).toBe("");
  expect(signed.code).toBe(0);
  manifest = JSON.parse(await readFile(join(clientDir, ".well-known", "sealdrop-release.json"), "utf8")) as ReleaseManifest;
  // wrangler dev watches the assets directory and rebuilds its asset list: wait for it to serve the new file.
  await vi.waitFor(
    async () => {
      const { status } = await freshFetch(worker.url + RELEASE_PATH);
      if (status !== 200) throw new Error(`the worker answers ${status} at ${RELEASE_PATH} after release sign`);
    },
    { timeout: 90_000, interval: 200 },
  );
}, 240_000);

afterAll(async () => {
  await worker?.dispose();
  await Promise.all([dir, clientDir].filter(Boolean).map((d) => rm(d, { recursive: true, force: true })));
});

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("the signed release on Workers (workerd)", () => {
  it("serves the manifest at the well-known path as JSON, with the app's security headers", async () => {
    const res = await rawGet(worker.url + RELEASE_PATH, { "accept-encoding": "identity" });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.headers["content-security-policy"]).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["x-frame-options"]).toBe("DENY");
    expect(res.headers["referrer-policy"]).toBe("no-referrer");
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.headers["cross-origin-resource-policy"]).toBe("same-origin");
    expect(res.headers["etag"]).toBeUndefined();
    expect(res.headers["last-modified"]).toBeUndefined();
    expect(res.body.equals(await readFile(join(clientDir, ".well-known", "sealdrop-release.json")))).toBe(true);
  });

  it("is signed by the newsroom's admin against the roster the worker serves", async () => {
    const log = (await (await freshFetch(`${worker.url}/api/roster`)).json()) as { root: string; entries: unknown[] };
    const roster = verifyRoster(log.root, log.entries);
    if (!roster.ok) throw new Error(`the worker's roster does not verify: ${JSON.stringify(roster.error)}`);
    const verified = verifyRelease(manifest, roster);
    expect(verified.ok).toBe(true);
  });

  it("lists exactly the SHA-256 and size of every file the worker serves at each listed path", async () => {
    expect(manifest.body.files.length).toBeGreaterThan(5);
    expect(manifest.body.files.map((f) => f.path)).toContain("index.html");
    for (const file of manifest.body.files) {
      if (file.path === manifest.body.page.path) continue;
      const res = await rawGet(`${worker.url}/${file.path}`, { "accept-encoding": "identity" });
      expect(res.status, file.path).toBe(200);
      expect(res.headers["content-encoding"], file.path).toBeUndefined();
      expect(res.headers["content-security-policy"], file.path).toBe(CONTENT_SECURITY_POLICY);
      expect({ path: file.path, size: res.body.length, sha256: sha256(res.body) }).toEqual(file);
    }
  });

  it("serves at / the signed page: the listed index.html with only the no-JavaScript form in its <noscript>", async () => {
    // Workers assets answer /index.html with a redirect to /; the page is served at / alone.
    const built = await readFile(join(clientDir, "index.html"));
    const listed = manifest.body.files.find((f) => f.path === manifest.body.page.path)!;
    expect({ size: built.length, sha256: sha256(built) }).toEqual({ size: listed.size, sha256: listed.sha256 });
    const res = await rawGet(`${worker.url}/`, { "accept-encoding": "identity" });
    expect(res.status).toBe(200);
    expect(res.headers["content-security-policy"]).toBe(CONTENT_SECURITY_POLICY);
    expect(isBuiltPage(res.body, built)).toBe(true);
    expect(sha256(splitPage(res.body)!.frame)).toBe(manifest.body.page.frame);
  });

  it("passes the check `sealdrop verify` runs: the page and every file, in every encoding", async () => {
    const report = await verifyServedRelease({ server: worker.url, fingerprint, proxy: null, timeoutMs: 30_000 });
    expect(report.differences).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.fingerprint).toBe(fingerprint);
    expect(report.release.signerName).toBe("Alice");
    expect(report.files.map((f) => f.path)).toContain("/");
    expect(report.files.every((f) => f.ok)).toBe(true);
    // The worker hands out the build's compressed copies: some file came as gzip.
    expect(report.files.some((f) => f.served.includes("gzip"))).toBe(true);
  });

  it("`sealdrop verify` itself passes against the worker", async () => {
    const r = await runCli(["verify", worker.url, "--fingerprint", fingerprint]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Release: \d+ files, signed by Alice at roster entry 0/);
    expect(r.stdout).toContain("Verified:");
  });
});

// A changed byte in a served asset (issue 16). It cannot be made in the directory a running `wrangler dev`
// serves: measured with wrangler 4.86 / miniflare 4.20260426, rewriting assets/<entry>.js (and its .gz) in
// place leaves the worker answering the old bytes (\`cf-cache-status: HIT\`), also after wrangler's watcher
// has seen the change and reloaded, while a bare Miniflare over the same directory serves the new bytes at
// once; where wrangler keeps the old ones was not pinned down. So the release is tampered with in a copy
// of the signed build, and a second worker is started on that copy over the same D1 and R2 (same newsroom,
// same roster): a fresh `wrangler dev` reads its assets from scratch.
describe("a changed byte in a served asset, on Workers (workerd)", () => {
  let tamperedDir: string;
  let tampered: RunningWorker;
  let entry: string;

  beforeAll(async () => {
    const page = await readFile(join(clientDir, "index.html"), "utf8");
    entry = /<script[^>]* src="\/?(assets\/index-[^"]+\.js)"/.exec(page)![1]!;
    tamperedDir = await tempDir();
    await cp(clientDir, tamperedDir, { recursive: true });
    // One byte of the entry script, in the file and in the compressed copies a browser is handed instead.
    const bytes = await readFile(join(tamperedDir, entry));
    bytes[bytes.length >> 1]! ^= 0x01;
    await writeFile(join(tamperedDir, entry), bytes);
    await writeFile(join(tamperedDir, `${entry}.gz`), gzipSync(bytes, { level: 9 }));
    await writeFile(join(tamperedDir, `${entry}.br`), brotliCompressSync(bytes));
    // Two workerd processes must not share one D1: the first worker goes, its state stays.
    await worker.stop();
    tampered = await startWorker({ setupToken: `setup-${randomId()}`, assetsDir: tamperedDir, persistDir: worker.persistDir });
  }, 240_000);

  afterAll(async () => {
    await tampered?.dispose();
    if (tamperedDir) await rm(tamperedDir, { recursive: true, force: true });
  });

  it("the second worker serves the changed byte (and still the signed manifest)", async () => {
    const served = await rawGet(`${tampered.url}/${entry}`, { "accept-encoding": "identity" });
    expect(served.status).toBe(200);
    const listed = manifest.body.files.find((f) => f.path === entry)!;
    expect(served.body.length).toBe(listed.size);
    expect(sha256(served.body)).not.toBe(listed.sha256);
    expect(sha256(served.body)).toBe(sha256(await readFile(join(tamperedDir, entry))));
    expect((await rawGet(tampered.url + RELEASE_PATH, { "accept-encoding": "identity" })).body.equals(await readFile(join(clientDir, ".well-known", "sealdrop-release.json")))).toBe(true);
  });

  it("verifyServedRelease reports that file, in every encoding, and nothing else", async () => {
    const report = await verifyServedRelease({ server: tampered.url, fingerprint, proxy: null, timeoutMs: 30_000 });
    expect(report.ok).toBe(false);
    expect(report.files.filter((f) => !f.ok).map((f) => f.path)).toEqual([`/${entry}`]);
    // One difference per encoding asked, each the changed file's digest: as plain, gzip and brotli.
    expect(report.differences.map((d) => ({ path: d.path, code: d.code, encoding: d.encoding }))).toEqual(
      ["identity", "gzip", "br"].map((encoding) => ({ path: `/${entry}`, code: "file_mismatch", encoding })),
    );
  });

  it("`sealdrop verify` exits 1 naming that file", async () => {
    const r = await runCli(["verify", tampered.url, "--fingerprint", fingerprint]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`FAIL  /${entry}  (served as identity, gzip, br for identity, gzip, br)`);
    expect(r.stdout).not.toContain("Verified:");
    expect(r.stderr).toContain(`verification FAILED: /${entry} is not what the newsroom signed`);
    expect(r.stdout).toContain(`difference: /${entry}: `);
    expect(r.stdout).toContain("(file_mismatch)");
  });
});
