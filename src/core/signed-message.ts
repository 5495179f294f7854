// Signed notes and replies (docs/FORMAT.md, "Signed notes and replies"). The author signs the plaintext
// that goes inside the age file: the note or reply itself plus `sig`, which names the author, the desk
// it is for, every recipient it is encrypted to and the roster head the author verified. Readers check it
// against their own verified roster; anything that does not verify is shown as unverified and never
// counts. Older readers that know nothing of `sig` still parse the message (the schemas ignore it).
import { ed25519 } from "@noble/curves/ed25519.js";
import * as z from "zod/mini";
import { concatBytes, fromBase64Url, ID_PATTERN, toBase64Url, utf8 } from "./bytes.js";
import { canonicalBytes } from "./canonical.js";
import { sealBytes } from "./envelope.js";
import { type Note, noteSchema, type Reply, replySchema } from "./messages.js";
import type { VerifiedRoster } from "./roster.js";
import { type TriageNote, triageNoteSchema } from "./triage.js";
import { editorAt, findEditor, type RosterEditor, rosterDeskId, type RosterHead, type SignFn } from "./roster.js";

export const SIGNED_MESSAGE_DOMAIN = "sealdrop-signed-message-v1\n";

export const messageSignature = z.strictObject({
  v: z.literal(1),
  author: z.string().check(z.regex(ID_PATTERN)),
  desk: rosterDeskId,
  /** Every age recipient the file is encrypted to, sorted, each once. */
  recipients: z.array(z.string().check(z.startsWith("age1"), z.maxLength(4000))).check(z.minLength(1), z.maxLength(1000)),
  roster: z.strictObject({ seq: z.number().check(z.int(), z.gte(0)), hash: z.string().check(z.regex(/^[0-9a-f]{64}$/)) }),
  signature: z.string().check(z.regex(/^[A-Za-z0-9_-]{86}$/)),
});
export type MessageSignature = z.infer<typeof messageSignature>;
export type SignedNote = Note & { sig: MessageSignature };
export type SignedReply = Reply & { sig: MessageSignature };
export type SignedTriage = TriageNote & { sig: MessageSignature };
/** What an editor signs: a desk note, a reply, or a triage note (core/triage.ts). */
export type DeskMessage = Note | Reply | TriageNote;

export interface SigningContext {
  /** The author's editor id in the roster. */
  author: string;
  /** The desk the message belongs to: the subject's desk for a note, the conversation's for a reply. */
  desk: string;
  /** Every recipient it will be encrypted to (for a reply, the source's reply key among them). */
  recipients: readonly string[];
  /** The head of the roster the author verified (and took the recipients from). */
  roster: RosterHead;
}

const sortedUnique = (list: readonly string[]): string[] => [...new Set(list)].sort();

/** The bytes the author signs: the domain line, then the canonical JSON of the message with `sig` minus its signature. */
export function messageSignedBytes(message: object): Uint8Array {
  const { sig, ...rest } = message as { sig?: Record<string, unknown> };
  const { signature: _, ...unsignedSig } = sig ?? {};
  return concatBytes(utf8(SIGNED_MESSAGE_DOMAIN), canonicalBytes({ ...rest, sig: unsignedSig }));
}

const schemaFor = (kind: unknown) => (kind === "note" ? noteSchema : kind === "reply" ? replySchema : kind === "triage" ? triageNoteSchema : null);

export async function signMessage<M extends DeskMessage>(message: M, context: SigningContext, sign: SignFn): Promise<M & { sig: MessageSignature }> {
  const parsed = (schemaFor(message.kind) ?? noteSchema).parse(message) as M;
  const sig = { v: 1 as const, author: context.author, desk: context.desk, recipients: sortedUnique(context.recipients), roster: { ...context.roster } };
  const signature = toBase64Url(await sign(messageSignedBytes({ ...parsed, sig })));
  return { ...parsed, sig: messageSignature.parse({ ...sig, signature }) };
}

/** Seals a signed note or reply to exactly the recipients its signature names. */
export const sealSigned = (signed: SignedNote | SignedReply | SignedTriage): Promise<Uint8Array> => sealBytes(utf8(JSON.stringify(signed)), signed.sig.recipients);

/** Signs a note or reply and seals it to exactly the recipients the signature names. */
export async function sealSignedMessage(message: DeskMessage, context: SigningContext, sign: SignFn): Promise<Uint8Array> {
  return sealSigned(await signMessage(message, context, sign));
}

