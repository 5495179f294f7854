// A source's submission: the envelope (kept in the submission's row) plus the uploads it names, committed
// together. The receipt is returned only after every byte and row is durable (invariant 6).
import { Hono } from "hono";
import { randomId } from "../../core/bytes.js";
import { coarseDay } from "../../core/time.js";
import { LIMITS, type Receipt, submissionRequest } from "../../core/wire.js";
import { decodeBase64Field, readJson, requireAgeFile } from "../body.js";
import { committer, type Deps } from "../deps.js";
import { HttpError } from "../http-error.js";
import type { KeyedLock } from "../keyed-lock.js";

export function submissionRoutes(deps: Deps, locks: KeyedLock): Hono {
  const app = new Hono();

  app.post("/", async (c) => {
    const body = await readJson(c, submissionRequest, LIMITS.maxJsonBodyBytes);
    const envelope = decodeBase64Field(body.envelope, "envelope");
    if (envelope.length > LIMITS.maxEnvelopeBytes) {
      throw new HttpError(413, "payload_too_large", `The envelope may hold at most ${LIMITS.maxEnvelopeBytes} bytes.`);
    }
    requireAgeFile(envelope, "The envelope");
    if (new Set(body.attachments).size !== body.attachments.length) {
      throw new HttpError(400, "invalid_body", "An upload can be attached only once.");
    }
    const desk = await deps.db.selectFrom("desks").select("id").where("id", "=", body.desk).executeTakeFirst();
    if (!desk) throw new HttpError(400, "unknown_desk", "There is no such desk.");

    return locks.runAll(body.attachments, async () => {
      const uploads = body.attachments.length
        ? await deps.db
            .selectFrom("uploads")
            .select(["id", "parts", "bytes"])
            .where("id", "in", body.attachments)
            .where("expires_day", ">=", coarseDay(deps.now()))
            .execute()
        : [];
      const byId = new Map(uploads.map((u) => [u.id, u]));
      for (const uploadId of body.attachments) {
        const u = byId.get(uploadId);
        if (!u || Number(u.parts) === 0) {
          throw new HttpError(400, "upload_incomplete", "An attachment's upload is missing, empty, expired or already used.");
        }
      }
      const submissionId = randomId();
      // Attachment blobs first, rows last: a crash in between leaves only unreferenced blobs, swept at
      // start-up, and the uploads stay claimable (an attachment keeps its upload's id, so a retry finds
      // it). The envelope goes into the row itself, as the base64 the request carried (checked above).
      for (const uploadId of body.attachments) {
        await deps.blobs.completeUpload(uploadId, Number(byId.get(uploadId)!.bytes), `attachments/${uploadId}`);
      }
      const day = coarseDay(deps.now());
      await committer(deps)(async (tx) => {
        await tx
          .insertInto("submissions")
          .values({ id: submissionId, desk_id: body.desk, received_day: day, envelope_size: envelope.length, envelope: body.envelope })
          .execute();
        if (body.attachments.length > 0) {
          await tx
            .insertInto("attachments")
            .values(
              body.attachments.map((uploadId, position) => ({
                id: uploadId,
                submission_id: submissionId,
                position,
                size: Number(byId.get(uploadId)!.bytes),
              })),
            )
            .execute();
          await tx.deleteFrom("uploads").where("id", "in", body.attachments).execute();
        }
      });
      return c.json({ id: submissionId, day } satisfies Receipt, 201);
    });
  });

  return app;
}
