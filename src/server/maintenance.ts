// The periodic job every entry runs (Node: at start and on a timer; Workers: the cron `scheduled`
// handler): drop expired uploads, rows and blobs, and any blob that no row refers to (left by a crash
// between writing blobs and committing rows, or between deleting rows and blobs). Only unacknowledged or
// deleted data is ever removed here. On PostgreSQL it also rewrites the tables so that no row's place or
// version tells when it arrived (db/reorder.ts).
//
// While the server runs, a blob is written before the row that refers to it (invariant 6), so a blob
// without a row may be one a request is about to commit. An orphan is therefore removed only once it has
// been seen without a row for `orphanGraceMs` by this job's own earlier runs, or, where the store keeps
// write times (R2: `BlobStore.writtenAt`), once it was written that long before the run; a run with
// `quiescent: true` (Node start-up, before the app serves) removes orphans at once. On Workers the write
// time is what makes orphans go at all: each cron event may land in a new isolate that saw no earlier run.
//
// Runs of one Maintenance never overlap. Several processes on one database (Node nodes on one PostgreSQL)
// each have their own, so a MaintenanceLock makes a run one at a time across them: a run that finds the
// lock taken does nothing and reports `skipped` (postgres/maintenance-lock.ts).
import type { Kysely } from "kysely";
import { coarseDay } from "../core/time.js";
import type { BlobStore } from "./blobs.js";
import { eraseArrivalOrder } from "./db/reorder.js";
import type { Database } from "./db/schema.js";
import { retains, type RetentionPolicy, type RetentionReport, sweepRetention } from "./retention.js";

export interface MaintenanceOptions {
  db: Kysely<Database>;
  blobs: BlobStore;
  /** The clock a run uses when not given a time. */
  now: () => Date;
  /** How long a blob must have been seen without a row before a live run removes it; default ten minutes. */
  orphanGraceMs?: number;
  /** The operator's retention settings (retention.ts); unset: nothing expires but unfinished uploads. */
  retention?: RetentionPolicy | undefined;
  /** Run after a sweep that deleted anything, so the deleted bytes leave the database files (Deps.scrub). */
  scrub?: (() => Promise<void>) | undefined;
  /** Shared by every process on the database; default none (one process: its own runs never overlap). */
  lock?: MaintenanceLock | undefined;
}

/**
 * One run at a time across processes. `attempt` runs `work` if no other holder has the lock and resolves
 * with its result, or resolves with null at once, running nothing, if another holder has it. It never
 * waits for another holder: the skipped turn's work is the running turn's.
 */
export interface MaintenanceLock {
  attempt<T>(work: () => Promise<T>): Promise<T | null>;
}

const UNLOCKED: MaintenanceLock = { attempt: (work) => work() };

export interface MaintenanceReport {
  expiredUploads: number;
  orphanBlobs: number;
  /** What retention deleted; present only when a retention policy is set. */
  retention?: RetentionReport;
  /** Present (and the counts 0) when the run did nothing because another process held the lock. */
  skipped?: true;
}

/** Every blob key the store holds, uploads as `uploads/<id>`. Listed before rows are read: see `run`. */
async function listBlobs(blobs: BlobStore): Promise<string[]> {
  const keys: string[] = [];
  for (const prefix of ["uploads", "envelopes", "attachments", "replies", "notes"]) {
    for (const id of await blobs.list(prefix)) keys.push(`${prefix}/${id}`);
  }
  return keys;
}

export class Maintenance {
  /** Orphans seen by earlier runs, with when they were first seen. */
  private readonly suspects = new Map<string, number>();
  private readonly graceMs: number;
  private running: Promise<MaintenanceReport> | null = null;

  constructor(private readonly options: MaintenanceOptions) {
    this.graceMs = options.orphanGraceMs ?? 10 * 60_000;
  }

  /** One sweep; a call while one runs waits for it and then runs its own. */
  async run(options: { now?: Date; quiescent?: boolean } = {}): Promise<MaintenanceReport> {
    const previous = this.running;
    const mine = (async () => {
      await previous?.catch(() => {});
      const ran = await (this.options.lock ?? UNLOCKED).attempt(async () => {
        const now = options.now ?? this.options.now();
        const report = await this.sweep(now, options.quiescent ?? false);
        return this.sweepRetention(now, report);
      });
      return ran ?? { expiredUploads: 0, orphanBlobs: 0, skipped: true as const };
    })();
    this.running = mine;
    try {
      return await mine;
    } finally {
      if (this.running === mine) this.running = null;
    }
  }

  /** Retention runs after the upload sweep; either deleting anything scrubs the database files once. */
  private async sweepRetention(now: Date, report: MaintenanceReport): Promise<MaintenanceReport> {
    const { db, blobs, retention, scrub } = this.options;
    const retained = retains(retention) ? await sweepRetention(db, blobs, retention!, now) : undefined;
    const deleted = report.expiredUploads + report.orphanBlobs + (retained ? retained.submissions + retained.replies + retained.notes + retained.mailboxes : 0);
    if (deleted > 0) await scrub?.();
    return retained ? { ...report, retention: retained } : report;
  }

  private async sweep(now: Date, quiescent: boolean): Promise<MaintenanceReport> {
    const { db, blobs } = this.options;
    const today = coarseDay(now);
    const expired = (await db.selectFrom("uploads").select("id").where("expires_day", "<", today).execute()).map((r) => r.id);
    // Rows first: a part written meanwhile finds no upload, and its bytes are an orphan for a later run.
    // In slices: D1 binds at most 100 values per statement.
    for (let i = 0; i < expired.length; i += 50) {
      await db.deleteFrom("uploads").where("id", "in", expired.slice(i, i + 50)).execute();
    }
    for (const id of expired) await blobs.abortUpload(id);

    // Blobs are listed before rows are read, and rows are read uploads before attachments: a submission
    // moves an upload's blob and then, in one commit, adds its attachment row and drops its upload row,
    // so a blob listed here is found under one of the two.
    const listed = await listBlobs(blobs);
    const referenced = new Set<string>();
    for (const r of await db.selectFrom("uploads").select("id").execute()) {
      referenced.add(`uploads/${r.id}`);
      // An attachment blob whose upload is still live belongs to a submission that may yet be retried.
      referenced.add(`attachments/${r.id}`);
    }
    for (const r of await db.selectFrom("attachments").select("id").execute()) referenced.add(`attachments/${r.id}`);
    for (const r of await db.selectFrom("submissions").select("id").execute()) referenced.add(`envelopes/${r.id}`);
    for (const table of ["replies", "notes"] as const) {
      for (const r of await db.selectFrom(table).select("id").execute()) referenced.add(`${table}/${r.id}`);
    }

    let orphanBlobs = 0;
    const nowMs = now.getTime();
    const seen = new Set<string>();
    for (const key of listed) {
      if (referenced.has(key)) continue;
      seen.add(key);
      let since = this.suspects.get(key) ?? nowMs;
      if (!quiescent && blobs.writtenAt) {
        const written = await blobs.writtenAt(key);
        if (written === null) continue; // gone meanwhile
        since = Math.min(since, written);
      }
      this.suspects.set(key, since);
      if (!quiescent && nowMs - since < this.graceMs) continue;
      const [prefix, id] = key.split("/") as [string, string];
      if (prefix === "uploads") await blobs.abortUpload(id);
      else await blobs.delete(key);
      this.suspects.delete(key);
      orphanBlobs++;
    }
    for (const key of this.suspects.keys()) if (!seen.has(key)) this.suspects.delete(key);
    await eraseArrivalOrder(db);
    return { expiredUploads: expired.length, orphanBlobs };
  }
}
