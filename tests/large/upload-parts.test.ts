// The server's side of part uploads under abuse: a part cut off mid-body, parts out of order, a part sent
// twice. Each is refused with a clear 4xx error and leaves the stored upload exactly as it was, so the
// upload resumes and completes with the right bytes.
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proofOfWorkHeaders } from "../../src/core/pow.js";
import { LIMITS } from "../../src/core/wire.js";
import { powFetch } from "../helpers/pow.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ classic: true });
});
afterAll(() => server?.dispose());

const AGE_HEAD = Buffer.from("age-encryption.org/v1\n-> X25519 fake\n");
const part0 = Buffer.concat([AGE_HEAD, randomBytes(300_000)]);
const part1 = randomBytes(250_000);
const part2 = randomBytes(1234);

async function create(): Promise<string> {
  const res = await powFetch(`${server.url}/api/uploads`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const put = (id: string, part: number, body: Uint8Array) =>
  powFetch(`${server.url}/api/uploads/${id}/parts/${part}`, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: Uint8Array.from(body) });

const status = async (id: string) => (await (await fetch(`${server.url}/api/uploads/${id}`)).json()) as { parts: number; bytes: number };
const stored = (id: string) => join(server.dataDir, "blobs", "uploads", id);

/**
 * Sends a PUT whose body stops after `sent` of the `declared` bytes, then closes the connection and waits
 * until it is closed. The bytes were handed to TCP before the close, so the server sees a body that ends early.
 */
async function cutOff(id: string, part: number, body: Uint8Array, sent: number): Promise<void> {
  const url = new URL(server.url);
  const path = `/api/uploads/${id}/parts/${part}`;
  const pow = await proofOfWorkHeaders(server.url, "PUT", path, body);
  const head =
    `PUT ${path} HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/octet-stream\r\ncontent-length: ${body.length}\r\n` +
    Object.entries(pow)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join("") +
    "\r\n";
  await new Promise<void>((resolve) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(head);
      socket.write(body.subarray(0, sent), () => socket.destroy());
    });
    socket.on("close", () => resolve());
    socket.on("error", () => resolve());
  });
}

describe("part uploads", () => {
  it("refuse parts out of order, and keep what was stored", async () => {
    const id = await create();
    const res = await put(id, 1, part1);
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: "upload_conflict", message: expect.stringMatching(/part 0 must come first/) });
    expect(await status(id)).toMatchObject({ parts: 0, bytes: 0 });
    expect((await put(id, 0, part0)).status).toBe(200);
    expect((await put(id, 2, part2)).status).toBe(409);
    expect(await status(id)).toMatchObject({ parts: 1, bytes: part0.length });
    expect((await stat(stored(id))).size).toBe(part0.length);
  });

  it("refuse a part sent twice, and keep the first copy", async () => {
    const id = await create();
    expect((await put(id, 0, part0)).status).toBe(200);
    const again = await put(id, 0, randomBytes(part0.length));
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { message: string } }).error.message).toMatch(/part 0 is already stored/);
    expect(Buffer.compare(await readFile(stored(id)), part0)).toBe(0);
  });

  it("drop a part cut off mid-body without storing any of it, then resume and complete exactly", async () => {
    const id = await create();
    expect((await put(id, 0, part0)).status).toBe(200);
    await cutOff(id, 1, part1, 100_000);
    // Nothing to wait for: a part is stored only once its whole body has arrived. A server that kept the
    // partial bytes whenever it noticed the cut would fail here or, later, the resume's 200 and the exact bytes.
    expect(await status(id)).toMatchObject({ parts: 1, bytes: part0.length });
    expect(Buffer.compare(await readFile(stored(id)), part0)).toBe(0);
    // Resumes with the same part number, as the page does after GET /api/uploads/:id.
    expect((await put(id, 1, part1)).status).toBe(200);
    expect((await put(id, 2, part2)).status).toBe(200);
    expect(await status(id)).toMatchObject({ parts: 3, bytes: part0.length + part1.length + part2.length });
    expect(Buffer.compare(await readFile(stored(id)), Buffer.concat([part0, part1, part2]))).toBe(0);
  });

  it("store full-size parts of uploads sent at the same time exactly, though their bodies' buffers are reused (body.ts reusableBody)", async () => {
    // Full 8 MiB parts are read into buffers handed on to a later request once a part is answered: a
    // buffer handed on before its part was on disk would put one upload's bytes into the other's file.
    const full = (first: boolean) => (first ? Buffer.concat([AGE_HEAD, randomBytes(LIMITS.maxPartBytes - AGE_HEAD.length)]) : randomBytes(LIMITS.maxPartBytes));
    const ids = [await create(), await create(), await create()];
    const sent = ids.map(() => [] as Buffer[]);
    for (let part = 0; part < 3; part++) {
      const bodies = ids.map(() => full(part === 0));
      const answers = await Promise.all(ids.map((id, i) => put(id, part, bodies[i]!)));
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
      bodies.forEach((b, i) => sent[i]!.push(b));
    }
    // A short last part may land in a reused buffer too (a view of its first bytes), and one cut off
    // mid-body hands its buffer back with a stranger's bytes in it, which must not reach any file.
    await cutOff(ids[0]!, 3, full(false), 5_000_000);
    const tails = ids.map(() => randomBytes(1_000_000));
    expect((await Promise.all(ids.map((id, i) => put(id, 3, tails[i]!)))).map((r) => r.status)).toEqual([200, 200, 200]);
    for (const [i, id] of ids.entries()) {
      expect(await status(id)).toMatchObject({ parts: 4, bytes: 3 * LIMITS.maxPartBytes + 1_000_000 });
      expect(Buffer.compare(await readFile(stored(id)), Buffer.concat([...sent[i]!, tails[i]!]))).toBe(0);
    }
  });

  it("refuse an empty part and a part over the limit with 4xx codes", async () => {
    const id = await create();
    const empty = await put(id, 0, new Uint8Array(0));
    expect(empty.status).toBe(400);
    const tooBig = await fetch(`${server.url}/api/uploads/${id}/parts/0`, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream", "content-length": String((8 << 20) + 1) },
      body: new Uint8Array((8 << 20) + 1),
    });
    expect(tooBig.status).toBeGreaterThanOrEqual(400);
    expect(tooBig.status).toBeLessThan(500);
    expect(await status(id)).toMatchObject({ parts: 0, bytes: 0 });
  });
});
