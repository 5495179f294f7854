// The vault bundle (docs/FORMAT.md, "Vault bundle"): the vault's ciphertext in one file, for carrying to
// an offline machine. JSON lines, UTF-8:
//
//   {"sealdrop":"vault-bundle-v2","submissions":N,"attachments":M,"replies":R,"notes":K}
//   {"submission":{"id","desk","day","envelopeSize","envelope":<base64 age file>}}      × N
//   {"attachment":{"id","submissionId","position","size","data":<base64 age file>}}     × M
//   {"reply":{"id","day","size","data":<base64 age file>}}                             × R
//   {"note":{"id","day","size","data":<base64 age file>}}                              × K
//   {"end":{"sha256":<hex SHA-256 of every byte before this line>}}
//
// Version 1 bundles (no replies or notes; header without those counts) are still read.
// The counts and the digest catch truncation and corruption; age's own MACs authenticate the contents.
import { sha256 } from "@noble/hashes/sha2.js";
import { z } from "zod";
import { fromBase64, fromUtf8, toBase64, toHex, utf8 } from "../core/bytes.js";
import { deskId, id } from "../core/wire.js";
import { isAgeFile } from "./ciphertext.js";
import { CliError } from "./errors.js";
import type { VaultAttachment, VaultItem, VaultSubmission } from "./vault.js";

export const BUNDLE_FORMAT = "vault-bundle-v2";
const BUNDLE_FORMAT_V1 = "vault-bundle-v1";

const b64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "expected base64");
const count = z.number().int().nonnegative();
const headerLine = z.union([
  z.object({ sealdrop: z.literal(BUNDLE_FORMAT), submissions: count, attachments: count, replies: count, notes: count }).strict(),
  z.object({ sealdrop: z.literal(BUNDLE_FORMAT_V1), submissions: count, attachments: count }).strict().transform((h) => ({ ...h, replies: 0, notes: 0 })),
]);
const submissionLine = z
  .object({ submission: z.object({ id, desk: deskId, day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), envelopeSize: count, envelope: b64 }).strict() })
  .strict();
const attachmentLine = z
  .object({ attachment: z.object({ id, submissionId: id, position: count, size: count, data: b64 }).strict() })
  .strict();
const item = z.object({ id, day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), size: count, data: b64 }).strict();
const replyLine = z.object({ reply: item }).strict();
const noteLine = z.object({ note: item }).strict();
const endLine = z.object({ end: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict() }).strict();

export interface Bundle {
  submissions: VaultSubmission[];
  attachments: VaultAttachment[];
  replies: VaultItem[];
  notes: VaultItem[];
}

export function encodeBundle(bundle: Bundle): Uint8Array {
  const lines = [
    JSON.stringify({ sealdrop: BUNDLE_FORMAT, submissions: bundle.submissions.length, attachments: bundle.attachments.length, replies: bundle.replies.length, notes: bundle.notes.length }),
  ];
  for (const s of bundle.submissions) {
    lines.push(JSON.stringify({ submission: { id: s.id, desk: s.desk, day: s.day, envelopeSize: s.envelopeSize, envelope: toBase64(s.envelope) } }));
  }
  for (const a of bundle.attachments) {
    lines.push(JSON.stringify({ attachment: { id: a.id, submissionId: a.submissionId, position: a.position, size: a.size, data: toBase64(a.data) } }));
  }
  for (const r of bundle.replies) lines.push(JSON.stringify({ reply: { id: r.id, day: r.day, size: r.size, data: toBase64(r.data) } }));
  for (const n of bundle.notes) lines.push(JSON.stringify({ note: { id: n.id, day: n.day, size: n.size, data: toBase64(n.data) } }));
  const body = utf8(lines.map((l) => `${l}\n`).join(""));
  const end = utf8(`${JSON.stringify({ end: { sha256: toHex(sha256(body)) } })}\n`);
  const out = new Uint8Array(body.length + end.length);
  out.set(body);
  out.set(end, body.length);
  return out;
}

function damaged(why: string): CliError {
  return new CliError(`damaged or incomplete bundle: ${why}`);
}

function parseLine<T>(schema: z.ZodType<T>, line: string, n: number): T {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw damaged(`line ${n} is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw damaged(`line ${n}: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
  return parsed.data;
}

/** Parses and checks a whole bundle; throws a CliError naming the first problem. */
export function decodeBundle(data: Uint8Array): Bundle {
  // The end line is the last line; everything before it is what its digest covers.
  if (data[data.length - 1] !== 0x0a) throw damaged("it does not end with a newline (truncated?)");
  const endStart = data.lastIndexOf(0x0a, data.length - 2) + 1;
  if (endStart === 0) throw damaged("it has no end line");
  const body = data.subarray(0, endStart);
  let text: string;
  let endText: string;
  try {
    text = fromUtf8(body);
    endText = fromUtf8(data.subarray(endStart, data.length - 1));
  } catch {
    throw damaged("it is not UTF-8 text");
  }
  const lines = text.split("\n").slice(0, -1);
  if (lines.length === 0) throw damaged("it is empty");
  const header = parseLine(headerLine, lines[0]!, 1);
  const end = parseLine(endLine, endText, lines.length + 1);
  if (end.end.sha256 !== toHex(sha256(body))) throw damaged("its SHA-256 does not match (the file was changed or cut short)");
  if (lines.length !== 1 + header.submissions + header.attachments + header.replies + header.notes) throw damaged("it has a different number of records than its header says");

  const submissions: VaultSubmission[] = [];
  const attachments: VaultAttachment[] = [];
  const replies: VaultItem[] = [];
  const notes: VaultItem[] = [];
  lines.slice(1).forEach((line, i) => {
    const n = i + 2;
    if (i < header.submissions) {
      const { submission: s } = parseLine(submissionLine, line, n);
      const envelope = fromBase64(s.envelope);
      if (!isAgeFile(envelope)) throw damaged(`line ${n}: the envelope is not an age file`);
      submissions.push({ id: s.id, desk: s.desk, day: s.day, envelopeSize: s.envelopeSize, envelope });
    } else if (i < header.submissions + header.attachments) {
      const { attachment: a } = parseLine(attachmentLine, line, n);
      const bytes = fromBase64(a.data);
      if (!isAgeFile(bytes)) throw damaged(`line ${n}: the attachment is not an age file`);
      attachments.push({ id: a.id, submissionId: a.submissionId, position: a.position, size: a.size, data: bytes });
    } else {
      const isReply = i < header.submissions + header.attachments + header.replies;
      const record = isReply ? parseLine(replyLine, line, n).reply : parseLine(noteLine, line, n).note;
      const bytes = fromBase64(record.data);
      if (!isAgeFile(bytes)) throw damaged(`line ${n}: the ${isReply ? "reply" : "note"} is not an age file`);
      (isReply ? replies : notes).push({ id: record.id, day: record.day, size: record.size, data: bytes });
    }
  });
  return { submissions, attachments, replies, notes };
}
