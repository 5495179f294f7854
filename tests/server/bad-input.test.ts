// Bad input of any kind gets a clear 4xx JSON error with a stable code: never a 5xx, never stored.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBase64 } from "../../src/core/bytes.js";
import { ERROR_CODES } from "../../src/core/errors.js";
import { LIMITS } from "../../src/core/wire.js";
import { signHeaders, startTestServer, type TestServer } from "../helpers/server.js";
import { powFetch } from "../helpers/pow.js";

let server: TestServer;
let uploadId: string;
beforeAll(async () => {
  server = await startTestServer();
  const res = await powFetch(`${server.url}/api/uploads`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  uploadId = ((await res.json()) as { id: string }).id;
});
afterAll(() => server.dispose());

const json = { "content-type": "application/json" };
const octets = { "content-type": "application/octet-stream" };
// Built without spreading: spreading 8 MiB into an array takes seconds on a loaded machine, long enough for
// the server to close the idle keep-alive connection the next fetch then reuses (ECONNRESET).
const ageLike = (n: number) => {
  const head = new TextEncoder().encode("age-encryption.org/v1\n");
  const out = new Uint8Array(head.length + n);
  out.set(head);
  return out;
};
const validEnvelope = () => toBase64(ageLike(64));

interface Case {
  name: string;
  method: string;
  path: () => string;
  headers?: Record<string, string>;
  body?: () => BodyInit;
  status: number;
  code: string;
}

const cases: Case[] = [
  { name: "submission: not JSON", method: "POST", path: () => "/api/submissions", headers: json, body: () => "{nope", status: 400, code: "bad_request" },
  { name: "submission: invalid UTF-8", method: "POST", path: () => "/api/submissions", headers: json, body: () => new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), status: 400, code: "bad_request" },
  { name: "submission: wrong content type", method: "POST", path: () => "/api/submissions", headers: { "content-type": "text/plain" }, body: () => "{}", status: 415, code: "unsupported_media_type" },
  { name: "submission: no content type", method: "POST", path: () => "/api/submissions", body: () => "{}", status: 415, code: "unsupported_media_type" },
  { name: "submission: empty object", method: "POST", path: () => "/api/submissions", headers: json, body: () => "{}", status: 400, code: "invalid_body" },
  { name: "submission: JSON array", method: "POST", path: () => "/api/submissions", headers: json, body: () => "[]", status: 400, code: "invalid_body" },
  { name: "submission: JSON null", method: "POST", path: () => "/api/submissions", headers: json, body: () => "null", status: 400, code: "invalid_body" },
  { name: "submission: desk is a number", method: "POST", path: () => "/api/submissions", headers: json, body: () => JSON.stringify({ desk: 7, envelope: validEnvelope(), attachments: [] }), status: 400, code: "invalid_body" },
  { name: "submission: unknown field", method: "POST", path: () => "/api/submissions", headers: json, body: () => JSON.stringify({ desk: "news", envelope: validEnvelope(), attachments: [], ip: "1.2.3.4" }), status: 400, code: "invalid_body" },
  { name: "submission: unknown desk", method: "POST", path: () => "/api/submissions", headers: json, body: () => JSON.stringify({ desk: "sports", envelope: validEnvelope(), attachments: [] }), status: 400, code: "unknown_desk" },
  { name: "submission: envelope not base64", method: "POST", path: () => "/api/submissions", headers: json, body: () => JSON.stringify({ desk: "news", envelope: "%%%", attachments: [] }), status: 400, code: "invalid_body" },
  { name: "submission: envelope not an age file", method: "POST", path: () => "/api/submissions", headers: json, body: () => JSON.stringify({ desk: "news", envelope: toBase64(new Uint8Array(200)), attachments: [] }), status: 400, code: "invalid_ciphertext" },
  { name: "submission: envelope too large", method: "POST", path: () => "/api/submissions", headers: json, body: () => JSON.stringify({ desk: "news", envelope: toBase64(ageLike(LIMITS.maxEnvelopeBytes)), attachments: [] }), status: 413, code: "payload_too_large" },
  { name: "submission: body over the limit", method: "POST", path: () => "/api/submissions", headers: json, body: () => new Uint8Array(LIMITS.maxJsonBodyBytes + 1), status: 413, code: "payload_too_large" },
  { name: "submission: unknown upload", method: "POST", path: () => "/api/submissions", headers: json, body: () => JSON.stringify({ desk: "news", envelope: validEnvelope(), attachments: ["0".repeat(32)] }), status: 400, code: "upload_incomplete" },
  { name: "submission: empty upload", method: "POST", path: () => "/api/submissions", headers: json, body: () => JSON.stringify({ desk: "news", envelope: validEnvelope(), attachments: [uploadId] }), status: 400, code: "upload_incomplete" },
  { name: "submission: same upload twice", method: "POST", path: () => "/api/submissions", headers: json, body: () => JSON.stringify({ desk: "news", envelope: validEnvelope(), attachments: [uploadId, uploadId] }), status: 400, code: "invalid_body" },
  { name: "submission: malformed upload id", method: "POST", path: () => "/api/submissions", headers: json, body: () => JSON.stringify({ desk: "news", envelope: validEnvelope(), attachments: ["../../etc/passwd"] }), status: 400, code: "invalid_body" },
  { name: "upload: body not {}", method: "POST", path: () => "/api/uploads", headers: json, body: () => JSON.stringify({ size: 5 }), status: 400, code: "invalid_body" },
  { name: "upload status: unknown id", method: "GET", path: () => `/api/uploads/${"a".repeat(32)}`, status: 404, code: "not_found" },
  { name: "upload status: malformed id", method: "GET", path: () => "/api/uploads/..%2F..%2Fetc", status: 404, code: "not_found" },
  { name: "part: wrong content type", method: "PUT", path: () => `/api/uploads/${uploadId}/parts/0`, headers: json, body: () => "{}", status: 415, code: "unsupported_media_type" },
  { name: "part: empty", method: "PUT", path: () => `/api/uploads/${uploadId}/parts/0`, headers: octets, body: () => new Uint8Array(0), status: 400, code: "bad_request" },
  { name: "part: not an age file", method: "PUT", path: () => `/api/uploads/${uploadId}/parts/0`, headers: octets, body: () => new Uint8Array(100), status: 400, code: "invalid_ciphertext" },
  { name: "part: out of order", method: "PUT", path: () => `/api/uploads/${uploadId}/parts/3`, headers: octets, body: () => ageLike(100), status: 409, code: "upload_conflict" },
  { name: "part: negative number", method: "PUT", path: () => `/api/uploads/${uploadId}/parts/-1`, headers: octets, body: () => ageLike(100), status: 400, code: "bad_request" },
  { name: "part: too large", method: "PUT", path: () => `/api/uploads/${uploadId}/parts/0`, headers: octets, body: () => ageLike(LIMITS.maxPartBytes), status: 413, code: "payload_too_large" },
  { name: "part: unknown upload", method: "PUT", path: () => `/api/uploads/${"b".repeat(32)}/parts/0`, headers: octets, body: () => ageLike(100), status: 404, code: "not_found" },
  { name: "setup: closed without a token", method: "POST", path: () => "/api/setup", headers: json, body: () => JSON.stringify({ token: "x".repeat(20), newsroom: { name: "n", desks: [{ id: "a", name: "A" }], editor: { id: "c".repeat(32), name: "e", ageRecipient: "age1qqqq", signPublicKey: "A".repeat(43), desks: ["a"] } } }), status: 403, code: "forbidden" },
  { name: "setup: malformed", method: "POST", path: () => "/api/setup", headers: json, body: () => "{}", status: 400, code: "invalid_body" },
  { name: "unknown API route", method: "GET", path: () => "/api/whatever", status: 404, code: "not_found" },
  { name: "wrong method on an API route", method: "DELETE", path: () => "/api/newsroom", status: 404, code: "not_found" },
];

