import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBase64 } from "../../src/core/bytes.js";
import { newCodenameEntropy } from "../../src/core/codename.js";
import { credentialHash, deriveSourceKeys } from "../../src/core/derive.js";
import { openJson, replySchema, sealJson, type Reply } from "../../src/core/messages.js";
import { editorFetch, startTestServer, type TestServer } from "../helpers/server.js";
import { powFetch } from "../helpers/pow.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.dispose());

const fetchMailbox = (id: string, credential: string) =>
  powFetch(`${server.url}/api/mailbox`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id, credential }) });

async function reply(keys: { replyRecipient: string; mailboxId: string; mailboxCredential: string }, message: string) {
  const value: Reply = { v: 1, kind: "reply", message, from: "News", to: keys.replyRecipient, inReplyTo: null, day: "2026-11-28" };
  const ciphertext = await sealJson(replySchema, value, [keys.replyRecipient, server.editor.recipient]);
  return editorFetch(server, server.editor, "POST", "/api/editor/replies", {
    mailbox: keys.mailboxId,
    credentialHash: credentialHash(keys.mailboxCredential),
    ciphertext: toBase64(ciphertext),
  });
}

const withoutPadding = (text: string) => text.replace(/"padding":"[A-Za-z0-9_-]*"/, '"padding":""');

describe("the mailbox", () => {
  it("delivers an editor's reply that only the source's codename opens", async () => {
    const keys = await deriveSourceKeys(newCodenameEntropy(), "pq");
    expect((await reply(keys, "Can you send the date?")).status).toBe(201);
    const res = await fetchMailbox(keys.mailboxId, keys.mailboxCredential);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { replies: { ciphertext: string }[] };
    expect(body.replies).toHaveLength(1);
    const opened = await openJson(replySchema, Buffer.from(body.replies[0]!.ciphertext, "base64"), [keys.replyIdentity]);
    expect(opened.message).toBe("Can you send the date?");
  });

  it("answers a wrong credential exactly as an empty mailbox, apart from random padding", async () => {
    const holder = await deriveSourceKeys(newCodenameEntropy(), "pq");
    await reply(holder, "secret question");
    const wrong = await fetchMailbox(holder.mailboxId, "ab".repeat(32));
    const empty = await deriveSourceKeys(newCodenameEntropy(), "pq");
    const none = await fetchMailbox(empty.mailboxId, empty.mailboxCredential);
    expect(wrong.status).toBe(none.status);
    const [a, b] = [await wrong.text(), await none.text()];
    expect(a.length).toBe(b.length);
    expect(withoutPadding(a)).toBe(withoutPadding(b));
    expect(a).not.toBe(b);
    const headers = (r: Response) => [...r.headers.entries()].filter(([k]) => k !== "date");
    expect(headers(wrong)).toEqual(headers(none));
  });

  it("pads answers to a size bucket", async () => {
    const keys = await deriveSourceKeys(newCodenameEntropy(), "pq");
    expect((await (await fetchMailbox(keys.mailboxId, keys.mailboxCredential)).text()).length).toBe(4096);
  });

  it("refuses a reply that names an existing mailbox with another credential", async () => {
    const keys = await deriveSourceKeys(newCodenameEntropy(), "pq");
    await reply(keys, "first");
    const res = await reply({ ...keys, mailboxCredential: "cd".repeat(32) }, "hijack");
    expect(res.status).toBe(409);
  });
});
