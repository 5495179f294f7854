// Watchdogs can check what a tip line serves (issue 16, "Verifiable client"): the page is built, a newsroom
// made with `sealdrop init`, an admin signs the build with `sealdrop release sign`, and the real Node server
// serves it with the manifest. `sealdrop verify`, run as a subprocess, passes; it fails, naming the file,
// when one byte of one served file changes (plain or in its brotli copy), when the fingerprint is another
// newsroom's, and when the manifest is altered; through a SOCKS5 proxy that resolves the name, it passes.
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RELEASE_PATH } from "../../src/core/release-manifest.js";
import { type RunningServer, startNodeServer } from "../../src/server/node/serve.js";
import { buildClient } from "../browser/build.js";
import { freshFetch } from "../helpers/http.js";
import { type Socks5Proxy, startSocks5Proxy } from "../helpers/socks5.js";
import { runCli, tempDir } from "./helpers.js";
import { startTamperProxy } from "./tamper-proxy.js";

let dir: string;
let clientDir: string;
let server: RunningServer;
let proxy: Socks5Proxy;
let home: string;
let fingerprint: string;

beforeAll(async () => {
  dir = await tempDir();
  clientDir = await buildClient();
  const dataDir = join(dir, "data");
  home = join(dir, "admin");
  server = await startNodeServer({ dataDir, port: 0, host: "127.0.0.1", clientDir });
  proxy = await startSocks5Proxy({ "tipline.test": "127.0.0.1" });
  const init = await runCli(["init", "--name", "Border News", "--desk", "news=News", "--editor-name", "Alice", "--home", home, "--data", dataDir, "--server-url", server.url, "--json"]);
  expect(init.stderr).toBe("");
  expect(init.code).toBe(0);
  fingerprint = (JSON.parse(init.stdout) as { fingerprint: string }).fingerprint;
}, 180_000);

afterAll(async () => {
  await proxy?.close();
  await server?.close();
  await Promise.all([dir, clientDir].filter(Boolean).map((d) => rm(d, { recursive: true, force: true })));
});

const verify = (...args: string[]) => runCli(["verify", server.url, "--fingerprint", fingerprint, ...args]);

/** Runs `change` on a file of the served build, then puts the original bytes back whatever happens. */
async function withChangedFile<T>(path: string, change: (bytes: Buffer) => Buffer, run: () => Promise<T>): Promise<T> {
  const file = join(clientDir, path);
  const original = await readFile(file);
  await writeFile(file, change(Buffer.from(original)));
  try {
    return await run();
  } finally {
    await writeFile(file, original);
  }
}
const flipOneByte = (bytes: Buffer) => {
  const at = Math.floor(bytes.length / 2);
  bytes[at] = bytes[at]! ^ 0x01;
  return bytes;
};

