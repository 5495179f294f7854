// Request and response bodies of the HTTP API (docs/FORMAT.md, "Wire types"). The server parses every
// request body with these schemas and builds every JSON answer to `satisfies` one of the response types;
// the page and the CLI parse those answers with the same schemas. zod/mini keeps the page small.
// Response schemas are plain (not strict) objects, so a server that adds a field does not break old clients.
import * as z from "zod/mini";
import { ID_PATTERN } from "./bytes.js";
import { isUtcDay } from "./time.js";

const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));
const integer = () => z.number().check(z.int());
export const id = z.string().check(z.regex(ID_PATTERN, "expected a 32-character lowercase hex id"));
export const deskId = z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,31}$/, "desk ids are lowercase letters, digits and dashes"));
export const base64 = z.string().check(z.regex(/^[A-Za-z0-9+/]*={0,2}$/, "expected base64"));
const base64Max = (bytes: number) => z.string().check(z.regex(/^[A-Za-z0-9+/]*={0,2}$/, "expected base64"), z.maxLength(Math.ceil((bytes * 4) / 3) + 4));
const ageRecipient = z.string().check(z.regex(/^age1(pq1)?[02-9ac-hj-np-z]+$/, "expected an age recipient (age1… or age1pq1…)"), z.maxLength(4000));
const publicKey = z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/, "expected a base64url Ed25519 public key"));
/** A stored time: a UTC day, never an instant, and a real date (a client stores and exports it as given). */
export const day = z.string().check(z.refine(isUtcDay, "expected a UTC day (YYYY-MM-DD)"));

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

const localizedNames = z.object({ en: z.string(), ko: z.optional(z.string()), zh: z.optional(z.string()) });

