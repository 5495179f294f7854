// Generators of malformed (and sometimes well-formed) requests for every endpoint. A case is plain data;
// the fuzz test turns it into a request, adding a solved proof of work or a signature when the case asks.
import fc from "fast-check";
import { toBase64 } from "../../src/core/bytes.js";

export interface Pools {
  uploadIds: string[];
  submissionIds: string[];
  attachmentIds: string[];
  replyIds: string[];
  noteIds: string[];
  mailboxIds: string[];
  editorIds: string[];
}

export type PowMode = "none" | "solved" | "garbage" | "stolen";
export type SignMode = "none" | "valid" | "garbage" | "other-key" | "expired";

export interface FuzzCase {
  method: string;
  path: string;
  contentType: string | null;
  body: Uint8Array | null;
  pow: PowMode;
  sign: SignMode;
  extraHeaders: [string, string][];
}

const enc = (s: string) => new TextEncoder().encode(s);
const AGE = "age-encryption.org/v1\n";
const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/);

const ageFiles = fc.oneof(
  // Truncated header, forged stanzas, wrong version line, binary tails.
  fc.uint8Array({ maxLength: 400 }).map((tail) => new Uint8Array([...enc(AGE), ...tail])),
  fc.nat({ max: AGE.length }).map((n) => enc(AGE.slice(0, n))),
  fc.string({ maxLength: 200 }).map((s) => enc(`${AGE}-> X25519 ${s}\n--- ${s}\n`)),
  fc.constantFrom(enc("age-encryption.org/v2\n" + "A".repeat(64)), enc("-----BEGIN AGE ENCRYPTED FILE-----\nAAAA\n-----END AGE ENCRYPTED FILE-----\n")),
  fc.uint8Array({ maxLength: 600 }),
);
const base64ish = fc.oneof(ageFiles.map((b) => toBase64(b)), fc.string({ maxLength: 80 }), fc.constantFrom("", "=", "====", "YWdl", "%%%", "a".repeat(5000)));

const idLike = (pool: string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: pool.length ? fc.constantFrom(...pool) : hex32 },
    { weight: 3, arbitrary: hex32 },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
    fc.constantFrom("..", "..%2F..%2Fetc%2Fpasswd", "%00", "A".repeat(32), "0".repeat(31), "0".repeat(33), "%E2%80%AE" + "a".repeat(29), "x".repeat(3000)),
  );
const segment = (pool: string[]) => idLike(pool).map((s) => encodeURIComponent(s).replace(/%25/g, "%"));
const partNumber = fc.oneof(fc.nat({ max: 4 }).map(String), fc.constantFrom("-1", "1e3", "999999", "9999999", "0x1", "", "00", " 1"), fc.string({ maxLength: 8 }).map(encodeURIComponent));

const desk = fc.oneof(fc.constantFrom("news", "investigations", "sports", "", "NEWS", "a".repeat(40)), fc.string({ maxLength: 20 }), fc.integer());
const jsonBodies = (p: Pools) =>
  fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc.record({ desk, envelope: base64ish, attachments: fc.array(idLike(p.uploadIds), { maxLength: 22 }) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
    fc.record({ id: idLike(p.mailboxIds), credential: fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), fc.string({ maxLength: 70 })) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
    fc.record({ mailbox: idLike(p.mailboxIds), credentialHash: fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), fc.string()), ciphertext: base64ish }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
    fc.record({ ciphertext: base64ish }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
    fc.record(
      {
        id: idLike(p.editorIds),
        name: fc.string({ maxLength: 120 }),
        ageRecipient: fc.oneof(fc.constantFrom("age1qqqq", "age1pq1" + "q".repeat(50)), fc.string()),
        signPublicKey: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{43}$/), fc.string()),
        desks: fc.array(desk, { maxLength: 3 }),
      },
      { requiredKeys: [] },
    ).map((v) => JSON.stringify(v)),
    fc.record({ token: fc.oneof(fc.constant("fuzz-setup-token-0123456789"), fc.string({ maxLength: 30 })), newsroom: fc.jsonValue({ maxDepth: 2 }) }).map((v) => JSON.stringify(v)),
    fc.constantFrom("{", "[]", "null", '{"__proto__":{"x":1}}', '{"desk":"news","desk":"x"}', "{}", '"' + "\\u0000".repeat(10) + '"'),
  ).map(enc);

const bodies = (p: Pools) =>
  fc.oneof(
    { weight: 6, arbitrary: jsonBodies(p) },
    { weight: 3, arbitrary: ageFiles },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 2000 }) },
    { weight: 1, arbitrary: fc.constantFrom(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), enc("\ud800")) },
    // Rarely, larger than any limit on small endpoints (kept modest so the run stays fast).
    { weight: 1, arbitrary: fc.constantFrom(2048, 70_000).map((n) => new Uint8Array(n).fill(0x61)) },
  );

