// The vault bundle (docs/FORMAT.md, "Vault bundle"): the vault's ciphertext in one file, for carrying to
// an offline machine. JSON lines, UTF-8, then for version 3 and later the large attachments' bytes:
//
//   {"sealdrop":"vault-bundle-v4","submissions":N,"attachments":M,"replies":R,"notes":K,"files":F,"roster":0|1}
//   {"roster":{"root","entries"}}                                                       × 0 or 1
//   {"submission":{"id","desk","day","envelopeSize","envelope":<base64 age file>}}      × N
//   {"attachment":{"id","submissionId","position","size","data":<base64 age file>}}     × M
//   {"reply":{"id","day","size","data":<base64 age file>}}                             × R
//   {"note":{"id","day","size","data":<base64 age file>}}                              × K
//   then F times: {"file":{"id","submissionId","position","size"}}
//                 <exactly size raw bytes: the attachment's age file>{"fileEnd":{"sha256":<hex of those bytes>}}
//   {"end":{"sha256":<hex SHA-256 of every byte before this line>}}
//
// Versions 1 (no replies or notes), 2 (no files) and 3 (no roster) are the same without those parts and are
// still read. The roster is the exporting home's pinned log; import verifies it again from its own pin.
// This module is the format's records; bundle-write.ts and bundle-read.ts stream whole bundles.
// The lengths and digests catch truncation and corruption; age's own MACs authenticate the contents.
import { z } from "zod";
import { isAgeFile } from "../core/age.js";
import { fromBase64, fromUtf8, toBase64 } from "../core/bytes.js";
import { day, deskId, id } from "../core/wire.js";
import { CliError } from "./errors.js";
import { MAX_VAULT_BLOB_BYTES, type VaultAttachment, type VaultItem, type VaultSubmission } from "./vault.js";

export const BUNDLE_FORMAT = "vault-bundle-v4";
const BUNDLE_FORMAT_V3 = "vault-bundle-v3";
const BUNDLE_FORMAT_V2 = "vault-bundle-v2";
const BUNDLE_FORMAT_V1 = "vault-bundle-v1";

/** Longest line a bundle may hold: a record with the largest BLOB a vault keeps, in base64. */
export const MAX_RECORD_LINE = 4 * Math.ceil(MAX_VAULT_BLOB_BYTES / 3) + 4096;
/** Longest header, file, fileEnd or end line. */
export const MAX_SHORT_LINE = 4096;

const b64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "expected base64");
const count = z.number().int().nonnegative();
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const headerLine = z.union([
  z.object({ sealdrop: z.literal(BUNDLE_FORMAT), submissions: count, attachments: count, replies: count, notes: count, files: count, roster: z.union([z.literal(0), z.literal(1)]) }).strict(),
  z.object({ sealdrop: z.literal(BUNDLE_FORMAT_V3), submissions: count, attachments: count, replies: count, notes: count, files: count }).strict().transform((h) => ({ ...h, roster: 0 as const })),
  z.object({ sealdrop: z.literal(BUNDLE_FORMAT_V2), submissions: count, attachments: count, replies: count, notes: count }).strict().transform((h) => ({ ...h, files: 0, roster: 0 as const })),
  z.object({ sealdrop: z.literal(BUNDLE_FORMAT_V1), submissions: count, attachments: count }).strict().transform((h) => ({ ...h, replies: 0, notes: 0, files: 0, roster: 0 as const })),
]);
const rosterLine = z.object({ roster: z.object({ root: z.string().max(100), entries: z.array(z.unknown()).min(1) }).strict() }).strict();
const submissionLine = z.object({ submission: z.object({ id, desk: deskId, day, envelopeSize: count, envelope: b64 }).strict() }).strict();
const attachmentLine = z.object({ attachment: z.object({ id, submissionId: id, position: count, size: count, data: b64 }).strict() }).strict();
const item = z.object({ id, day, size: count, data: b64 }).strict();
const replyLine = z.object({ reply: item }).strict();
const noteLine = z.object({ note: item }).strict();
const fileLine = z.object({ file: z.object({ id, submissionId: id, position: count, size: z.number().int().positive().max(Number.MAX_SAFE_INTEGER) }).strict() }).strict();
const fileEndLine = z.object({ fileEnd: z.object({ sha256: hex64 }).strict() }).strict();
const endLine = z.object({ end: z.object({ sha256: hex64 }).strict() }).strict();

export type BundleHeader = z.output<typeof headerLine>;

/** The records of a bundle that travel as JSON lines (small ciphertext, whole in memory). */
export interface Bundle {
  /** The exporting home's pinned roster (not yet verified when read: the importer checks it from its own pin). */
  roster?: BundleRoster | null;
  submissions: VaultSubmission[];
  attachments: VaultAttachment[];
  replies: VaultItem[];
  notes: VaultItem[];
}

