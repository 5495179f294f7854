// Request and response bodies of the HTTP API (docs/FORMAT.md, "Wire types"). The server parses every
// body with these schemas; the page and the CLI use the inferred types. zod/mini keeps the page small.
import * as z from "zod/mini";

const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));
const integer = () => z.number().check(z.int());
export const id = z.string().check(z.regex(/^[0-9a-f]{32}$/, "expected a 32-character lowercase hex id"));
export const deskId = z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,31}$/, "desk ids are lowercase letters, digits and dashes"));
export const base64 = z.string().check(z.regex(/^[A-Za-z0-9+/]*={0,2}$/, "expected base64"));
const base64Max = (bytes: number) => z.string().check(z.regex(/^[A-Za-z0-9+/]*={0,2}$/, "expected base64"), z.maxLength(Math.ceil((bytes * 4) / 3) + 4));
const ageRecipient = z.string().check(z.regex(/^age1(pq1)?[02-9ac-hj-np-z]+$/, "expected an age recipient (age1… or age1pq1…)"), z.maxLength(4000));
const publicKey = z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/, "expected a base64url Ed25519 public key"));

export const LIMITS = {
  /** Largest accepted envelope ciphertext. */
  maxEnvelopeBytes: 1 << 20,
  /** Largest single upload part. */
  maxPartBytes: 8 << 20,
  /** Largest attachment (sum of parts). */
  maxAttachmentBytes: 8 * 2 ** 30,
  maxAttachmentsPerSubmission: 20,
  maxJsonBodyBytes: 2 << 20,
  maxReplyBytes: 256 << 10,
  maxNoteBytes: 256 << 10,
  /** Replies a mailbox returns at most (newest first). */
  maxRepliesPerFetch: 50,
} as const;

export const newsroomResponse = z.object({
  name: z.string(),
  fingerprint: z.string(),
  desks: z.array(z.object({ id: deskId, name: z.string(), recipients: z.array(z.string()) })),
  limits: z.object({ maxEnvelopeBytes: z.number(), maxPartBytes: z.number(), maxAttachmentBytes: z.number() }),
});
export type NewsroomResponse = z.infer<typeof newsroomResponse>;

export const createUploadRequest = z.strictObject({});
export const uploadStatus = z.object({ id, parts: integer(), bytes: integer(), partSize: integer() });
export type UploadStatus = z.infer<typeof uploadStatus>;

export const submissionRequest = z.strictObject({
  desk: deskId,
  envelope: base64,
  attachments: z.array(id).check(z.maxLength(LIMITS.maxAttachmentsPerSubmission)),
});
export type SubmissionRequest = z.infer<typeof submissionRequest>;

export const receipt = z.object({ id, day: z.string() });
export type Receipt = z.infer<typeof receipt>;

export const submissionSummary = z.object({
  id,
  desk: deskId,
  day: z.string(),
  envelopeSize: integer(),
  attachments: z.array(z.object({ id, position: integer(), size: integer() })),
});
export type SubmissionSummary = z.infer<typeof submissionSummary>;

export const editorPublicKeys = z.strictObject({
  id,
  name: text(1, 100),
  ageRecipient,
  signPublicKey: publicKey,
  desks: z.array(deskId).check(z.minLength(1), z.maxLength(64)),
});
export type EditorPublicKeys = z.infer<typeof editorPublicKeys>;

export const newsroomSetup = z.strictObject({
  name: text(1, 200),
  desks: z.array(z.strictObject({ id: deskId, name: text(1, 100) })).check(z.minLength(1), z.maxLength(64)),
  editor: editorPublicKeys,
});
export type NewsroomSetup = z.infer<typeof newsroomSetup>;

export const setupRequest = z.strictObject({ token: text(16, 200), newsroom: newsroomSetup });

const hex64 = z.string().check(z.regex(/^[0-9a-f]{64}$/, "expected 64 lowercase hex characters"));

/** A source fetching its mailbox with the credential derived from its codename. */
export const mailboxRequest = z.strictObject({ id, credential: hex64 });
export const mailboxResponse = z.object({ replies: z.array(z.object({ day: z.string(), ciphertext: base64 })), padding: z.string() });
export type MailboxResponse = z.infer<typeof mailboxResponse>;

export const postReplyRequest = z.strictObject({ mailbox: id, credentialHash: hex64, ciphertext: base64Max(LIMITS.maxReplyBytes) });
export const postNoteRequest = z.strictObject({ ciphertext: base64Max(LIMITS.maxNoteBytes) });
export const storedItem = z.object({ id, day: z.string(), size: integer() });
export type StoredItem = z.infer<typeof storedItem>;
