// `sealdrop serve --database postgres://…` outlives its PostgreSQL: while the database is down every
// request gets 503 `unavailable` (and the health check says so), the process never exits, and once the
// database is back the next request succeeds. Acceptance: PostgreSQL restarted twice (`pg_ctl restart`)
// during a page upload in Chromium, and the upload completes byte for byte for the editor.
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquireCluster, type PostgresCluster, releaseCluster, ROOT } from "../helpers/backends.js";
import { launchChromium, openRecordedPage, sendThroughPage } from "../helpers/browser.js";
import { runCli } from "../cli/helpers.js";
import { initRemote, serve, type Served } from "./serve.js";

let cluster: PostgresCluster;
let database: string;
let root: string;
let server: Served;
let browser: Browser;
const token = `setup-${randomBytes(16).toString("hex")}`;
const home = () => join(root, "home");

beforeAll(async () => {
  cluster = await acquireCluster();
  database = await cluster.createDatabase();
  root = await mkdtemp(join(tmpdir(), "sealdrop-pg-restart-"));
  server = await serve(["--database", cluster.urlFor(database), "--data", join(root, "data")], { SEALDROP_SETUP_TOKEN: token });
  await initRemote(server.url, token, home());
  if (!existsSync(join(ROOT, "dist", "client", "index.html"))) throw new Error("no built page in dist/client: run `npx vite build` first");
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (database) await cluster.dropDatabase(database);
  await releaseCluster();
  if (root) await rm(root, { recursive: true, force: true });
});

describe("while PostgreSQL is stopped", () => {
  it("answers 503 unavailable with Retry-After, reports it in /api/health, stays up, and serves again once it is back", async () => {
    // Requests first, so the pool holds idle connections when PostgreSQL goes away (each gets 57P01).
    expect((await fetch(`${server.url}/api/newsroom`)).status).toBe(200);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    await cluster.pause();
    try {
      const res = await fetch(`${server.url}/api/newsroom`);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(res.headers.get("cache-control")).toBe("no-store");
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("unavailable");
      expect(body.error.message).not.toMatch(/ECONN|57P|postgres|127\.0\.0\.1/i);
      const health = await fetch(`${server.url}/api/health`);
      expect(health.status).toBe(503);
      // The blobs are in PostgreSQL too.
      expect(await health.json()).toEqual({ status: "unavailable", database: "unavailable", blobs: "unavailable" });
      // An anonymous write goes through the proof-of-work guard, which needs the database too.
      expect((await fetch(`${server.url}/api/pow`)).status).toBe(503);
      expect(server.alive()).toBe(true);
    } finally {
      await cluster.resume();
    }
    expect((await fetch(`${server.url}/api/newsroom`)).status).toBe(200);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    expect(server.alive()).toBe(true);
    // The operator's log says why, with the driver's code, and nothing about any request.
    expect(server.output()).toMatch(/PostgreSQL does not answer \((57P01|ECONNREFUSED|connection lost|no connection)/);
    expect(server.output()).not.toMatch(/\/api\/|GET|POST/);
  });
});

describe("the source page while PostgreSQL is stopped", () => {
  it("says the newsroom cannot be reached and to try later, not to check the connection", async () => {
    const recorded = await openRecordedPage(browser);
    const { page } = recorded;
    try {
      await page.goto(`${server.url}/?lang=en`);
      await page.locator("#fingerprint").waitFor();
      await page.getByLabel("Message").fill("sent while the database is down");
      await cluster.pause();
      try {
        await page.getByRole("button", { name: "Encrypt and send" }).click();
        const alert = page.locator("#form-error");
        await alert.waitFor();
        const text = (await alert.textContent()) ?? "";
        expect(text).toContain("The newsroom's server cannot be reached right now");
        expect(text).toContain("try again");
        expect(text).not.toMatch(/connection failed|check it/i);
        // The message stays in the form for the next try.
        expect(await page.getByLabel("Message").inputValue()).toBe("sent while the database is down");
      } finally {
        await cluster.resume();
      }
      expect(server.alive()).toBe(true);
    } finally {
      await recorded.close();
    }
  });
});

describe("PostgreSQL restarted twice during a page upload", () => {
  it("the server never exits and the editor reads the file byte for byte", async () => {
    const size = 5 * (8 << 20) + 12345; // six parts of at most 8 MiB
    const path = join(root, "recording.bin");
    const bytes = randomBytes(size);
    await writeFile(path, bytes);
    const expected = createHash("sha256").update(bytes).digest("hex");

    const recorded = await openRecordedPage(browser);
    const { page } = recorded;
    // Restart when the server has acknowledged part 0 and again when it has acknowledged part 2: the page
    // is sending the next part meanwhile. Each restart ends every session and refuses connections until
    // PostgreSQL is back.
    const restarts: Promise<void>[] = [];
    const answers: number[] = [];
    page.on("response", (r) => {
      const part = /\/api\/uploads\/[0-9a-f]+\/parts\/(\d+)$/.exec(r.url())?.[1];
      if (part === undefined) return;
      answers.push(r.status());
      if (r.status() === 200 && (part === "0" || part === "2") && restarts.length < (part === "0" ? 1 : 2)) restarts.push(cluster.restart());
    });
    let id: string;
    try {
      id = await sendThroughPage(page, server.url, "the recording, across two database restarts", path, 300_000);
    } finally {
      await recorded.close();
    }
    await Promise.all(restarts);
    expect(restarts).toHaveLength(2);
    expect(server.alive()).toBe(true);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(answers.filter((s) => s === 200).length).toBeGreaterThanOrEqual(6);

    const pulled = await runCli(["pull", "--server", server.url, "--home", home(), "--json"]);
    expect(pulled.code, pulled.stderr).toBe(0);
    const out = join(root, "read");
    const read = await runCli(["read", id, "--out", out, "--home", home(), "--json"]);
    expect(read.code, read.stderr).toBe(0);
    const attachments = (JSON.parse(read.stdout) as { attachments: { size: number; sha256: string; savedAs: string }[] }).attachments;
    expect(attachments).toMatchObject([{ size, sha256: expected }]);
    expect(createHash("sha256").update(await readFile(attachments[0]!.savedAs)).digest("hex")).toBe(expected);
  }, 400_000);
});
