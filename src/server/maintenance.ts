// Start-up housekeeping: drop expired uploads and any blob that no row refers to (left by a crash
// between writing blobs and committing rows, or between deleting rows and blobs). Only unacknowledged
// or deleted data is ever removed here.
import { coarseDay } from "../core/time.js";
import type { Deps } from "./deps.js";

export interface SweepReport {
  expiredUploads: number;
  orphanBlobs: number;
}

export async function sweepOrphans(deps: Deps): Promise<SweepReport> {
  const today = coarseDay(deps.now());
  const expired = await deps.db.selectFrom("uploads").select("id").where("expires_day", "<", today).execute();
  if (expired.length > 0) {
    await deps.db.deleteFrom("uploads").where("expires_day", "<", today).execute();
  }
  const live = new Set((await deps.db.selectFrom("uploads").select("id").execute()).map((r) => r.id));
  const submissions = new Set((await deps.db.selectFrom("submissions").select("id").execute()).map((r) => r.id));
  const attachments = new Set((await deps.db.selectFrom("attachments").select("id").execute()).map((r) => r.id));

  let orphanBlobs = 0;
  for (const id of await deps.blobs.list("uploads")) {
    if (!live.has(id)) {
      await deps.blobs.abortUpload(id);
      orphanBlobs++;
    }
  }
  for (const id of await deps.blobs.list("envelopes")) {
    if (!submissions.has(id)) {
      await deps.blobs.delete(`envelopes/${id}`);
      orphanBlobs++;
    }
  }
  // An attachment blob whose upload is still live belongs to a submission that may yet be retried.
  for (const id of await deps.blobs.list("attachments")) {
    if (!attachments.has(id) && !live.has(id)) {
      await deps.blobs.delete(`attachments/${id}`);
      orphanBlobs++;
    }
  }
  for (const table of ["replies", "notes"] as const) {
    const known = new Set((await deps.db.selectFrom(table).select("id").execute()).map((r) => r.id));
    for (const id of await deps.blobs.list(table)) {
      if (!known.has(id)) {
        await deps.blobs.delete(`${table}/${id}`);
        orphanBlobs++;
      }
    }
  }
  return { expiredUploads: expired.length, orphanBlobs };
}
