import { mkdtemp, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { editorFetch, startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  const clientDir = await mkdtemp(join(tmpdir(), "sealdrop-client-"));
  await mkdir(join(clientDir, "assets"));
  await writeFile(join(clientDir, "index.html"), "<!doctype html><title>t</title>");
  await writeFile(join(clientDir, "assets", "app.js"), "console.log(1)");
  server = await startTestServer({ clientDir });
});
afterAll(() => server.dispose());

function expectSecurityHeaders(res: Response) {
  const h = res.headers;
  const csp = h.get("content-security-policy") ?? "";
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain("unsafe-inline");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(h.get("cache-control")).toBe("no-store");
  expect(h.get("referrer-policy")).toBe("no-referrer");
  expect(h.get("x-content-type-options")).toBe("nosniff");
  expect(h.get("cross-origin-opener-policy")).toBe("same-origin");
  expect(h.get("cross-origin-resource-policy")).toBe("same-origin");
  expect(h.get("set-cookie")).toBeNull();
  expect(h.get("server")).toBeNull();
  expect(h.get("x-powered-by")).toBeNull();
}

describe("every response", () => {
  const requests: [string, () => Promise<Response>][] = [
    ["the source page", () => fetch(`${server.url}/`)],
    ["a static asset", () => fetch(`${server.url}/assets/app.js`)],
    ["the newsroom API", () => fetch(`${server.url}/api/newsroom`)],
    ["a 404 page", () => fetch(`${server.url}/nope`)],
    ["an unknown API route", () => fetch(`${server.url}/api/nope`, { method: "POST" })],
    ["a validation error", () => fetch(`${server.url}/api/submissions`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" })],
    ["an upload", () => fetch(`${server.url}/api/uploads`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })],
    ["an unsigned editor request", () => fetch(`${server.url}/api/editor/submissions`)],
    ["a signed editor request", () => editorFetch(server, server.editor, "GET", "/api/editor/newsroom")],
    ["the health check", () => fetch(`${server.url}/api/health`)],
  ];
  it.each(requests)("carries the security headers: %s", async (_name, request) => {
    expectSecurityHeaders(await request());
  });

  it.each([
    ["the page", "/"],
    ["the entry script", "/assets/app.js"],
  ])("dates nothing and tags nothing: %s has no Last-Modified or ETag", async (_name, path) => {
    const res = await fetch(`${server.url}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("last-modified")).toBeNull();
    expect(res.headers.get("etag")).toBeNull();
  });

  it("sends no HSTS on plain http, as for an onion service", async () => {
    expect((await fetch(`${server.url}/api/newsroom`)).headers.get("strict-transport-security")).toBeNull();
  });
});