export const UNVERIFIED_REASONS = [
  "malformed", // not a note or reply, or a `sig` of the wrong shape
  "unsigned", // no `sig`: written by an older client, or by anyone holding the public keys
  "roster_ahead", // signed against a longer roster than the reader's: fetch the roster again
  "roster_fork", // signed against a roster head the reader's roster does not contain
  "unknown_author", // the author is not in the roster
  "author_not_active", // the author was not (yet, or any longer) an editor at the roster head named
  "bad_signature", // forged, altered, or claiming another author
  "key_compromised", // signed by a key the roster later marked compromised
  "outside_desk", // the author was not on the desk named
  "recipients_mismatch", // the recipients named are not sorted and unique, or a reply's source is not among them
  "not_addressed_to_reader", // the reader's own key is not among the recipients: the message was re-encrypted
  "author_mismatch", // a note's `author` name differs from the roster's name for the signer
] as const;
export type UnverifiedReason = (typeof UNVERIFIED_REASONS)[number];

export type MessageVerification =
  | { status: "verified"; message: DeskMessage; author: RosterEditor; desk: string; recipients: string[]; rosterSeq: number; authorRevokedSince: boolean }
  | { status: "unverified"; reason: UnverifiedReason; message: DeskMessage | null; claimedAuthor: string | null };

export interface VerifyOptions {
  /**
   * The reader's own age recipient, or all of theirs (a current key and retired ones): a message that names
   * none of them is unverified.
   */
  reader?: string | readonly string[];
}

/** The note, reply or triage note a decrypted message holds, without verifying anything; null if it is none. */
export function parseMessage(raw: unknown): DeskMessage | null {
  const kind = typeof raw === "object" && raw !== null ? (raw as { kind?: unknown }).kind : undefined;
  const parsed = schemaFor(kind)?.safeParse(raw);
  return parsed?.success ? (parsed.data as DeskMessage) : null;
}

/** Verifies a decrypted note or reply (its parsed JSON) against the reader's verified roster. */
export function verifyMessage(raw: unknown, roster: VerifiedRoster, options: VerifyOptions = {}): MessageVerification {
  const message = parseMessage(raw);
  const rawSig = message ? (raw as { sig?: unknown }).sig : undefined;
  const claimed = messageSignature.safeParse(rawSig);
  const claimedAuthor = claimed.success ? claimed.data.author : null;
  const unverified = (reason: UnverifiedReason): MessageVerification => ({ status: "unverified", reason, message, claimedAuthor });
  if (!message) return unverified("malformed");
  if (rawSig === undefined) return unverified("unsigned");
  if (!claimed.success) return unverified("malformed");
  const sig = claimed.data;
  let bytes: Uint8Array;
  try {
    bytes = messageSignedBytes(raw as object);
  } catch {
    return unverified("malformed");
  }
  if (sig.roster.seq > roster.head.seq) return unverified("roster_ahead");
  if (roster.entries[sig.roster.seq]!.hash !== sig.roster.hash) return unverified("roster_fork");
  const author = findEditor(roster.state, sig.author);
  if (!author) return unverified("unknown_author");
  const period = editorAt(author, sig.roster.seq);
  if (!period) return unverified("author_not_active");
  let valid = false;
  try {
    valid = ed25519.verify(fromBase64Url(sig.signature), bytes, fromBase64Url(period.signPublicKey), { zip215: false });
  } catch {
    valid = false;
  }
  if (!valid) return unverified("bad_signature");
  if (author.compromisedSignKeys.includes(period.signPublicKey)) return unverified("key_compromised");
  if (!period.desks.includes(sig.desk)) return unverified("outside_desk");
  const recipients = sortedUnique(sig.recipients);
  if (recipients.join("\n") !== sig.recipients.join("\n")) return unverified("recipients_mismatch");
  if (message.kind === "reply" && !recipients.includes(message.to)) return unverified("recipients_mismatch");
  const readers = options.reader === undefined ? null : typeof options.reader === "string" ? [options.reader] : options.reader;
  if (readers !== null && !readers.some((r) => recipients.includes(r))) return unverified("not_addressed_to_reader");
  if (message.kind === "note" && message.author !== author.name) return unverified("author_mismatch");
  return { status: "verified", message, author, desk: sig.desk, recipients, rosterSeq: sig.roster.seq, authorRevokedSince: author.revoked };
}

/** Whether a decrypted message counts towards grades and triage: only a verified one does. */
export const countsTowardsGrades = (v: MessageVerification): boolean => v.status === "verified";
