import { ed25519 } from "@noble/curves/ed25519.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGNATURE_WINDOW_SECONDS } from "../../src/core/signing.js";
import { makeEditor } from "../helpers/newsroom.js";
import { editorFetch, signHeaders, startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.dispose());

const path = "/api/editor/submissions";
const get = (headers: Record<string, string>) => fetch(server.url + path, { headers });
async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
}

describe("signed editor requests", () => {
  it("accept a valid signature", async () => {
    expect((await get(signHeaders(server.editor, "GET", path))).status).toBe(200);
  });

  it("reject an unsigned request", async () => {
    await expectError(await get({}), 401, "unauthorized");
  });

  it("reject a signature made with another key", async () => {
    await expectError(await get(signHeaders(server.editor, "GET", path, undefined, { secret: ed25519.utils.randomSecretKey() })), 403, "forbidden");
  });

  it("reject a signature over a different path", async () => {
    await expectError(await get(signHeaders(server.editor, "GET", "/api/editor/newsroom")), 403, "forbidden");
  });

  it("reject a signature over a different body", async () => {
    const headers = signHeaders(server.editor, "POST", "/api/editor/editors", new TextEncoder().encode("{}"));
    const res = await fetch(`${server.url}/api/editor/editors`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: '{"a":1}' });
    await expectError(res, 403, "forbidden");
  });

  it("reject an unknown editor id", async () => {
    const stranger = await makeEditor();
    await expectError(await get(signHeaders(stranger, "GET", path)), 403, "forbidden");
  });

  it("reject an expired timestamp, and one from the future", async () => {
    // Twice the window either way: a request that spends a few seconds reaching a busy server stays outside it.
    const now = Math.floor(Date.now() / 1000);
    const outside = 2 * SIGNATURE_WINDOW_SECONDS;
    await expectError(await get(signHeaders(server.editor, "GET", path, undefined, { timestamp: now - outside })), 401, "signature_expired");
    await expectError(await get(signHeaders(server.editor, "GET", path, undefined, { timestamp: now + outside })), 401, "signature_expired");
  });

  it("reject a replayed request", async () => {
    const headers = signHeaders(server.editor, "GET", path);
    expect((await get(headers)).status).toBe(200);
    await expectError(await get(headers), 409, "signature_replayed");
  });

  it("reject malformed signature headers", async () => {
    const headers = { ...signHeaders(server.editor, "GET", path), "x-sealdrop-signature": "not-base64!" };
    await expectError(await get(headers), 401, "unauthorized");
  });

  it("reject a revoked editor's key", async () => {
    const second = await makeEditor({ name: "Second" });
    expect((await editorFetch(server, server.editor, "POST", "/api/editor/editors", second.publicKeys)).status).toBe(201);
    expect((await editorFetch(server, second, "GET", path)).status).toBe(200);
    expect((await editorFetch(server, server.editor, "DELETE", `/api/editor/editors/${second.id}`)).status).toBe(200);
    await expectError(await editorFetch(server, second, "GET", path), 403, "forbidden");
  });

  it("refuse to mix classic and post-quantum editors in one newsroom", async () => {
    const classic = await makeEditor({ classic: true });
    await expectError(await editorFetch(server, server.editor, "POST", "/api/editor/editors", classic.publicKeys), 409, "conflict");
  });
});
