// Every editor endpoint refuses every bad signature, and changes nothing when it does; anonymous
// endpoints answer the same for things that exist and things that do not, so a prober learns nothing.
import { ed25519 } from "@noble/curves/ed25519.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBase64 } from "../../src/core/bytes.js";
import { newCodenameEntropy } from "../../src/core/codename.js";
import { credentialHash, deriveSourceKeys } from "../../src/core/derive.js";
import { RequestNonces } from "../../src/server/request-nonces.js";
import { powFetch } from "../helpers/pow.js";
import { makeEditor, type TestEditor } from "../helpers/newsroom.js";
import { editorFetch, signHeaders } from "../helpers/server.js";
import { submitTip } from "../helpers/source.js";
import { errorCode, json, startHarness, type Harness } from "./harness.js";

let h: Harness;
let revoked: TestEditor;
let submissionId: string;
let attachmentId: string;
const age = toBase64(new Uint8Array([...new TextEncoder().encode("age-encryption.org/v1\n"), ...new Uint8Array(64)]));

beforeAll(async () => {
  h = await startHarness({ rateLimits: false });
  const receipt = await submitTip(h.url, "auth matrix", [{ name: "a", type: "text/plain", bytes: new Uint8Array(10) }]);
  submissionId = receipt.id;
  const list = (await (await editorFetch(h, h.editor, "GET", "/api/editor/submissions")).json()) as { submissions: { attachments: { id: string }[] }[] };
  attachmentId = list.submissions[0]!.attachments[0]!.id;
  revoked = await makeEditor({ name: "Revoked" });
  expect((await editorFetch(h, h.editor, "POST", "/api/editor/editors", revoked.publicKeys)).status).toBe(201);
  expect((await editorFetch(h, h.editor, "DELETE", `/api/editor/editors/${revoked.id}`)).status).toBe(200);
});
afterAll(() => h.dispose());

interface Endpoint {
  method: string;
  path: () => string;
  body?: () => unknown;
}
const ENDPOINTS: Endpoint[] = [
  { method: "GET", path: () => "/api/editor/submissions" },
  { method: "GET", path: () => `/api/editor/submissions/${submissionId}/envelope` },
  { method: "DELETE", path: () => `/api/editor/submissions/${submissionId}` },
  { method: "GET", path: () => `/api/editor/attachments/${attachmentId}` },
  { method: "GET", path: () => "/api/editor/newsroom" },
  { method: "POST", path: () => "/api/editor/editors", body: () => ({ ...revoked.publicKeys, id: "e".repeat(32) }) },
  { method: "DELETE", path: () => `/api/editor/editors/${h.editor.id}` },
  { method: "POST", path: () => "/api/editor/replies", body: () => ({ mailbox: "a".repeat(32), credentialHash: "b".repeat(64), ciphertext: age }) },
  { method: "GET", path: () => "/api/editor/replies" },
  { method: "GET", path: () => `/api/editor/replies/${"c".repeat(32)}` },
  { method: "POST", path: () => "/api/editor/notes", body: () => ({ ciphertext: age }) },
  { method: "GET", path: () => "/api/editor/notes" },
  { method: "GET", path: () => `/api/editor/notes/${"d".repeat(32)}` },
  { method: "DELETE", path: () => `/api/editor/replies/${"c".repeat(32)}` },
  { method: "DELETE", path: () => `/api/editor/notes/${"d".repeat(32)}` },
  { method: "POST", path: () => "/api/editor/sources/delete", body: () => ({ submissions: [submissionId], mailboxes: [], notes: [] }) },
];

type Attack = "missing" | "forged" | "tampered" | "expired" | "replayed" | "revoked";
const ATTACKS: [Attack, number, string][] = [
  ["missing", 401, "unauthorized"],
  ["forged", 403, "forbidden"],
  ["tampered", 403, "forbidden"],
  ["expired", 401, "signature_expired"],
  ["replayed", 409, "signature_replayed"],
  ["revoked", 403, "forbidden"],
];

const cases = ENDPOINTS.flatMap((e) => ATTACKS.map(([attack, status, code]) => ({ name: `${e.method} ${e.path.toString().match(/\/api\/editor\/[a-z]+/)?.[0] ?? ""} ${attack}`, e, attack, status, code })));

/** What the server holds, to check a refused request changed nothing. */
async function state() {
  const [s, r, n, ed] = await Promise.all([
    h.deps.db.selectFrom("submissions").select("id").execute(),
    h.deps.db.selectFrom("replies").select("id").execute(),
    h.deps.db.selectFrom("notes").select("id").execute(),
    h.deps.db.selectFrom("editors").select(["id", "revoked"]).execute(),
  ]);
  return JSON.stringify([s, r, n, ed]);
}

