// The submission envelope (docs/FORMAT.md, "Envelope"): one age file whose padded plaintext is a JSON
// object describing the tip. Everything a source says, including attachment names, lives only here.
import { Encrypter } from "age-encryption";
import * as z from "zod/mini";
import { ageDecrypter } from "./age.js";
import { fromUtf8, utf8 } from "./bytes.js";
import { MAX_ATTACHMENTS, MAX_MESSAGE_CHARS } from "./limits.js";
import { pad, unpad } from "./padding.js";

export { MAX_ATTACHMENTS, MAX_MESSAGE_CHARS };
export const ENVELOPE_VERSION = 1;

const hex = (bytes: number) => z.string().check(z.regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`)));
const text = (max: number, min = 0) => z.string().check(z.minLength(min), z.maxLength(max));

export const attachmentManifestSchema = z.object({
  name: text(255),
  type: text(255),
  size: z.number().check(z.int(), z.nonnegative()),
  /** SHA-256 of the file: files sealed whole, and the form without JavaScript. */
  sha256: z.optional(hex(32)),
  /** The pieces digest of the file (src/core/pieces.ts): files the page streams. */
  sha256_pieces: z.optional(hex(32)),
}).check(z.refine((m) => (m.sha256 === undefined) !== (m.sha256_pieces === undefined), "an attachment carries exactly one of sha256 and sha256_pieces"));

export const replyChannelSchema = z.object({
  /** The source's reply recipient (age1… or age1pq1…): replies and follow-ups are encrypted to it. */
  recipient: z.string().check(z.startsWith("age1"), z.maxLength(4000)),
  /** The mailbox capability: where replies wait, and the credential that opens it. */
  mailbox: z.object({ id: hex(16), credential: hex(32) }),
});

export const envelopeSchema = z.object({
  v: z.literal(ENVELOPE_VERSION),
  kind: z.enum(["submission", "followup"]),
  desk: text(64, 1),
  message: text(MAX_MESSAGE_CHARS),
  fields: z.record(text(64), text(10_000)),
  /** In upload order: attachments[i] describes the i-th attachment blob of the submission. */
  attachments: z.array(attachmentManifestSchema).check(z.maxLength(MAX_ATTACHMENTS)),
  reply: z.nullable(replyChannelSchema),
  client: text(64),
  lang: text(16),
});

export type Envelope = z.infer<typeof envelopeSchema>;
export type AttachmentManifest = z.infer<typeof attachmentManifestSchema>;
export type ReplyChannel = z.infer<typeof replyChannelSchema>;

/** Encrypts a padded plaintext to every recipient as one age v1 file. */
export async function sealBytes(plaintext: Uint8Array, recipients: readonly string[]): Promise<Uint8Array> {
  if (recipients.length === 0) throw new Error("no recipients: the desk has no editors");
  const e = new Encrypter();
  for (const r of recipients) e.addRecipient(r);
  return e.encrypt(pad(plaintext));
}

/** Decrypts an age file with any of the identities and removes the padding; NotForThisKeyError if none opens it. */
export async function openBytes(ciphertext: Uint8Array, identities: readonly string[]): Promise<Uint8Array> {
  return unpad(await ageDecrypter(identities).decrypt(ciphertext));
}

export async function sealEnvelope(envelope: Envelope, recipients: readonly string[]): Promise<Uint8Array> {
  return sealBytes(utf8(JSON.stringify(envelopeSchema.parse(envelope))), recipients);
}

export class EnvelopeError extends Error {
  override name = "EnvelopeError";
}

export async function openEnvelope(ciphertext: Uint8Array, identities: readonly string[]): Promise<Envelope> {
  return envelopeFromPlaintext(await openBytes(ciphertext, identities));
}

/** Parses an envelope's unpadded plaintext; EnvelopeError if it is not one. */
export function envelopeFromPlaintext(plaintext: Uint8Array): Envelope {
  let json: unknown;
  try {
    json = JSON.parse(fromUtf8(plaintext));
  } catch {
    throw new EnvelopeError("envelope plaintext is not UTF-8 JSON");
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) throw new EnvelopeError(`envelope does not match version ${ENVELOPE_VERSION}: ${parsed.error.message}`);
  return parsed.data;
}
