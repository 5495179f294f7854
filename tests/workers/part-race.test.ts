// On Workers, isolates share nothing but D1 and R2 (src/server/workers/d1-upload-locks.ts): a lock held in
// one isolate does not stop another. These tests load the bundled worker into several isolates of one
// workerd, sharing one D1 database and one R2 bucket, and send the same part, or the same submission, to
// all of them at once. Exactly one may win; the D1 row and the R2 objects must say so afterwards.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes, randomId, toBase64 } from "../../src/core/bytes.js";
import { proofOfWorkHeaders } from "../../src/core/pow.js";
import { startWorkerIsolates, type WorkerIsolates } from "../helpers/backends.js";
import { freshFetch } from "../helpers/http.js";
import { setUpNewsroomOver } from "../helpers/newsroom.js";
import { powFetch } from "../helpers/pow.js";

const ISOLATES = 3;
/** Attempts at one part, spread over the isolates. */
const RIVALS = 6;
const octets = { "content-type": "application/octet-stream" };
const json = { "content-type": "application/json" };
const random = (n: number) => new Uint8Array(randomBytes(n));
const ageLike = (n: number) => new Uint8Array([...new TextEncoder().encode("age-encryption.org/v1\n"), ...randomBytes(n)]);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
};

interface Sent {
  status: number;
  code: string | undefined;
  body: Uint8Array<ArrayBuffer>;
}

