// Property-based fuzzing of every endpoint, anonymous and editor alike: whatever arrives, the answer is
// never a 5xx, and every error is a JSON body with a stable code. Most cases go through app.request()
// over the real Node deps (SQLite, files); a slice goes over real HTTP with keep-alive, and a few raw
// sockets send broken HTTP framing. `FUZZ_RUNS` scales the in-process part (default 8,500).
import { connect } from "node:net";
import { ed25519 } from "@noble/curves/ed25519.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBase64 } from "../../src/core/bytes.js";
import { ERROR_CODES } from "../../src/core/errors.js";
import { POW_HEADER, powHeaderFor, type PowChallenge } from "../../src/core/pow.js";
import { editorFetch, signHeaders } from "../helpers/server.js";
import { submitTip, uploadCiphertext } from "../helpers/source.js";
import { startHarness, type Harness } from "../security/harness.js";
import { fuzzCase, type FuzzCase, type Pools } from "./arbitraries.js";

const IN_PROCESS_RUNS = Number(process.env.FUZZ_RUNS ?? 8500);
const HTTP_RUNS = Number(process.env.FUZZ_HTTP_RUNS ?? 1500);
const RAW_RUNS = 200;

let h: Harness;
const pools: Pools = { uploadIds: [], submissionIds: [], attachmentIds: [], replyIds: [], noteIds: [], mailboxIds: [], editorIds: [] };
const statuses = new Map<number, number>();
const codes = new Map<string, number>();
let total = 0;

