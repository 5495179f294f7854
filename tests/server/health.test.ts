// GET /api/health answers 200 while the database and the blob store answer, 503 once either does not,
// with the same security headers as every other response and nothing about what is stored.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/server/app.js";
import type { Deps } from "../../src/server/deps.js";
import { createNodeDeps } from "../../src/server/node/serve.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.dispose();
  server = undefined;
});

describe("GET /api/health", () => {
  it("answers 200 JSON while the database and the blob store answer", async () => {
    server = await startTestServer();
    const res = await fetch(`${server.url}/api/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ status: "ok", database: "ok", blobs: "ok" });
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
  });
});

describe("GET /api/health on a broken Node + SQLite deployment", () => {
  const made: { dir: string; deps: Deps }[] = [];
  afterEach(async () => {
    for (const { dir, deps } of made.splice(0)) {
      await deps.db.destroy().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    }
  });
  async function deployment() {
    const dir = await mkdtemp(join(tmpdir(), "sealdrop-health-"));
    const deps = await createNodeDeps(dir);
    made.push({ dir, deps });
    const app = createApp(deps);
    expect((await app.request("/api/health")).status).toBe(200);
    return { dir, deps, app };
  }

  it("answers 503 once the blob store's directory is gone, naming only the store", async () => {
    const { dir, app } = await deployment();
    await rm(join(dir, "blobs"), { recursive: true, force: true });
    const res = await app.request("/api/health");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "unavailable", database: "ok", blobs: "unavailable" });
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });

  it("answers 503 once the database does not answer", async () => {
    const { deps, app } = await deployment();
    await deps.db.destroy();
    const res = await app.request("/api/health");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "unavailable", database: "unavailable", blobs: "ok" });
  });
});