/** A roster log as a bundle carries it. */
export interface BundleRoster {
  root: string;
  entries: unknown[];
}

/** A large attachment as the bundle lists it; its bytes follow the record in the file. */
export interface BundleFile {
  id: string;
  submissionId: string;
  position: number;
  size: number;
}

export function damaged(why: string): CliError {
  return new CliError(`damaged or incomplete bundle: ${why}`);
}

const line = (value: unknown): string => `${JSON.stringify(value)}\n`;

export function headerText(b: Bundle, files: number): string {
  return line({ sealdrop: BUNDLE_FORMAT, submissions: b.submissions.length, attachments: b.attachments.length, replies: b.replies.length, notes: b.notes.length, files, roster: b.roster ? 1 : 0 });
}

/** Every record line of `b`, in bundle order. */
export function* recordLines(b: Bundle): Generator<string> {
  if (b.roster) yield line({ roster: { root: b.roster.root, entries: b.roster.entries } });
  for (const s of b.submissions) yield line({ submission: { id: s.id, desk: s.desk, day: s.day, envelopeSize: s.envelopeSize, envelope: toBase64(s.envelope) } });
  for (const a of b.attachments) yield line({ attachment: { id: a.id, submissionId: a.submissionId, position: a.position, size: a.size, data: toBase64(a.data) } });
  for (const r of b.replies) yield line({ reply: { id: r.id, day: r.day, size: r.size, data: toBase64(r.data) } });
  for (const n of b.notes) yield line({ note: { id: n.id, day: n.day, size: n.size, data: toBase64(n.data) } });
}

export const fileText = (f: BundleFile): string => line({ file: { id: f.id, submissionId: f.submissionId, position: f.position, size: f.size } });
export const fileEndText = (sha256: string): string => line({ fileEnd: { sha256 } });
export const endText = (sha256: string): string => line({ end: { sha256 } });

function parse<T>(schema: z.ZodType<T>, bytes: Uint8Array, n: number): T {
  let json: unknown;
  try {
    json = JSON.parse(fromUtf8(bytes));
  } catch {
    throw damaged(`line ${n} is not JSON`);
  }
  if (n > 1 && endLine.safeParse(json).success) throw damaged(`line ${n}: it has fewer records than its header says`);
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw damaged(`line ${n}: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
  return parsed.data;
}

export function parseHeader(bytes: Uint8Array): BundleHeader {
  return parse(headerLine, bytes, 1);
}

export const parseRoster = (bytes: Uint8Array, n: number): BundleRoster => parse(rosterLine, bytes, n).roster;

export type BundleRecord =
  | { kind: "submission"; value: VaultSubmission }
  | { kind: "attachment"; value: VaultAttachment }
  | { kind: "reply" | "note"; value: VaultItem };

/** Parses record line `n`, the `index`-th record after the header, into what the vault stores. */
export function parseRecord(header: BundleHeader, index: number, bytes: Uint8Array, n: number): BundleRecord {
  const ageFile = (data: string, what: string) => {
    const blob = fromBase64(data);
    if (!isAgeFile(blob)) throw damaged(`line ${n}: the ${what} is not an age file`);
    return blob;
  };
  if (index < header.submissions) {
    const { submission: s } = parse(submissionLine, bytes, n);
    return { kind: "submission", value: { id: s.id, desk: s.desk, day: s.day, envelopeSize: s.envelopeSize, envelope: ageFile(s.envelope, "envelope") } };
  }
  if (index < header.submissions + header.attachments) {
    const { attachment: a } = parse(attachmentLine, bytes, n);
    return { kind: "attachment", value: { id: a.id, submissionId: a.submissionId, position: a.position, size: a.size, data: ageFile(a.data, "attachment") } };
  }
  const kind = index < header.submissions + header.attachments + header.replies ? "reply" : "note";
  const r = kind === "reply" ? parse(replyLine, bytes, n).reply : parse(noteLine, bytes, n).note;
  return { kind, value: { id: r.id, day: r.day, size: r.size, data: ageFile(r.data, kind) } };
}

export const parseFile = (bytes: Uint8Array, n: number): BundleFile => parse(fileLine, bytes, n).file;
export const parseFileEnd = (bytes: Uint8Array, n: number): string => parse(fileEndLine, bytes, n).fileEnd.sha256;

export function parseEnd(bytes: Uint8Array, n: number): string {
  let json: unknown;
  try {
    json = JSON.parse(fromUtf8(bytes));
  } catch {
    throw damaged(`line ${n} is not JSON`);
  }
  const parsed = endLine.safeParse(json);
  if (!parsed.success) throw damaged(`line ${n}: it has more records than its header says, or no end line`);
  return parsed.data.end.sha256;
}
