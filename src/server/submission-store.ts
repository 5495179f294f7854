// Where submissions live: the envelope in the submission's row, attachments as blobs that keep their
// upload's id. Storing commits the row and its attachments together and resolves only once they are
// durable (invariant 6); the order of writes is what keeps a crash harmless (docs/ARCHITECTURE.md,
// "Durability"). The domain layer: it fails with DomainError and knows nothing of HTTP.
import type { Kysely } from "kysely";
import { randomId } from "../core/bytes.js";
import { coarseDay } from "../core/time.js";
import type { Receipt, SubmissionSummary } from "../core/wire.js";
import type { BlobStore } from "./blobs.js";
import type { Database } from "./db/schema.js";
import { DomainError } from "./domain-error.js";
import { requireDesk } from "./middleware/editor-rights.js";
import type { UploadLocks } from "./upload-locks.js";

const incomplete = () => new DomainError("upload_incomplete", "An attachment's upload is missing, empty, expired or already used.");

export interface SubmissionStoreOptions {
  db: Kysely<Database>;
  blobs: BlobStore;
  now: () => Date;
  /**
   * Held on each attached upload while it is consumed, shared with the upload routes; the submission's
   * blobs and rows are written through the stores they hand out, and commit as they say.
   */
  locks: UploadLocks;
}

export interface NewSubmission {
  desk: string;
  /** The envelope as the request carried it (base64 of an age file, already checked). */
  envelopeBase64: string;
  envelopeSize: number;
  /** Upload ids, in attachment order. */
  attachments: string[];
}

/** A stored envelope: bytes from its row, or a blob for submissions stored before migration 0004. */
export type StoredEnvelope = { base64: string } | { blobKey: string };

export class SubmissionStore {
  constructor(private readonly options: SubmissionStoreOptions) {}

  async store(submission: NewSubmission): Promise<Receipt> {
    const { db, now, locks } = this.options;
    const { attachments } = submission;
    if (new Set(attachments).size !== attachments.length) throw new DomainError("invalid_body", "An upload can be attached only once.");
    // A desk the roster no longer names (listed = 0) takes no new tips: nobody reads it.
    const desk = await db.selectFrom("desks").select("id").where("id", "=", submission.desk).where("listed", "=", 1).executeTakeFirst();
    if (!desk) throw new DomainError("unknown_desk", "There is no such desk.");

    return locks.run(attachments, async ({ db, blobs, commit }) => {
      const uploads = attachments.length
        ? await db
            .selectFrom("uploads")
            .select(["id", "parts", "bytes", "part_names"])
            .where("id", "in", attachments)
            .where("expires_day", ">=", coarseDay(now()))
            .execute()
        : [];
      const byId = new Map(uploads.map((u) => [u.id, u]));
      for (const uploadId of attachments) {
        const u = byId.get(uploadId);
        if (!u || Number(u.parts) === 0) throw incomplete();
      }
      // Sealed first, in one statement, each on the part count just read: from here no part is counted
      // (routes/uploads.ts counts one only while sealed = 0), so this attempt and any other one (a retry,
      // another isolate of a deployment without locks) assemble the same bytes.
      if (attachments.length > 0) {
        const sealed = await db
          .updateTable("uploads")
          .set({ sealed: 1 })
          .where((eb) => eb.or(attachments.map((uploadId) => eb.and([eb("id", "=", uploadId), eb("parts", "=", Number(byId.get(uploadId)!.parts))]))))
          .executeTakeFirst();
        if (Number(sealed.numUpdatedRows) !== attachments.length) throw incomplete();
      }
      const id = randomId();
      // Attachment blobs first, rows last: a crash in between leaves only unreferenced blobs, which the
      // maintenance sweep removes, and the uploads stay claimable (an attachment keeps its upload's id,
      // so a retry finds it).
      const size = (uploadId: string) => Number(byId.get(uploadId)!.bytes);
      for (const uploadId of attachments) {
        await blobs.completeUpload(uploadId, size(uploadId), `attachments/${uploadId}`, byId.get(uploadId)!.part_names);
      }
      const day = coarseDay(now());
      try {
        await commit(async (tx) => {
          await tx
            .insertInto("submissions")
            .values({ id, desk_id: submission.desk, received_day: day, envelope_size: submission.envelopeSize, envelope: submission.envelopeBase64 })
            .execute();
          if (attachments.length > 0) {
            // Each attachment's size is read from its upload's row in the same commit: a row another
            // attempt consumed meanwhile gives NULL, which the column refuses, and the whole commit fails.
            await tx
              .insertInto("attachments")
              .values(
                attachments.map((uploadId, position) => ({
                  id: uploadId,
                  submission_id: id,
                  position,
                  size: (eb) => eb.selectFrom("uploads").select("bytes").where("id", "=", uploadId),
                })),
              )
              .execute();
            await tx.deleteFrom("uploads").where("id", "in", attachments).execute();
          }
        });
      } catch (e) {
        // Another attempt consumed an upload between this one's read and its commit (only possible where
        // nothing is locked: D1): that attempt's submission holds it.
        const left = await this.options.db.selectFrom("uploads").select("id").where("id", "in", attachments).execute();
        if (left.length < attachments.length) throw incomplete();
        throw e;
      }
      return { id, day };
    });
  }