describe("bad input", () => {
  it.each(cases)("$name → $status $code", async (c) => {
    // Writes carry a solved proof of work, so the case reaches the validation it is about.
    const send = c.method === "GET" ? fetch : powFetch;
    const res = await send(server.url + c.path(), { method: c.method, headers: c.headers, body: c.body?.() });
    expect(res.status).toBe(c.status);
    expect(res.headers.get("content-type")).toContain("application/json");
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(c.code);
    expect(ERROR_CODES).toContain(body.error.code);
    expect(body.error.message.length).toBeGreaterThan(10);
  });

  it("editor endpoints validate their bodies after the signature", async () => {
    const body = new TextEncoder().encode(JSON.stringify({ id: "x" }));
    const res = await fetch(`${server.url}/api/editor/editors`, {
      method: "POST",
      headers: { ...signHeaders(server.editor, "POST", "/api/editor/editors", body), ...json },
      body,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_body");
  });

  it("a signed request for a missing submission is a 404", async () => {
    const path = `/api/editor/submissions/${"d".repeat(32)}/envelope`;
    const res = await fetch(server.url + path, { headers: signHeaders(server.editor, "GET", path) });
    expect(res.status).toBe(404);
  });

  it("leaves nothing stored after rejected submissions", async () => {
    const path = "/api/editor/submissions";
    const res = await fetch(server.url + path, { headers: signHeaders(server.editor, "GET", path) });
    expect(((await res.json()) as { submissions: unknown[] }).submissions).toEqual([]);
  });
});
