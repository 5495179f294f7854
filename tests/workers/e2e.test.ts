// The same submission → pull → decrypt journey on every deployment: Node + SQLite, Node + PostgreSQL and
// workerd (D1 + R2). The source side encrypts and uploads as the page does; the editor side pulls with
// signed requests and decrypts; then every stored byte of the deployment is scanned for plaintext.
import { sha256 } from "@noble/hashes/sha2.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBase64, toHex, utf8 } from "../../src/core/bytes.js";
import { openBytes, openEnvelope, sealBytes, sealEnvelope } from "../../src/core/envelope.js";
import type { Receipt } from "../../src/core/wire.js";
import { selectedBackends } from "../helpers/deployment.js";
import { powFetch } from "../helpers/pow.js";
import { editorFetch, startTestServer, type TestServer } from "../helpers/server.js";
import { type FileToSend, fetchNewsroom, submitTip, uploadCiphertext } from "../helpers/source.js";

interface Listed {
  id: string;
  envelopeSize: number;
  attachments: { id: string; position: number; size: number }[];
}

/** Text that must never appear in any store: the canaries are in the message, a file name and file bodies. */
function plaintextFile(canary: string, size: number): Uint8Array {
  const line = utf8(`${canary} 평양 borderline 丹东 notes\n`);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += line.length) out.set(line.subarray(0, Math.min(line.length, size - i)), i);
  return out;
}

/** As submitTip, with a chosen upload part size. */
async function submitWithParts(url: string, message: string, files: FileToSend[], partSize: number): Promise<Receipt> {
  const recipients = (await fetchNewsroom(url)).desks.find((d) => d.id === "news")!.recipients;
  const uploads: string[] = [];
  for (const f of files) uploads.push(await uploadCiphertext(url, await sealBytes(f.bytes, recipients), partSize));
  const envelope = await sealEnvelope(
    {
      v: 1,
      kind: "submission",
      desk: "news",
      message,
      fields: {},
      attachments: files.map((f) => ({ name: f.name, type: f.type, size: f.bytes.length, sha256: toHex(sha256(f.bytes)) })),
      reply: null,
      client: "sealdrop-test/0",
      lang: "en",
    },
    recipients,
  );
  const res = await powFetch(`${url}/api/submissions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ desk: "news", envelope: toBase64(envelope), attachments: uploads }),
  });
  if (res.status !== 201) throw new Error(`submit: ${res.status} ${await res.text()}`);
  return (await res.json()) as Receipt;
}

describe.each(selectedBackends())("on %s", (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend });
  });
  afterAll(() => server?.dispose());

  it("a tip with a small and a large attachment is stored as ciphertext and pulled and decrypted whole", async () => {
    const small = plaintextFile("canary-small-b71c", 20_000);
    // Over R2's assembly chunk (8 MiB) and sent in 3 MiB parts, which R2 multipart alone would refuse.
    const large = plaintextFile("canary-large-0d2e", 11 << 20);
    const receipt = await submitWithParts(
      server.url,
      "canary-msg-5e91 the cranes at the Sinuiju harbour",
      [
        { name: "canary-name-a4f0.txt", type: "text/plain", bytes: small },
        { name: "scan.txt", type: "text/plain", bytes: large },
      ],
      3 << 20,
    );

    const list = await editorFetch(server, server.editor, "GET", "/api/editor/submissions");
    expect(list.status).toBe(200);
    const { submissions } = (await list.json()) as { submissions: Listed[] };
    const listed = submissions.find((s) => s.id === receipt.id)!;
    expect(listed.attachments.map((a) => a.position)).toEqual([0, 1]);

    const envelopeRes = await editorFetch(server, server.editor, "GET", `/api/editor/submissions/${receipt.id}/envelope`);
    const envelopeBytes = new Uint8Array(await envelopeRes.arrayBuffer());
    expect(envelopeBytes.length).toBe(listed.envelopeSize);
    const envelope = await openEnvelope(envelopeBytes, [server.editor.identity]);
    expect(envelope.message).toBe("canary-msg-5e91 the cranes at the Sinuiju harbour");
    expect(envelope.attachments.map((a) => a.name)).toEqual(["canary-name-a4f0.txt", "scan.txt"]);

    for (const [i, attachment] of listed.attachments.entries()) {
      const res = await editorFetch(server, server.editor, "GET", `/api/editor/attachments/${attachment.id}`);
      expect(res.status).toBe(200);
      const ciphertext = new Uint8Array(await res.arrayBuffer());
      expect(ciphertext.length).toBe(attachment.size);
      const plaintext = await openBytes(ciphertext, [server.editor.identity]);
      expect(toHex(sha256(plaintext))).toBe(envelope.attachments[i]!.sha256);
    }

    const stored = await server.storedBytes();
    expect(stored.length).toBeGreaterThan(0);
    const canaries = ["canary-msg-5e91", "canary-name-a4f0", "canary-small-b71c", "canary-large-0d2e", "Sinuiju"];
    const leaks = stored.flatMap(({ where, bytes }) => canaries.filter((c) => bytes.includes(Buffer.from(c))).map((c) => `${c} in ${where}`));
    expect(leaks).toEqual([]);
  });

  it("a deleted tip's blobs are gone and its envelope cannot be fetched", async () => {
    const receipt = await submitTip(server.url, "to be deleted", [{ name: "x.bin", type: "application/octet-stream", bytes: utf8("x") }]);
    const before = (await (await editorFetch(server, server.editor, "GET", "/api/editor/submissions")).json()) as { submissions: Listed[] };
    const attachmentId = before.submissions.find((s) => s.id === receipt.id)!.attachments[0]!.id;
    expect((await editorFetch(server, server.editor, "DELETE", `/api/editor/submissions/${receipt.id}`)).status).toBe(200);
    expect((await editorFetch(server, server.editor, "GET", `/api/editor/submissions/${receipt.id}/envelope`)).status).toBe(404);
    expect((await editorFetch(server, server.editor, "GET", `/api/editor/attachments/${attachmentId}`)).status).toBe(404);
  });
});