describe("sealdrop release sign and sealdrop verify", () => {
  it("verify refuses a server that serves no signed release", async () => {
    const r = await verify();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/serves no signed release at \/\.well-known\/sealdrop-release\.json.*\(release_missing\)/);
  });

  it("an admin signs the build, and the server serves the manifest at the well-known path", async () => {
    const signed = await runCli(["release", "sign", "--dist", clientDir, "--home", home, "--json"]);
    expect(signed.stderr).toBe("");
    expect(signed.code).toBe(0);
    const out = JSON.parse(signed.stdout) as { file: string; files: number; signer: string };
    expect(out.file).toBe(join(clientDir, ".well-known", "sealdrop-release.json"));
    const built = (await readdir(clientDir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile() && !join(e.parentPath, e.name).includes(`${clientDir}/.`));
    expect(out.files).toBe(built.length);
    const res = await freshFetch(server.url + RELEASE_PATH);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(JSON.parse(await readFile(out.file, "utf8")));
  });

  it("verify passes on the served page and every file of the release", async () => {
    const r = await verify();
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Fingerprint: ${fingerprint} (matches the one given)`);
    expect(r.stdout).toMatch(/Release: \d+ files, signed by Alice at roster entry 0/);
    expect(r.stdout).toMatch(/^ok {4}\/ {2}\(served as identity, gzip, identity for identity, gzip, br\)$/m);
    expect(r.stdout).toMatch(/^ok {4}\/assets\/index-[\w-]+\.js {2}\(served as identity, gzip, br for identity, gzip, br\)$/m);
    expect(r.stdout).toMatch(/^ok {4}\/assets\/seal-worker-[\w-]+\.js /m);
    expect(r.stdout).toContain("Verified:");
    const json = JSON.parse((await verify("--json")).stdout) as { ok: boolean; differences: unknown[]; files: { path: string }[] };
    expect(json.ok).toBe(true);
    expect(json.differences).toEqual([]);
    expect(json.files.length).toBeGreaterThan(5);
  });

  it("verify fails, naming the file, when one byte of one served file differs from the release", async () => {
    const script = (await readdir(join(clientDir, "assets"))).find((n) => /^korean-.*\.js$/.test(n))!;
    const r = await withChangedFile(`assets/${script}`, flipOneByte, () => verify());
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`FAIL  /assets/${script}  (served as identity, gzip, br for identity, gzip, br)`);
    expect(r.stdout).toMatch(new RegExp(`difference: /assets/${script}: its SHA-256 is [0-9a-f]{16}…; the signed release's is [0-9a-f]{16}… \\(served as identity\\) \\(file_mismatch\\)`));
    expect(r.stderr).toMatch(new RegExp(`^sealdrop: verification FAILED: /assets/${script} is not what the newsroom signed: .* \\(file_mismatch\\)\\n$`));
    // Only that file: every other one still matches.
    expect(r.stdout.match(/^FAIL/gm)).toHaveLength(1);
  });

  it("verify fails, naming the file, when only the brotli copy a browser would get is changed", async () => {
    const style = (await readdir(join(clientDir, "assets"))).find((n) => /^style-.*\.css$/.test(n))!;
    const r = await withChangedFile(`assets/${style}.br`, flipOneByte, () => verify());
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`FAIL  /assets/${style}`);
    expect(r.stderr).toContain(`verification FAILED: /assets/${style} is not what the newsroom signed`);
  });

  it("verify fails when the fingerprint is another newsroom's, and says nothing passed", async () => {
    const r = await runCli(["verify", server.url, "--fingerprint", "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/has the fingerprint .*, not 0000 0000 .*\(fingerprint_mismatch\)/);
  });

  it("verify fails when the manifest was altered after signing", async () => {
    const r = await withChangedFile(
      ".well-known/sealdrop-release.json",
      (bytes) => {
        const manifest = JSON.parse(bytes.toString("utf8")) as { body: { files: { sha256: string }[] } };
        manifest.body.files[0]!.sha256 = "0".repeat(64);
        return Buffer.from(JSON.stringify(manifest));
      },
      () => verify(),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the release manifest cannot be trusted: the signature does not verify \(release_bad_signature\)/);
  });

  it("verify passes through a SOCKS5 proxy that resolves the server's name itself (socks5h)", async () => {
    const port = new URL(server.url).port;
    const before = proxy.requests.length;
    const r = await runCli(["verify", `http://tipline.test:${port}`, "--fingerprint", fingerprint, "--proxy", proxy.url]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Verified: http://tipline.test:");
    const asked = proxy.requests.slice(before);
    // Every request went through the proxy, by name: nothing was looked up on this machine.
    expect(asked.length).toBeGreaterThan(10);
    expect(asked.every((q) => q.type === "name" && q.host === "tipline.test" && q.port === Number(port))).toBe(true);
  });

  it("verify refuses socks5:// (names would be resolved outside the proxy) with a usage error", async () => {
    const r = await verify("--proxy", proxy.url.replace("socks5h:", "socks5:"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/use socks5h:\/\/HOST:PORT.*\(bad_proxy\)/);
  });
});

/**
 * A hostile server in front of the real one: each request is forwarded (asking for no encoding) unless
 * `answer` takes it (returns true: it answers, or holds the request unanswered until close), and `rewrite`
 * may change the body that comes back.
 */
async function startFront(options: { answer?: (path: string, res: ServerResponse) => boolean; rewrite?: (path: string, body: Buffer) => Buffer }): Promise<{ url: string; close(): Promise<void> }> {
  const held = new Set<ServerResponse>();
  const front: Server = createServer((req, res) => {
    const path = req.url ?? "/";
    if (options.answer?.(path, res)) return void held.add(res);
    const upstream = request(server.url + path, { headers: { "accept-encoding": "identity", connection: "close" } }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on("data", (c: Buffer) => chunks.push(c));
      answer.on("end", () => {
        const body = options.rewrite ? options.rewrite(path, Buffer.concat(chunks)) : Buffer.concat(chunks);
        res.writeHead(answer.statusCode ?? 502, { "content-type": answer.headers["content-type"] ?? "application/octet-stream", "content-length": String(body.length) });
        res.end(body);
      });
    });
    upstream.end();
  });
  await new Promise<void>((done) => front.listen(0, "127.0.0.1", done));
  return {
    url: `http://127.0.0.1:${(front.address() as AddressInfo).port}`,
    close: () => {
      for (const res of held) res.destroy();
      return new Promise<void>((done) => front.close(() => done()));
    },
  };
}

describe("sealdrop verify distrusts the server", () => {
  const verifyAt = (url: string, ...args: string[]) => runCli(["verify", url, "--fingerprint", fingerprint, ...args]);

  it("fails, naming the page, when the served page loads other code than the signed one", async () => {
    const front = await startFront({ rewrite: (path, body) => (path === "/" ? Buffer.from(body.toString("utf8").replace(/integrity="sha384-[^"]+"/, 'integrity="sha384-AAAA"')) : body) });
    try {
      const r = await verifyAt(front.url);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^FAIL {2}\/ {2}/m);
      expect(r.stderr).toMatch(/verification FAILED: \/ is not what the newsroom signed: it differs from the signed page outside its <noscript>.*\(page_mismatch\)/);
    } finally {
      await front.close();
    }
  });

  it("fails when the server hands sources' browsers a key the roster does not name", async () => {
    const tamper = await startTamperProxy(server.url);
    tamper.tamper = (path, body) => {
      if (path !== "/api/newsroom") return undefined;
      const answer = body as { desks: { recipients: string[] }[] };
      answer.desks[0]!.recipients.push(answer.desks[0]!.recipients[0]!.replace(/.$/, "q"));
      return answer;
    };
    try {
      const r = await verifyAt(tamper.url);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/\(newsroom_mismatch\)\n$/);
    } finally {
      await tamper.close();
    }
  });

  it("gives up on an answer that never comes, with a timeout, and follows no redirect", async () => {
    const front = await startFront({
      // Never answered.
      answer: (path) => path === "/api/roster",
    });
    const redirecting = await startFront({
      answer: (path, res) => {
        if (path !== "/api/roster") return false;
        res.writeHead(302, { location: "http://127.0.0.1:9/" });
        res.end();
        return true;
      },
    });
    try {
      const stalled = await verifyAt(front.url, "--timeout", "2");
      expect(stalled.code).toBe(1);
      expect(stalled.stderr).toMatch(/\/api\/roster: no complete answer within 2 s \(timeout\)/);
      const redirected = await verifyAt(redirecting.url);
      expect(redirected.code).toBe(1);
      expect(redirected.stderr).toMatch(/\/api\/roster: the server redirected \(302\); verify follows no redirect \(bad_response\)/);
    } finally {
      await front.close();
      await redirecting.close();
    }
  });

  it("puts nothing the server sends raw on the terminal", async () => {
    const front = await startFront({
      answer: (path, res) => {
        if (path !== "/api/roster") return false;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ root: 7, entries: "\u001b]0;owned\u0007\u001b[2J" }));
        return true;
      },
    });
    try {
      const r = await verifyAt(front.url);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/the server's roster \(\/api\/roster\) is not what sealdrop serves: .*\(roster_malformed\)/);
      expect(r.stdout + r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    } finally {
      await front.close();
    }
  });
});

// Last in the file: it replaces the admin's manifest with the root's.
describe("sealdrop release sign --as-root", () => {
  it("refuses the root key options without --as-root", async () => {
    const r = await runCli(["release", "sign", "--dist", clientDir, "--home", home, "--root-key", join(home, "root.key")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--root-key and --root-passphrase-file go with --as-root");
  });

  it("refuses another newsroom's root key and leaves the served manifest as it was", async () => {
    const before = await readFile(join(clientDir, ".well-known", "sealdrop-release.json"), "utf8");
    const other = join(dir, "other");
    const init = await runCli(["init", "--name", "Other News", "--desk", "news=News", "--editor-name", "Bob", "--home", other, "--data", join(dir, "other-data"), "--server-url", server.url, "--json"]);
    expect(init.code).toBe(0);
    const r = await runCli(["release", "sign", "--dist", clientDir, "--home", home, "--as-root", "--root-key", join(other, "root.key")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the root key [0-9A-F ]+ is not this newsroom's root \([0-9A-F ]+\) \(release_root_mismatch\)/);
    expect(await readFile(join(clientDir, ".well-known", "sealdrop-release.json"), "utf8")).toBe(before);
  }, 120_000);

  it("signs the build with the newsroom root key, and verify passes naming the root as signer", async () => {
    const signed = await runCli(["release", "sign", "--dist", clientDir, "--home", home, "--as-root", "--json"]);
    expect(signed.stderr).toBe("");
    expect(signed.code).toBe(0);
    expect((JSON.parse(signed.stdout) as { signer: string }).signer).toBe("root");
    const r = await verify();
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Release: \d+ files, signed by the newsroom's root key at roster entry 0/);
  });
});