interface Template {
  method: string;
  path: (p: Pools) => fc.Arbitrary<string>;
  editor?: boolean;
}

const TEMPLATES: Template[] = [
  { method: "GET", path: () => fc.constant("/api/newsroom") },
  { method: "GET", path: () => fc.constantFrom("/api/pow", "/api/pow?x=1") },
  { method: "POST", path: () => fc.constant("/api/uploads") },
  { method: "GET", path: (p) => segment(p.uploadIds).map((id) => `/api/uploads/${id}`) },
  { method: "PUT", path: (p) => fc.tuple(segment(p.uploadIds), partNumber).map(([id, n]) => `/api/uploads/${id}/parts/${n}`) },
  { method: "POST", path: () => fc.constantFrom("/api/submissions", "/api/submissions/", "/api/submissions?desk=news") },
  { method: "POST", path: () => fc.constant("/api/mailbox") },
  { method: "POST", path: () => fc.constant("/api/setup") },
  { method: "GET", path: () => fc.constant("/api/editor/submissions"), editor: true },
  { method: "GET", path: (p) => segment(p.submissionIds).map((id) => `/api/editor/submissions/${id}/envelope`), editor: true },
  { method: "DELETE", path: (p) => segment(p.submissionIds).map((id) => `/api/editor/submissions/${id}`), editor: true },
  { method: "GET", path: (p) => segment(p.attachmentIds).map((id) => `/api/editor/attachments/${id}`), editor: true },
  { method: "GET", path: () => fc.constant("/api/editor/newsroom"), editor: true },
  { method: "POST", path: () => fc.constant("/api/editor/editors"), editor: true },
  { method: "DELETE", path: (p) => segment(p.editorIds).map((id) => `/api/editor/editors/${id}`), editor: true },
  { method: "POST", path: () => fc.constant("/api/editor/replies"), editor: true },
  { method: "GET", path: () => fc.constant("/api/editor/replies"), editor: true },
  { method: "GET", path: (p) => segment(p.replyIds).map((id) => `/api/editor/replies/${id}`), editor: true },
  { method: "POST", path: () => fc.constant("/api/editor/notes"), editor: true },
  { method: "GET", path: () => fc.constant("/api/editor/notes"), editor: true },
  { method: "GET", path: (p) => segment(p.noteIds).map((id) => `/api/editor/notes/${id}`), editor: true },
  { method: "GET", path: () => fc.oneof(fc.string({ maxLength: 30 }).map((s) => `/api/${encodeURIComponent(s)}`), fc.constantFrom("/api", "/api/", "//api/uploads", "/api/editor", "/api/editor/", "/API/newsroom")) },
];

const contentTypes = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom("application/json", "application/octet-stream") },
  { weight: 2, arbitrary: fc.constantFrom(null, "text/plain", "application/json; charset=utf-16", "APPLICATION/JSON", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/json;;") },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).filter((s) => /^[\x20-\x7e]*$/.test(s)) },
);

const headerValue = fc.string({ maxLength: 60 }).filter((s) => /^[\x20-\x7e]*$/.test(s));
const extraHeaders = fc.array(
  fc.tuple(fc.constantFrom("x-sealdrop-editor", "x-sealdrop-timestamp", "x-sealdrop-nonce", "x-sealdrop-signature", "accept-encoding", "content-encoding", "range", "x-sealdrop-pow"), headerValue),
  { maxLength: 2 },
);

export function fuzzCase(p: Pools): fc.Arbitrary<FuzzCase> {
  return fc.constantFrom(...TEMPLATES).chain((t) =>
    fc.record({
      method: fc.oneof({ weight: 9, arbitrary: fc.constant(t.method) }, { weight: 1, arbitrary: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS") }),
      path: t.path(p),
      contentType: contentTypes,
      body: fc.option(bodies(p), { freq: 6 }),
      pow: t.editor ? fc.constant<PowMode>("none") : fc.constantFrom<PowMode>("solved", "solved", "solved", "none", "garbage", "stolen"),
      sign: t.editor ? fc.constantFrom<SignMode>("valid", "valid", "valid", "none", "garbage", "other-key", "expired") : fc.constant<SignMode>("none"),
      extraHeaders: fc.oneof({ weight: 4, arbitrary: fc.constant<[string, string][]>([]) }, { weight: 1, arbitrary: extraHeaders }),
    }),
  );
}