beforeAll(async () => {
  // Proof of work on at 0 bits: the whole verification path runs, solving costs one hash.
  h = await startHarness({ pow: { baseBits: 0, maxBits: 0 }, rateLimits: false, setupToken: "fuzz-setup-token-0123456789" }, { fastDisk: true });
  const receipt = await submitTip(h.url, "fuzz seed", [{ name: "a", type: "text/plain", bytes: new Uint8Array(100) }]);
  pools.submissionIds.push(receipt.id);
  const list = (await (await editorFetch(h, h.editor, "GET", "/api/editor/submissions")).json()) as { submissions: { attachments: { id: string }[] }[] };
  pools.attachmentIds.push(...list.submissions.flatMap((s) => s.attachments.map((a) => a.id)));
  pools.uploadIds.push(await uploadCiphertext(h.url, new Uint8Array([...new TextEncoder().encode("age-encryption.org/v1\n"), ...new Uint8Array(100)]), 60));
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${h.url}/api/uploads`, { method: "POST", headers: { "content-type": "application/json", [POW_HEADER]: await solve(h.url, "POST", "/api/uploads", new TextEncoder().encode("{}")) }, body: "{}" });
    pools.uploadIds.push(((await res.json()) as { id: string }).id);
  }
  const age = toBase64(new Uint8Array([...new TextEncoder().encode("age-encryption.org/v1\n"), ...new Uint8Array(64)]));
  const mailbox = "c".repeat(32);
  pools.mailboxIds.push(mailbox);
  const reply = await editorFetch(h, h.editor, "POST", "/api/editor/replies", { mailbox, credentialHash: "d".repeat(64), ciphertext: age });
  pools.replyIds.push(((await reply.json()) as { id: string }).id);
  const note = await editorFetch(h, h.editor, "POST", "/api/editor/notes", { ciphertext: age });
  pools.noteIds.push(((await note.json()) as { id: string }).id);
  pools.editorIds.push(h.editor.id);
});

afterAll(async () => {
  console.log(`fuzz: ${total} requests; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}; codes ${JSON.stringify(Object.fromEntries(codes))}`);
  await h.dispose();
});

async function solve(origin: string, method: string, path: string, body: Uint8Array): Promise<string> {
  const challenge = (await (await fetch(`${origin}/api/pow`)).json()) as PowChallenge;
  return powHeaderFor(challenge, method, path, body);
}

type Send = (path: string, init: RequestInit) => Promise<Response>;

async function buildRequest(c: FuzzCase, send: Send): Promise<{ path: string; init: RequestInit }> {
  const hasBody = c.body !== null && c.method !== "GET" && c.method !== "HEAD";
  const body = hasBody ? c.body! : new Uint8Array(0);
  const headers = new Headers();
  if (c.contentType !== null) headers.set("content-type", c.contentType);
  for (const [k, v] of c.extraHeaders) headers.set(k, v);
  const url = new URL(c.path, "http://fuzz.invalid");
  const pathAndQuery = url.pathname + url.search;
  if (c.pow !== "none") {
    const challenge = (await (await send("/api/pow", {})).json()) as PowChallenge;
    if (c.pow === "solved") headers.set(POW_HEADER, await powHeaderFor(challenge, c.method, pathAndQuery, body));
    else if (c.pow === "stolen") headers.set(POW_HEADER, await powHeaderFor(challenge, "POST", "/api/uploads", new Uint8Array(1)));
    else headers.set(POW_HEADER, `${challenge.token}.zzzz`);
  }
  if (c.sign !== "none") {
    const now = Math.floor(Date.now() / 1000);
    const signed =
      c.sign === "valid"
        ? signHeaders(h.editor, c.method, pathAndQuery, body)
        : c.sign === "other-key"
          ? signHeaders(h.editor, c.method, pathAndQuery, body, { secret: ed25519.utils.randomSecretKey() })
          : c.sign === "expired"
            ? signHeaders(h.editor, c.method, pathAndQuery, body, { timestamp: now - 10_000 })
            : { ...signHeaders(h.editor, c.method, pathAndQuery, body), "x-sealdrop-signature": "A".repeat(86) };
    for (const [k, v] of Object.entries(signed)) headers.set(k, v);
  }
  return { path: c.path, init: { method: c.method, headers, body: hasBody ? (body as Uint8Array<ArrayBuffer>) : undefined } };
}

async function checkResponse(c: FuzzCase, res: Response): Promise<void> {
  total++;
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  const text = await res.text();
  if (res.status >= 500) throw new Error(`${c.method} ${c.path} → ${res.status} ${text}`);
  if (res.status < 400 || c.method === "HEAD") return;
  expect(res.headers.get("content-type") ?? "").toContain("application/json");
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  expect(ERROR_CODES).toContain(body.error.code);
  expect(typeof body.error.message).toBe("string");
  codes.set(body.error.code, (codes.get(body.error.code) ?? 0) + 1);
}

// Volume, not speed, is what these tests assert: on a loaded 2-core machine 10,000 cases take minutes.
const FUZZ_TIMEOUT_MS = 900_000;

describe("fuzzing every endpoint", { timeout: FUZZ_TIMEOUT_MS }, () => {
  it(`answers ${IN_PROCESS_RUNS} generated requests in-process without a 5xx`, async () => {
    const send: Send = (path, init) => Promise.resolve(h.app.request(path, init));
    await fc.assert(
      fc.asyncProperty(fuzzCase(pools), async (c) => {
        const { path, init } = await buildRequest(c, send);
        await checkResponse(c, await send(path, init));
      }),
      { numRuns: IN_PROCESS_RUNS, endOnFailure: true },
    );
  });

  it(`answers ${HTTP_RUNS} generated requests over real HTTP without a 5xx`, async () => {
    const send: Send = (path, init) => fetch(h.url + path, init);
    await fc.assert(
      fc.asyncProperty(fuzzCase(pools), async (c) => {
        // fetch normalises some paths itself; what arrives is still whatever the server sees.
        const { path, init } = await buildRequest(c, send);
        await checkResponse(c, await send(path, init));
      }),
      { numRuns: HTTP_RUNS, endOnFailure: true },
    );
  });

  it(`survives ${RAW_RUNS} requests with broken HTTP framing`, async () => {
    const raw = (payload: Uint8Array) =>
      new Promise<string>((resolve) => {
        const port = Number(new URL(h.url).port);
        const socket = connect(port, "127.0.0.1");
        let out = "";
        socket.on("data", (d) => (out += d.toString("latin1")));
        socket.on("error", () => resolve(out));
        socket.on("close", () => resolve(out));
        socket.setTimeout(2000, () => socket.destroy());
        socket.end(payload);
      });
    const framing = fc.record({
      method: fc.constantFrom("POST", "PUT", "GET"),
      path: fc.constantFrom("/api/submissions", "/api/uploads", "/api/mailbox", `/api/uploads/${"a".repeat(32)}/parts/0`, "/api/editor/notes"),
      declared: fc.oneof(fc.nat({ max: 5000 }).map(String), fc.constantFrom("-1", "abc", "99999999999", "1, 2")),
      chunked: fc.boolean(),
      body: fc.uint8Array({ maxLength: 300 }),
    });
    await fc.assert(
      fc.asyncProperty(framing, async (f) => {
        total++;
        const head = `${f.method} ${f.path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${f.chunked ? "Transfer-Encoding: chunked\r\n" : `Content-Length: ${f.declared}\r\n`}\r\n`;
        const out = await raw(new Uint8Array([...Buffer.from(head, "latin1"), ...f.body]));
        const status = /^HTTP\/1\.1 (\d{3})/.exec(out)?.[1];
        if (status) expect(Number(status)).toBeLessThan(500);
      }),
      { numRuns: RAW_RUNS, endOnFailure: true },
    );
    // Still serving.
    expect((await fetch(`${h.url}/api/newsroom`)).status).toBe(200);
  });
});