export const newsroomResponse = z.object({
  name: z.string(),
  /**
   * The published fingerprint (docs/FORMAT.md, "Newsroom fingerprint"): the root key's when the newsroom
   * has a roster (the same as `roster.fingerprint`), else the older key-list one.
   */
  fingerprint: z.string(),
  desks: z.array(z.object({ id: deskId, name: z.string(), recipients: z.array(z.string()), names: z.optional(localizedNames) })),
  limits: z.object({ maxEnvelopeBytes: z.number(), maxPartBytes: z.number(), maxAttachmentBytes: z.number() }),
  /** Per-language names, from the roster when there is one. */
  names: z.optional(localizedNames),
  /**
   * With a roster: its root, the root fingerprint and head. The desks and recipients above are derived from
   * it, but a page must verify `GET /api/roster` itself rather than trust this answer.
   */
  roster: z.optional(z.nullable(z.object({ root: z.string(), fingerprint: z.string(), head: z.object({ seq: integer(), hash: z.string() }) }))),
  /**
   * What the server deletes, and when (the operator's settings; docs/THREAT-MODEL.md, "Retention and
   * deletion"): days kept, null for no limit. The page tells the source in plain words. Absent: an older server.
   */
  retention: z.optional(
    z.object({
      submissionDays: z.nullable(integer()),
      submissionsWhenPulled: z.boolean(),
      replyDays: z.nullable(integer()),
      mailboxDays: z.nullable(integer()),
    }),
  ),
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

export const receipt = z.object({ id, day });
export type Receipt = z.infer<typeof receipt>;

export const submissionSummary = z.object({
  id,
  desk: deskId,
  day,
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

export const setupRequest = z.union([
  z.strictObject({ token: text(16, 200), newsroom: newsroomSetup }),
  /** A newsroom born with a roster: its genesis (and any entries after it), made and signed by the CLI. */
  z.strictObject({ token: text(16, 200), roster: z.strictObject({ entries: z.array(z.unknown()).check(z.minLength(1), z.maxLength(100)) }) }),
]);

const hex64 = z.string().check(z.regex(/^[0-9a-f]{64}$/, "expected 64 lowercase hex characters"));

/** A source fetching its mailbox with the credential derived from its codename. */
export const mailboxRequest = z.strictObject({ id, credential: hex64 });
/**
 * `desk`: the desk the reply was posted for, as the server stored it (null: posted before desks were
 * named). A signed reply names its desk itself, and the page believes the signature over this.
 */
export const mailboxResponse = z.object({ replies: z.array(z.object({ day, ciphertext: base64, desk: z.optional(z.nullable(deskId)) })), padding: z.string() });
export type MailboxResponse = z.infer<typeof mailboxResponse>;

/**
 * `desk`: the desk the reply or note belongs to (the conversation's, the subject's); the server lets only
 * that desk's editors post, list and fetch it. Without one it is every editor's (as before desks were named).
 */
export const postReplyRequest = z.strictObject({ mailbox: id, credentialHash: hex64, ciphertext: base64Max(LIMITS.maxReplyBytes), desk: z.optional(deskId) });
export const postNoteRequest = z.strictObject({ ciphertext: base64Max(LIMITS.maxNoteBytes), desk: z.optional(deskId) });

/** `POST /api/editor/roster`: entries to append after the stored head (docs/FORMAT.md, "Newsroom root and roster"). */
export const rosterAppendRequest = z.strictObject({ entries: z.array(z.unknown()).check(z.minLength(1), z.maxLength(100)) });
export const storedItem = z.object({ id, day, size: integer() });
export type StoredItem = z.infer<typeof storedItem>;

// ---- Responses (every JSON body the server answers with; errors are core/errors.ts's ErrorBody) ----

/** Difficulty the server never exceeds, and a solver refuses beyond (2^bits hashes expected). */
export const MAX_POW_BITS = 24;

/** `GET /api/pow` (docs/SECURITY.md, "Proof of work"). */
export const powChallenge = z.object({
  /** `v1.<seed>.<bits>.<expires>.<mac>`: opaque to the client except for `bits`. */
  token: z.string().check(z.maxLength(200)),
  bits: z.number().check(z.int(), z.minimum(0), z.maximum(MAX_POW_BITS)),
  /** Unix seconds after which the server refuses the token. */
  expires: integer(),
});
export type PowChallenge = z.infer<typeof powChallenge>;

const health = z.enum(["ok", "unavailable"]);
/** `GET /api/health` (200 when both stores answer, 503 otherwise). */
export const healthResponse = z.object({ status: health, database: health, blobs: health });
export type HealthResponse = z.infer<typeof healthResponse>;

/** `GET /api/roster`: the root public key and every entry, to verify with `verifyRoster` (core/roster.ts). */
export const rosterResponse = z.object({ root: z.string(), entries: z.array(z.object({ body: z.unknown(), signature: z.string() })) });
export type RosterResponse = z.infer<typeof rosterResponse>;

/** `POST /api/editor/roster` and `POST /api/setup` with a roster: the new head. */
export const rosterHeadResponse = z.object({ head: z.object({ seq: integer(), hash: z.string() }) });
export type RosterHeadResponse = z.infer<typeof rosterHeadResponse>;

/** `POST /api/setup`. */
export const setupResponse = z.object({ initialized: z.literal(true) });
export type SetupResponse = z.infer<typeof setupResponse>;

/** `GET /api/editor/submissions`: everything stored, oldest day first. */
export const submissionList = z.object({ submissions: z.array(submissionSummary) });
export type SubmissionList = z.infer<typeof submissionList>;

/** `DELETE /api/editor/submissions/:id`. */
export const deletedResponse = z.object({ deleted: z.literal(true) });
export type DeletedResponse = z.infer<typeof deletedResponse>;

/**
 * `POST /api/editor/sources/delete`: everything the editor's vault links to one source, deleted at once
 * (docs/THREAT-MODEL.md, "What deleting a source tells the server"). Ids the server no longer has are skipped.
 */
export const deleteSourceRequest = z.strictObject({
  submissions: z.array(id).check(z.maxLength(1000)),
  mailboxes: z.array(id).check(z.maxLength(20)),
  notes: z.array(id).check(z.maxLength(2000)),
});
export type DeleteSourceRequest = z.infer<typeof deleteSourceRequest>;
export const sourceDeletedResponse = z.object({
  deleted: z.object({ submissions: integer(), replies: integer(), notes: integer(), mailboxes: integer() }),
});
export type SourceDeletedResponse = z.infer<typeof sourceDeletedResponse>;

/** `GET /api/editor/newsroom`: the newsroom as editors manage it, revoked editors included. */
export const editorNewsroom = z.object({
  name: z.string(),
  desks: z.array(z.object({ id: deskId, name: z.string(), editors: z.array(id) })),
  editors: z.array(z.object({ id, name: z.string(), ageRecipient: z.string(), signPublicKey: z.string(), revoked: z.boolean() })),
});
export type EditorNewsroom = z.infer<typeof editorNewsroom>;

/** `POST /api/editor/editors`. */
export const editorAdded = z.object({ id });
export type EditorAdded = z.infer<typeof editorAdded>;

/** `DELETE /api/editor/editors/:id`. */
export const editorRevoked = z.object({ revoked: z.literal(true) });
export type EditorRevoked = z.infer<typeof editorRevoked>;

/** `POST /api/editor/replies` and `POST /api/editor/notes`: the stored item's id and day. */
export const itemReceipt = z.object({ id, day });
export type ItemReceipt = z.infer<typeof itemReceipt>;

/** `GET /api/editor/replies`. */
export const replyList = z.object({ replies: z.array(storedItem) });
export type ReplyList = z.infer<typeof replyList>;

/** `GET /api/editor/notes`. */
export const noteList = z.object({ notes: z.array(storedItem) });
export type NoteList = z.infer<typeof noteList>;
