// Request and response bodies of the HTTP API (docs/FORMAT.md, "Wire types"). The server parses every
// body with these schemas; the page and the CLI use the inferred types.
import { z } from "zod";

export const id = z.string().regex(/^[0-9a-f]{32}$/, "expected a 32-character lowercase hex id");
export const deskId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, "desk ids are lowercase letters, digits and dashes");
export const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "expected base64");
const ageRecipient = z.string().regex(/^age1(pq1)?[02-9ac-hj-np-z]+$/, "expected an age recipient (age1… or age1pq1…)").max(4000);
const publicKey = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "expected a base64url Ed25519 public key");

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

export const createUploadRequest = z.object({}).strict();
export const uploadStatus = z.object({ id, parts: z.number().int(), bytes: z.number().int(), partSize: z.number().int() });
export type UploadStatus = z.infer<typeof uploadStatus>;

export const submissionRequest = z
  .object({
    desk: deskId,
    envelope: base64,
    attachments: z.array(id).max(LIMITS.maxAttachmentsPerSubmission),
  })
  .strict();
export type SubmissionRequest = z.infer<typeof submissionRequest>;

export const receipt = z.object({ id, day: z.string() });
export type Receipt = z.infer<typeof receipt>;

export const submissionSummary = z.object({
  id,
  desk: deskId,
  day: z.string(),
  envelopeSize: z.number().int(),
  attachments: z.array(z.object({ id, position: z.number().int(), size: z.number().int() })),
});
export type SubmissionSummary = z.infer<typeof submissionSummary>;

export const editorPublicKeys = z
  .object({
    id,
    name: z.string().min(1).max(100),
    ageRecipient,
    signPublicKey: publicKey,
    desks: z.array(deskId).min(1).max(64),
  })
  .strict();
export type EditorPublicKeys = z.infer<typeof editorPublicKeys>;

export const newsroomSetup = z
  .object({
    name: z.string().min(1).max(200),
    desks: z.array(z.object({ id: deskId, name: z.string().min(1).max(100) }).strict()).min(1).max(64),
    editor: editorPublicKeys,
  })
  .strict();
export type NewsroomSetup = z.infer<typeof newsroomSetup>;

export const setupRequest = z.object({ token: z.string().min(16).max(200), newsroom: newsroomSetup }).strict();

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lowercase hex characters");

/** A source fetching its mailbox with the credential derived from its codename. */
export const mailboxRequest = z.object({ id, credential: hex64 }).strict();
export const mailboxResponse = z.object({ replies: z.array(z.object({ day: z.string(), ciphertext: base64 })), padding: z.string() });
export type MailboxResponse = z.infer<typeof mailboxResponse>;

export const postReplyRequest = z
  .object({ mailbox: id, credentialHash: hex64, ciphertext: base64.max(Math.ceil((LIMITS.maxReplyBytes * 4) / 3) + 4) })
  .strict();
export const postNoteRequest = z.object({ ciphertext: base64.max(Math.ceil((LIMITS.maxNoteBytes * 4) / 3) + 4) }).strict();
export const storedItem = z.object({ id, day: z.string(), size: z.number().int() });
export type StoredItem = z.infer<typeof storedItem>;
