// Unfinished uploads have quotas the operator sets (src/server/upload-quotas.ts, docs/SECURITY.md "Storage
// quotas"): how many may exist, how many bytes they hold together, how many bytes one may hold. Past any of
// them the server answers a clear 4xx with a stable code and keeps nothing of the refused request.
// Runs on the backend SEALDROP_TEST_BACKEND names (the settings reach workerd as vars).
import { statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import pg from "pg";
import { ERROR_CODES } from "../../src/core/errors.js";
import { uploadQuotasFromEnv } from "../../src/server/upload-quotas.js";
import { powFetch } from "../helpers/pow.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

const ageLike = (n: number): Uint8Array<ArrayBuffer> => {
  const magic = new TextEncoder().encode("age-encryption.org/v1\n");
  const out = new Uint8Array(n);
  out.set(magic);
  return out;
};

let server: TestServer | undefined;
afterEach(async () => {
  await server?.dispose();
  server = undefined;
});

async function createUpload(s: TestServer): Promise<Response> {
  return powFetch(`${s.url}/api/uploads`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
}

async function newUpload(s: TestServer): Promise<string> {
  const res = await createUpload(s);
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function putPart(s: TestServer, id: string, part: number, body: Uint8Array<ArrayBuffer>): Promise<Response> {
  return powFetch(`${s.url}/api/uploads/${id}/parts/${part}`, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body });
}

async function storedBytes(s: TestServer, id: string): Promise<number> {
  const res = await fetch(`${s.url}/api/uploads/${id}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { bytes: number }).bytes;
}

/** On the Node entries the upload's file (SQLite) or chunk rows (PostgreSQL) hold exactly what the server acknowledged. */
async function expectFileSize(s: TestServer, id: string, size: number): Promise<void> {
  if (s.backend === "workerd") return; // R2 objects live inside miniflare's store; the status above speaks for them
  if (s.backend === "sqlite") return void expect(statSync(join(s.dataDir, "blobs", "uploads", id)).size).toBe(size);
  const client = new pg.Client({ connectionString: s.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT coalesce(sum(octet_length(data)), 0)::int AS bytes FROM blob_chunks WHERE kind = 'uploads' AND id = $1", [id]);
    expect(rows[0].bytes).toBe(size);
  } finally {
    await client.end();
  }
}

async function expectRefusal(res: Response, status: number, code: string): Promise<string> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(ERROR_CODES).toContain(body.error.code);
  expect(body.error.message.length).toBeGreaterThan(20);
  return body.error.message;
}

describe("quotas for unfinished uploads", () => {
  it("refuses a new upload once the operator's count of unfinished uploads exists (429 upload_quota_exceeded)", async () => {
    server = await startTestServer({ env: { SEALDROP_PENDING_UPLOADS: "2" } });
    await newUpload(server);
    await newUpload(server);
    const refused = await createUpload(server);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await expectRefusal(refused, 429, "upload_quota_exceeded")).toMatch(/try again later/i);
    // Still refused: the refusal created nothing that would count later either way.
    await expectRefusal(await createUpload(server), 429, "upload_quota_exceeded");
  });

  it("refuses a part that would take all unfinished uploads past their byte quota, and keeps none of it", async () => {
    server = await startTestServer({ env: { SEALDROP_PENDING_UPLOAD_BYTES: "3000" } });
    const a = await newUpload(server);
    const b = await newUpload(server);
    expect((await putPart(server, a, 0, ageLike(1500))).status).toBe(200);
    expect((await putPart(server, b, 0, ageLike(1400))).status).toBe(200);
    await expectRefusal(await putPart(server, b, 1, ageLike(200)), 429, "upload_quota_exceeded");
    expect(await storedBytes(server, b)).toBe(1400);
    await expectFileSize(server, b, 1400);
    // What still fits is taken: 1500 + 1400 + 100 = 3000.
    expect((await putPart(server, b, 1, ageLike(100))).status).toBe(200);
    expect(await storedBytes(server, b)).toBe(1500);
    // Full: a new upload is refused too.
    await expectRefusal(await createUpload(server), 429, "upload_quota_exceeded");
  });

  it("refuses a part that would make one upload larger than the operator's per-attachment limit (413), and tells the page the limit", async () => {
    server = await startTestServer({ env: { SEALDROP_MAX_ATTACHMENT_BYTES: "2K" } });
    const newsroom = (await (await fetch(`${server.url}/api/newsroom`)).json()) as { limits: { maxAttachmentBytes: number } };
    expect(newsroom.limits.maxAttachmentBytes).toBe(2048);
    const id = await newUpload(server);
    expect((await putPart(server, id, 0, ageLike(2000))).status).toBe(200);
    await expectRefusal(await putPart(server, id, 1, ageLike(49)), 413, "payload_too_large");
    expect(await storedBytes(server, id)).toBe(2000);
    await expectFileSize(server, id, 2000);
    expect((await putPart(server, id, 1, ageLike(48))).status).toBe(200);
  });
});

describe("quota settings", () => {
  it("read sizes with binary units and refuse what cannot be used, naming the variable", () => {
    expect(uploadQuotasFromEnv({ SEALDROP_PENDING_UPLOAD_BYTES: "4G", SEALDROP_MAX_ATTACHMENT_BYTES: "512m", SEALDROP_PENDING_UPLOADS: "50", SEALDROP_UPLOAD_EXPIRY_DAYS: "1" })).toEqual({
      maxPendingBytes: 4 * 2 ** 30,
      maxUploadBytes: 512 * 2 ** 20,
      maxPendingUploads: 50,
      expiryDays: 1,
    });
    expect(uploadQuotasFromEnv({ SEALDROP_PENDING_UPLOADS: "" })).toEqual({});
    expect(() => uploadQuotasFromEnv({ SEALDROP_PENDING_UPLOAD_BYTES: "lots" })).toThrow(/SEALDROP_PENDING_UPLOAD_BYTES takes a number of bytes/);
    expect(() => uploadQuotasFromEnv({ SEALDROP_PENDING_UPLOADS: "0" })).toThrow(/SEALDROP_PENDING_UPLOADS takes a whole number/);
    expect(() => uploadQuotasFromEnv({ SEALDROP_MAX_ATTACHMENT_BYTES: "9G" })).toThrow(/at most 8G/);
  });
});
