// Invariant 3 (docs/INVARIANTS.md): nothing about the requester is stored or logged. A source's requests
// carry a distinctive user agent, referrer and forwarded address; none of them reaches the server's
// files or its output.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes, toBase64, toHex } from "../../src/core/bytes.js";
import { sealBytes, sealEnvelope } from "../../src/core/envelope.js";
import { openNodeDatabase } from "../../src/server/node/database.js";
import { filesUnder } from "../helpers/deployment.js";
import { seedNewsroom, type TestEditor } from "../helpers/newsroom.js";
import { powFetch } from "../helpers/pow.js";
import { spawnServer, type ServerProcess } from "../helpers/process.js";

const marker = toHex(randomBytes(6));
const REQUESTER = {
  "user-agent": `Mozilla/5.0 canary-agent-${marker}`,
  referer: `https://referrer-${marker}.example/`,
  "x-forwarded-for": "203.0.113.77",
  "x-real-ip": "198.51.100.23",
  "accept-language": `ko-KP;q=0.9, canary-${marker}`,
};

let dataDir: string;
let server: ServerProcess;
let editor: TestEditor;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "sealdrop-metadata-"));
  const db = await openNodeDatabase(dataDir);
  ({ editor } = await seedNewsroom(db, { classic: true }).finally(() => db.destroy()));
  server = await spawnServer(dataDir);
});
afterAll(async () => {
  await server?.kill("SIGTERM");
  await rm(dataDir, { recursive: true, force: true });
});

describe("a source's request metadata", () => {
  it("reaches neither the stored files nor the server's output", async () => {
    const send = (path: string, init: RequestInit) => powFetch(`${server.url}${path}`, { ...init, headers: { ...REQUESTER, ...(init.headers as Record<string, string>) } });
    const json = { "content-type": "application/json" };
    const created = await send("/api/uploads", { method: "POST", headers: json, body: "{}" });
    expect(created.status).toBe(201);
    const { id: uploadId } = (await created.json()) as { id: string };
    const part = await send(`/api/uploads/${uploadId}/parts/0`, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream" },
      body: (await sealBytes(randomBytes(5000), [editor.recipient])) as Uint8Array<ArrayBuffer>,
    });
    expect(part.status).toBe(200);
    const envelope = await sealEnvelope(
      { v: 1, kind: "submission", desk: "news", message: "metadata", fields: {}, attachments: [], reply: null, client: "test", lang: "en" },
      [editor.recipient],
    );
    const submitted = await send("/api/submissions", { method: "POST", headers: json, body: JSON.stringify({ desk: "news", envelope: toBase64(envelope), attachments: [uploadId] }) });
    expect(submitted.status).toBe(201);
    // A refused request too: errors are where request details tend to be logged.
    expect((await send("/api/submissions", { method: "POST", headers: json, body: "{" })).status).toBeGreaterThanOrEqual(400);
    await server.kill("SIGTERM"); // everything flushed and checkpointed before the files are read

    const needles = [marker, "203.0.113.77", "198.51.100.23"];
    const stored = await filesUnder(dataDir);
    expect(stored.length).toBeGreaterThan(0);
    // The connection's own address too (the output names it once, in the line saying where it listens).
    for (const { where, bytes } of stored) for (const n of [...needles, "127.0.0.1"]) expect(bytes.includes(n), `${n} in ${where}`).toBe(false);
    const output = server.output().toString();
    for (const n of needles) expect(output).not.toContain(n);
  });
});