describe("the editor API refuses bad signatures on every endpoint", () => {
  it.each(cases)("$name → $status $code", async ({ e, attack, status, code }) => {
    const path = e.path();
    const body = e.body ? new TextEncoder().encode(JSON.stringify(e.body())) : new Uint8Array(0);
    const now = Math.floor(Date.now() / 1000);
    let headers: Record<string, string> = {};
    if (attack === "forged") headers = signHeaders(h.editor, e.method, path, body, { secret: ed25519.utils.randomSecretKey() });
    if (attack === "tampered") headers = signHeaders(h.editor, e.method, path.replace("/api/editor/", "/api/editor//"), body);
    if (attack === "expired") headers = signHeaders(h.editor, e.method, path, body, { timestamp: now - 400 });
    if (attack === "revoked") headers = signHeaders(revoked, e.method, path, body);
    if (attack === "replayed") {
      // The first use must pass authentication; use a harmless signed request to burn the nonce.
      headers = signHeaders(h.editor, e.method, path, body);
      await new RequestNonces(h.deps.db, h.deps.now).spend(h.editor.id, headers["x-sealdrop-nonce"]!, now);
    }
    const before = await state();
    const res = await fetch(h.url + path, { method: e.method, headers: { ...headers, ...(e.body ? json : {}) }, body: e.body ? body : undefined });
    expect(res.status).toBe(status);
    expect(await errorCode(res)).toBe(code);
    expect(await state()).toBe(before);
  });

  it("a replay of a request that succeeded is refused", async () => {
    const path = "/api/editor/notes";
    const body = new TextEncoder().encode(JSON.stringify({ ciphertext: age }));
    const headers = { ...signHeaders(h.editor, "POST", path, body), ...json };
    expect((await fetch(h.url + path, { method: "POST", headers, body })).status).toBe(201);
    const before = await state();
    const again = await fetch(h.url + path, { method: "POST", headers, body });
    expect(await errorCode(again)).toBe("signature_replayed");
    expect(await state()).toBe(before);
  });
});

describe("anonymous endpoints reveal nothing about what exists", () => {
  const shape = async (res: Response) => {
    const text = await res.text();
    const headers = [...res.headers.entries()].filter(([k]) => k !== "date");
    return { status: res.status, length: text.length, text: text.replace(/"padding":"[A-Za-z0-9_-]*"/, '"padding":""'), headers };
  };

  it("a mailbox: existing with a wrong credential, and missing, look the same", async () => {
    const holder = await deriveSourceKeys(newCodenameEntropy(), "pq");
    const post = await editorFetch(h, h.editor, "POST", "/api/editor/replies", { mailbox: holder.mailboxId, credentialHash: credentialHash(holder.mailboxCredential), ciphertext: age });
    expect(post.status).toBe(201);
    const fetchMailbox = (id: string, credential: string) => powFetch(`${h.url}/api/mailbox`, { method: "POST", headers: json, body: JSON.stringify({ id, credential }) });
    const wrong = await shape(await fetchMailbox(holder.mailboxId, "ab".repeat(32)));
    const missing = await shape(await fetchMailbox("0".repeat(32), "ab".repeat(32)));
    expect(wrong).toEqual(missing);
  });

  it("a submission's attachment: an upload already used, and one that never existed, look the same", async () => {
    const submit = (attachment: string) =>
      powFetch(`${h.url}/api/submissions`, { method: "POST", headers: json, body: JSON.stringify({ desk: "news", envelope: age, attachments: [attachment] }) });
    const used = await shape(await submit(attachmentId));
    const never = await shape(await submit("f".repeat(32)));
    expect(used).toEqual(never);
  });

  it("an upload: a part for a used upload, and for one that never existed, look the same", async () => {
    const put = (id: string) =>
      powFetch(`${h.url}/api/uploads/${id}/parts/0`, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: new Uint8Array(100) });
    const used = await shape(await put(attachmentId));
    const never = await shape(await put("f".repeat(32)));
    expect(used).toEqual(never);
    const status = async (id: string) => shape(await fetch(`${h.url}/api/uploads/${id}`));
    expect(await status(attachmentId)).toEqual(await status("f".repeat(32)));
  });

  it("no anonymous endpoint lists or fetches submissions", async () => {
    for (const path of [`/api/submissions/${submissionId}`, "/api/submissions", `/api/attachments/${attachmentId}`]) {
      expect((await fetch(h.url + path)).status).toBe(404);
    }
  });
});