describe("on workerd, several isolates sharing one D1 and one R2", () => {
  let worker: WorkerIsolates;
  const token = `setup-${randomId()}`;
  beforeAll(async () => {
    worker = await startWorkerIsolates({ SEALDROP_HTTPS: "false", SEALDROP_SETUP_TOKEN: token }, ISOLATES);
    await setUpNewsroomOver(worker.urls[0]!, token);
  });
  afterAll(() => worker?.dispose());

  const urlOf = (i: number) => worker.urls[i % worker.urls.length]!;
  const bucket = () => worker.mf.getR2Bucket("BLOBS");
  const uploadObjects = async (id: string) => (await (await bucket()).list({ prefix: `uploads/${id}/` })).objects.map((o) => o.key);
  const uploadRow = async (id: string) =>
    (await (await worker.mf.getD1Database("DB")).prepare("SELECT parts, bytes, part_names, sealed FROM uploads WHERE id = ?").bind(id).all()).results[0] as
      | { parts: number; bytes: number; part_names: string; sealed: number }
      | undefined;

  const newUpload = async (first: Uint8Array<ArrayBuffer>): Promise<string> => {
    const created = await powFetch(`${urlOf(0)}/api/uploads`, { method: "POST", headers: json, body: "{}" });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const res = await powFetch(`${urlOf(1)}/api/uploads/${id}/parts/0`, { method: "PUT", headers: octets, body: first });
    expect(res.status).toBe(200);
    return id;
  };

  /** Every request solved first, then all sent at once, the i-th to isolate i mod ISOLATES. */
  const sendAtOnce = async (requests: { path: string; method: string; headers: Record<string, string>; body: Uint8Array<ArrayBuffer> }[]): Promise<Sent[]> => {
    const solved = await Promise.all(
      requests.map(async (r, i) => ({ ...r, url: urlOf(i), pow: await proofOfWorkHeaders(urlOf(i), r.method, r.path, r.body, { fetch: freshFetch }) })),
    );
    return Promise.all(
      solved.map(async (r) => {
        const res = await freshFetch(`${r.url}${r.path}`, { method: r.method, headers: { ...r.headers, ...r.pow }, body: r.body });
        const answer = (await res.json()) as { error?: { code: string } };
        return { status: res.status, code: answer.error?.code, body: r.body };
      }),
    );
  };

  it("accepts exactly one of several different bodies sent at once for the same part, and keeps only its bytes", async () => {
    const first = ageLike(1000);
    const id = await newUpload(first);
    // Different bytes (and sizes) each; small enough that all arrive at once, so their reads of the row overlap
    // (with an in-isolate lock and read-then-update, two or more of them are accepted).
    const bodies = Array.from({ length: RIVALS }, (_, i) => random((64 << 10) + i * 4096));
    const sent = await sendAtOnce(bodies.map((body) => ({ path: `/api/uploads/${id}/parts/1`, method: "PUT", headers: octets, body })));

    const accepted = sent.filter((s) => s.status === 200);
    expect(accepted).toHaveLength(1);
    expect(sent.filter((s) => s.status !== 200).map((s) => [s.status, s.code])).toEqual(Array.from({ length: RIVALS - 1 }, () => [409, "upload_conflict"]));
    const winner = accepted[0]!.body;

    // The upload takes part 2 next and holds the first part and the winner, nothing else.
    const status = (await (await freshFetch(`${urlOf(2)}/api/uploads/${id}`)).json()) as { parts: number; bytes: number };
    expect(status).toMatchObject({ parts: 2, bytes: first.length + winner.length });
    expect(await uploadObjects(id)).toHaveLength(2);
    const row = await uploadRow(id);
    expect(row?.part_names).toHaveLength(32);

    // The same part again, after it was accepted, is refused as it always was: already stored.
    const again = await powFetch(`${urlOf(0)}/api/uploads/${id}/parts/1`, { method: "PUT", headers: octets, body: winner });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: "upload_conflict", message: expect.stringMatching(/already stored/) });
    expect(await uploadObjects(id)).toHaveLength(2);

    // Submitted, the attachment R2 holds is exactly the first part and the winner's bytes, and the upload's
    // objects are gone.
    const submitted = await powFetch(`${urlOf(1)}/api/submissions`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ desk: "news", envelope: toBase64(ageLike(200)), attachments: [id] }),
    });
    expect(submitted.status).toBe(201);
    const stored = await (await bucket()).get(`attachments/${id}`);
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(concat(first, winner));
    expect(await uploadObjects(id)).toEqual([]);
    expect(await uploadRow(id)).toBeUndefined();
  });

  it("attaches an upload to exactly one of several submissions sent at once, and takes no part after that", async () => {
    const first = ageLike(3000);
    const id = await newUpload(first);
    const bodies = Array.from({ length: ISOLATES * 2 }, () => new TextEncoder().encode(JSON.stringify({ desk: "news", envelope: toBase64(ageLike(200)), attachments: [id] })));
    const sent = await sendAtOnce(bodies.map((body) => ({ path: "/api/submissions", method: "POST", headers: json, body })));

    expect(sent.filter((s) => s.status === 201)).toHaveLength(1);
    expect(sent.filter((s) => s.status !== 201).map((s) => [s.status, s.code])).toEqual(Array.from({ length: bodies.length - 1 }, () => [400, "upload_incomplete"]));
    const stored = await (await bucket()).get(`attachments/${id}`);
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(first);
    expect(await uploadObjects(id)).toEqual([]);

    // The upload is gone: a late part finds nothing, and stores nothing.
    const late = await powFetch(`${urlOf(2)}/api/uploads/${id}/parts/1`, { method: "PUT", headers: octets, body: random(100) });
    expect(late.status).toBe(404);
    expect(await uploadObjects(id)).toEqual([]);
  });

  describe("a part streamed to R2", () => {
    /** The upload's objects and row are as they were: nothing of a refused part is kept. */
    const expectUntouched = async (id: string, first: Uint8Array) => {
      expect(await uploadObjects(id)).toHaveLength(1);
      expect(await uploadRow(id)).toMatchObject({ parts: 1, bytes: first.length });
    };

    it("is refused 411 without a Content-Length (chunked), and nothing is stored", async () => {
      const first = ageLike(500);
      const id = await newUpload(first);
      const bytes = random(4096);
      const path = `/api/uploads/${id}/parts/1`;
      const pow = await proofOfWorkHeaders(urlOf(0), "PUT", path, bytes, { fetch: freshFetch });
      const chunked = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes);
          controller.close();
        },
      });
      const res = await freshFetch(`${urlOf(0)}${path}`, { method: "PUT", headers: { ...octets, ...pow }, body: chunked, duplex: "half" } as RequestInit);
      expect(res.status).toBe(411);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("bad_request");
      await expectUntouched(id, first);
    });

    it("is refused 400 when its body ends before its Content-Length, and nothing is stored", async () => {
      const first = ageLike(500);
      const id = await newUpload(first);
      const declared = random(256 << 10);
      const path = `/api/uploads/${id}/parts/1`;
      const pow = await proofOfWorkHeaders(urlOf(1), "PUT", path, declared, { fetch: freshFetch });
      const { hostname, port } = new URL(urlOf(1));
      // Half the declared bytes, then the end of the request: the server sees the body end short.
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect({ host: hostname, port: Number(port) }, () => {
          const head = [`PUT ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, "Content-Type: application/octet-stream", `Content-Length: ${declared.length}`, ...Object.entries(pow).map(([k, v]) => `${k}: ${v}`), "", ""].join("\r\n");
          socket.write(head);
          socket.end(declared.subarray(0, declared.length / 2));
        });
        let text = "";
        socket.on("data", (d: Buffer) => (text += d.toString("latin1")));
        socket.on("close", () => resolve(text));
        socket.on("error", reject);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer).toContain('"code":"bad_request"');
      await expectUntouched(id, first);
      // And the part sent whole afterwards is taken.
      const whole = await powFetch(`${urlOf(2)}${path}`, { method: "PUT", headers: octets, body: declared });
      expect(whole.status).toBe(200);
      expect(await uploadObjects(id)).toHaveLength(2);
    });

    it("is refused 428 when its bytes are not the ones its proof of work was solved for, and nothing is stored", async () => {
      const first = ageLike(500);
      const id = await newUpload(first);
      const solvedFor = random(64 << 10);
      const sent = random(64 << 10);
      const path = `/api/uploads/${id}/parts/1`;
      const pow = await proofOfWorkHeaders(urlOf(2), "PUT", path, solvedFor, { fetch: freshFetch });
      const res = await freshFetch(`${urlOf(2)}${path}`, { method: "PUT", headers: { ...octets, ...pow }, body: sent });
      expect(res.status).toBe(428);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("proof_of_work_required");
      await expectUntouched(id, first);
    });

    it("is refused 400 invalid_ciphertext when the first part is not an age file, and nothing is stored", async () => {
      const created = await powFetch(`${urlOf(0)}/api/uploads`, { method: "POST", headers: json, body: "{}" });
      const { id } = (await created.json()) as { id: string };
      const res = await powFetch(`${urlOf(0)}/api/uploads/${id}/parts/0`, { method: "PUT", headers: octets, body: random(4096) });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_ciphertext");
      expect(await uploadObjects(id)).toEqual([]);
      expect(await uploadRow(id)).toMatchObject({ parts: 0, bytes: 0 });
    });
  });
});
