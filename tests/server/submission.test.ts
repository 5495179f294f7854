import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBytes, openEnvelope } from "../../src/core/envelope.js";
import { editorFetch, startTestServer, type TestServer } from "../helpers/server.js";
import { submitTip } from "../helpers/source.js";
import { powFetch } from "../helpers/pow.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.dispose());

describe("a submission", () => {
  it("is stored as ciphertext the editor can open, with its attachment", async () => {
    const file = crypto.getRandomValues(new Uint8Array(10_000));
    const receipt = await submitTip(server.url, "canary-7f3a the harbour cranes", [{ name: "photo.bin", type: "application/octet-stream", bytes: file }]);
    expect(receipt.id).toMatch(/^[0-9a-f]{32}$/);
    expect(receipt.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    const list = await editorFetch(server, server.editor, "GET", "/api/editor/submissions");
    expect(list.status).toBe(200);
    const { submissions } = (await list.json()) as { submissions: { id: string; attachments: { id: string }[] }[] };
    const summary = submissions.find((s) => s.id === receipt.id)!;
    expect(summary.attachments).toHaveLength(1);

    const envRes = await editorFetch(server, server.editor, "GET", `/api/editor/submissions/${receipt.id}/envelope`);
    const envelope = await openEnvelope(new Uint8Array(await envRes.arrayBuffer()), [server.editor.identity]);
    expect(envelope.message).toBe("canary-7f3a the harbour cranes");
    expect(envelope.attachments[0]!.name).toBe("photo.bin");

    const attRes = await editorFetch(server, server.editor, "GET", `/api/editor/attachments/${summary.attachments[0]!.id}`);
    expect(await openBytes(new Uint8Array(await attRes.arrayBuffer()), [server.editor.identity])).toEqual(file);

    for (const { where, bytes } of await server.storedBytes()) {
      expect(bytes.includes(Buffer.from("canary-7f3a")), where).toBe(false);
    }
  });

  it("consumes its uploads: the same upload cannot be attached twice", async () => {
    const res = await powFetch(`${server.url}/api/uploads`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    const { id } = (await res.json()) as { id: string };
    const bad = await powFetch(`${server.url}/api/submissions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ desk: "news", envelope: "", attachments: [id] }),
    });
    expect(bad.status).toBe(400);
  });

  it("can be deleted by an editor, blobs and all", async () => {
    const receipt = await submitTip(server.url, "to be deleted");
    const before = await editorFetch(server, server.editor, "GET", `/api/editor/submissions/${receipt.id}/envelope`);
    const ciphertext = Buffer.from(await before.arrayBuffer());
    const marker = ciphertext.subarray(ciphertext.length - 64);
    const del = await editorFetch(server, server.editor, "DELETE", `/api/editor/submissions/${receipt.id}`);
    expect(del.status).toBe(200);
    const again = await editorFetch(server, server.editor, "GET", `/api/editor/submissions/${receipt.id}/envelope`);
    expect(again.status).toBe(404);
    const stored = await server.storedBytes();
    expect(stored.length).toBeGreaterThan(0);
    for (const { where, bytes } of stored) expect(bytes.includes(marker), where).toBe(false);
  });
});
