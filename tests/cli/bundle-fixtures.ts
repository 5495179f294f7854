// Fixtures for the vault bundle tests: bundles in older versions, written the way older sealdrops wrote them.
import { sha256 } from "@noble/hashes/sha2.js";
import { toBase64, toHex, utf8 } from "../../src/core/bytes.js";
import type { Bundle } from "../../src/cli/bundle.js";

/** A version 2 bundle (JSON lines, no large attachments), byte for byte as sealdrop wrote them before version 3. */
export function encodeV2(b: Bundle): Uint8Array {
  const lines = [
    JSON.stringify({ sealdrop: "vault-bundle-v2", submissions: b.submissions.length, attachments: b.attachments.length, replies: b.replies.length, notes: b.notes.length }),
    ...b.submissions.map((s) => JSON.stringify({ submission: { id: s.id, desk: s.desk, day: s.day, envelopeSize: s.envelopeSize, envelope: toBase64(s.envelope) } })),
    ...b.attachments.map((a) => JSON.stringify({ attachment: { id: a.id, submissionId: a.submissionId, position: a.position, size: a.size, data: toBase64(a.data) } })),
    ...b.replies.map((r) => JSON.stringify({ reply: { id: r.id, day: r.day, size: r.size, data: toBase64(r.data) } })),
    ...b.notes.map((n) => JSON.stringify({ note: { id: n.id, day: n.day, size: n.size, data: toBase64(n.data) } })),
  ];
  const body = utf8(lines.map((l) => `${l}\n`).join(""));
  const end = utf8(`${JSON.stringify({ end: { sha256: toHex(sha256(body)) } })}\n`);
  return new Uint8Array([...body, ...end]);
}