  /**
   * Every submission stored for one of `desks` (the reader's), oldest day first, with its attachments in
   * order. Other desks' are not listed, so an editor's pull never downloads them.
   */
  async list(desks: ReadonlySet<string>): Promise<SubmissionSummary[]> {
    const { db } = this.options;
    if (desks.size === 0) return [];
    const submissions = await db
      .selectFrom("submissions")
      .select(["id", "desk_id", "received_day", "envelope_size"])
      .where("desk_id", "in", [...desks])
      .orderBy("received_day")
      .orderBy("id")
      .execute();
    const attachments = await db
      .selectFrom("attachments")
      .innerJoin("submissions", "submissions.id", "attachments.submission_id")
      .select(["attachments.id", "attachments.submission_id", "attachments.position", "attachments.size"])
      .where("submissions.desk_id", "in", [...desks])
      .execute();
    return submissions.map((s) => ({
      id: s.id,
      desk: s.desk_id,
      day: s.received_day,
      envelopeSize: Number(s.envelope_size),
      attachments: attachments
        .filter((a) => a.submission_id === s.id)
        .sort((a, b) => a.position - b.position)
        .map((a) => ({ id: a.id, position: Number(a.position), size: Number(a.size) })),
    }));
  }

  /** The envelope of a submission of one of `desks` (else `outside_desk`). */
  async envelope(id: string, desks: ReadonlySet<string>): Promise<StoredEnvelope> {
    const row = await this.options.db.selectFrom("submissions").select(["envelope", "desk_id"]).where("id", "=", id).executeTakeFirst();
    if (!row) throw new DomainError("not_found", "No such submission.");
    requireDesk(desks, row.desk_id);
    return row.envelope === null ? { blobKey: `envelopes/${id}` } : { base64: row.envelope };
  }

  /** The blob key of an attachment of a submission of one of `desks` (else `outside_desk`). */
  async attachment(id: string, desks: ReadonlySet<string>): Promise<string> {
    const row = await this.options.db
      .selectFrom("attachments")
      .innerJoin("submissions", "submissions.id", "attachments.submission_id")
      .select("submissions.desk_id")
      .where("attachments.id", "=", id)
      .executeTakeFirst();
    if (!row) throw new DomainError("not_found", "No such attachment.");
    requireDesk(desks, row.desk_id);
    return `attachments/${id}`;
  }

  /**
   * Deletes a submission of one of `desks` (else `outside_desk`) and its attachments: rows first, so a
   * crash leaves only unreferenced blobs.
   */
  async remove(id: string, desks: ReadonlySet<string>): Promise<void> {
    const { db, blobs } = this.options;
    const attachments = await db.transaction().execute(async (tx) => {
      const found = await tx.selectFrom("submissions").select("desk_id").where("id", "=", id).executeTakeFirst();
      if (!found) throw new DomainError("not_found", "No such submission.");
      requireDesk(desks, found.desk_id);
      const rows = await tx.selectFrom("attachments").select("id").where("submission_id", "=", id).execute();
      await tx.deleteFrom("attachments").where("submission_id", "=", id).execute();
      await tx.deleteFrom("submissions").where("id", "=", id).execute();
      return rows;
    });
    // Only submissions stored before migration 0004 have an envelope blob; deleting a missing one is no error.
    await blobs.delete(`envelopes/${id}`);
    for (const a of attachments) await blobs.delete(`attachments/${a.id}`);
  }
}
