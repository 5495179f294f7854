// The page's streaming upload (client/upload) against a real server, in Node: parts pipelined from the
// encryptor, a lost acknowledgement and a dropped part both resumed from the server's status, and the
// stored attachment decrypting to exactly the file with the manifest's hash.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uploadEncrypted, type UploadApi } from "../../client/upload/stream-upload.js";
import { openBytes } from "../../src/core/envelope.js";
import { piecesDigestOf } from "../../src/core/pieces.js";
import { uploadStatus, type UploadStatus } from "../../src/core/wire.js";
import { powFetch } from "../helpers/pow.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ classic: true });
});
afterAll(() => server?.dispose());

const networkError = () => Object.assign(new Error("connection reset"), { name: "NetworkError" });

function api(url: string, faults: Map<number, "before" | "after">): UploadApi & { calls: string[] } {
  const calls: string[] = [];
  const json = async (res: Response): Promise<UploadStatus> => {
    if (!res.ok) throw Object.assign(new Error(await res.text()), { name: "ApiError", code: `http_${res.status}` });
    return uploadStatus.parse(await res.json());
  };
  return {
    calls,
    createUpload: async () => json(await powFetch(`${url}/api/uploads`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })),
    getUpload: async (id) => (calls.push("status"), json(await fetch(`${url}/api/uploads/${id}`))),
    putPart: async (id, index, bytes, onProgress) => {
      calls.push(`part ${index} (${bytes.length})`);
      const fault = faults.get(index);
      faults.delete(index);
      if (fault === "before") throw networkError();
      const status = await json(
        await powFetch(`${url}/api/uploads/${id}/parts/${index}`, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: bytes.slice() }),
      );
      onProgress(bytes.length);
      if (fault === "after") throw networkError(); // Stored, but the acknowledgement never arrived.
      return status;
    },
  };
}

describe("uploadEncrypted", () => {
  it("resumes after a lost acknowledgement and a dropped part, and the stored file opens to the exact bytes", async () => {
    const file = randomBytes(9 * 1024 * 1024 + 12_345);
    const faults = new Map<number, "before" | "after">([
      [2, "after"],
      [5, "before"],
    ]);
    const client = api(server.url, faults);
    const progress: number[] = [];
    const result = await uploadEncrypted(new Blob([new Uint8Array(file)]), {
      recipients: [server.editor.recipient],
      api: client,
      partSize: 1 << 20,
      retryDelay: 1,
      onProgress: (p) => progress.push(p.sent / p.total),
    });
    expect(result.sha256Pieces).toBe(piecesDigestOf(file));
    expect(result.size).toBe(file.length);
    expect(client.calls.filter((c) => c === "status")).toHaveLength(2);
    // Part 2 was stored before its acknowledgement was lost: it is not sent again.
    expect(client.calls.filter((c) => c.startsWith("part 2 "))).toHaveLength(1);
    expect(client.calls.filter((c) => c.startsWith("part 5 "))).toHaveLength(2);
    expect(progress.at(-1)).toBe(1);

    const receipt = await submitTipWithUpload(result);
    const stored = await readFile(join(server.dataDir, "blobs", "attachments", result.uploadId));
    expect(stored.length).toBe(result.ciphertextSize);
    const plaintext = await openBytes(stored, [server.editor.identity]);
    expect(Buffer.from(plaintext).equals(file)).toBe(true);
    expect(receipt.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it("gives up on an error that is not a dropped connection", async () => {
    const client = api(server.url, new Map());
    client.putPart = async () => {
      throw Object.assign(new Error("too large"), { name: "ApiError", code: "payload_too_large" });
    };
    await expect(uploadEncrypted(new Blob([new Uint8Array(randomBytes(3 << 20))]), { recipients: [server.editor.recipient], api: client, partSize: 1 << 20, queuedParts: 2 })).rejects.toThrow(
      "too large",
    );
  });
});

describe("uploadEncrypted's retries", () => {
  it("sends a part again after the server timed out its body (408 request_timeout) or its gate was full (503)", async () => {
    const file = randomBytes((2 << 20) + 99);
    const stored: Uint8Array[] = [];
    const refusals = ["request_timeout", "unavailable"];
    const status = (): UploadStatus => ({ id: "0".repeat(32), parts: stored.length, bytes: stored.reduce((n, p) => n + p.length, 0), partSize: 1 << 20 });
    const refusing: UploadApi = {
      createUpload: async () => status(),
      getUpload: async () => status(),
      putPart: async (_id, _index, bytes) => {
        const code = refusals.shift();
        if (code) throw Object.assign(new Error(code), { name: "ApiError", code });
        stored.push(bytes.slice());
        return status();
      },
    };
    const result = await uploadEncrypted(new Blob([new Uint8Array(file)]), { recipients: [server.editor.recipient], api: refusing, partSize: 1 << 20, retryDelay: 1 });
    expect(refusals).toEqual([]);
    expect(Buffer.from(await openBytes(Buffer.concat(stored), [server.editor.identity])).equals(file)).toBe(true);
    expect(result.size).toBe(file.length);
  });
});

describe("uploadEncrypted's memory", () => {
  it("reuses a few part buffers, splits a failing part, and still produces the exact file", async () => {
    const file = randomBytes(64 * 1024 * 1024 + 1); // padded by 2 MiB: the tail comes in several pieces
    const stored: Uint8Array[] = [];
    const buffers = new Set<ArrayBufferLike>();
    let drops = 0;
    const status = (): UploadStatus => ({ id: "0".repeat(32), parts: stored.length, bytes: stored.reduce((n, p) => n + p.length, 0), partSize: 1 << 20 });
    const memoryApi: UploadApi = {
      createUpload: async () => status(),
      getUpload: async () => status(),
      putPart: async (_id, index, bytes) => {
        buffers.add(bytes.buffer);
        if (index === 2 && drops++ < 2) throw networkError(); // Twice: the part is halved.
        stored.push(bytes.slice());
        return status();
      },
    };
    const result = await uploadEncrypted(new Blob([new Uint8Array(file)]), { recipients: [server.editor.recipient], api: memoryApi, partSize: 1 << 20, queuedParts: 2, retryDelay: 1 });
    expect(stored.map((p) => p.length).slice(2, 4)).toEqual([512 << 10, 512 << 10]);
    // Two queued parts plus the one being filled: buffers are reused rather than one per part.
    expect(buffers.size).toBeLessThanOrEqual(3);
    const ciphertext = Buffer.concat(stored);
    expect(ciphertext.length).toBe(result.ciphertextSize);
    const plaintext = await openBytes(ciphertext, [server.editor.identity]);
    expect(Buffer.from(plaintext).equals(file)).toBe(true);
  });
});

/** Submits an envelope naming the streamed upload (what client/submit.ts does after uploading). */
async function submitTipWithUpload(upload: { uploadId: string; size: number; sha256Pieces: string }) {
  const { sealEnvelope } = await import("../../src/core/envelope.js");
  const { toBase64 } = await import("../../src/core/bytes.js");
  const envelope = await sealEnvelope(
    {
      v: 1,
      kind: "submission",
      desk: "news",
      message: "streamed",
      fields: {},
      attachments: [{ name: "video.mp4", type: "video/mp4", size: upload.size, sha256_pieces: upload.sha256Pieces }],
      reply: null,
      client: "sealdrop-test/0",
      lang: "en",
    },
    [server.editor.recipient],
  );
  const res = await powFetch(`${server.url}/api/submissions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ desk: "news", envelope: toBase64(envelope), attachments: [upload.uploadId] }),
  });
  if (res.status !== 201) throw new Error(`submit: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string };
}
