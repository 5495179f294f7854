// Retention and deletion (docs/THREAT-MODEL.md, "Retention and deletion"): the operator's expiry settings,
// the sweep the maintenance job runs with them (maintenance.ts), and the deletions editors ask for
// (routes/editor-deletes.ts). Every deletion removes rows first and blobs after, so a crash in between
// leaves only unreferenced blobs, which the maintenance job removes; then the deployment scrubs its files
// (`Deps.scrub`: on SQLite a TRUNCATE checkpoint, so the WAL keeps no copy of what was deleted).
//
// Times are UTC days only. An item whose day is D and whose setting is N days is deleted by the first sweep
// on a day after D + N: it is kept at least N whole days.
import { type Kysely, sql } from "kysely";
import { coarseDay } from "../core/time.js";
import type { BlobStore } from "./blobs.js";
import type { Database } from "./db/schema.js";

/** What the operator keeps, and for how long (`sealdrop serve --keep-…`, the Workers `SEALDROP_KEEP_…` vars). Unset: forever. */
export interface RetentionPolicy {
  /** Days a submission is kept after the day it arrived. */
  submissionDays?: number | undefined;
  /** Delete a submission once every active editor of its desk has downloaded it (envelope and attachments). */
  submissionsWhenPulled?: boolean | undefined;
  /** Days a reply is kept after the day it was posted. */
  replyDays?: number | undefined;
  /** Days a desk note is kept after the day it was posted. */
  noteDays?: number | undefined;
  /** Days a mailbox (and every reply in it) is kept after its last activity: a reply posted, or its source checking it. */
  mailboxDays?: number | undefined;
}

/** What one sweep deleted. */
export interface RetentionReport {
  submissions: number;
  replies: number;
  notes: number;
  mailboxes: number;
}

export const MAX_RETENTION_DAYS = 36_500;

/** Parses a number of days for a retention setting; throws an Error that names the setting. */
export function parseRetentionDays(name: string, text: string): number {
  const n = Number(text);
  if (!/^\d{1,5}$/.test(text) || n < 1 || n > MAX_RETENTION_DAYS) throw new Error(`${name} takes a whole number of days from 1 to ${MAX_RETENTION_DAYS}, not ${JSON.stringify(text)}`);
  return n;
}

/** Whether the policy deletes anything at all. */
export const retains = (p: RetentionPolicy | undefined): boolean =>
  p !== undefined && (p.submissionDays !== undefined || p.submissionsWhenPulled === true || p.replyDays !== undefined || p.noteDays !== undefined || p.mailboxDays !== undefined);

/** What the source page is told (GET /api/newsroom, `retention`): the settings that concern sources. */
export function publicRetention(p: RetentionPolicy | undefined) {
  return {
    submissionDays: p?.submissionDays ?? null,
    submissionsWhenPulled: p?.submissionsWhenPulled === true,
    replyDays: p?.replyDays ?? null,
    mailboxDays: p?.mailboxDays ?? null,
  };
}

/** The latest day an item may carry and still be deleted today under a setting of `days`. */
const lastExpiredDay = (now: Date, days: number): string => coarseDay(new Date(now.getTime() - (days + 1) * 86_400_000));

/** In slices: D1 binds at most 100 values per statement. */
function slices<T>(items: readonly T[], size = 50): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Deletions (rows, then blobs). Callers do their reads and checks first; these only delete.

/** Deletes submissions and their attachments. Returns how many of them there were. */
export async function deleteSubmissions(db: Kysely<Database>, blobs: BlobStore, ids: readonly string[]): Promise<number> {
  // Counted by reading first: inside a D1 transaction a write reports no row count (workers/d1-dialect.ts).
  const found: string[] = [];
  const attachments: string[] = [];
  for (const part of slices(ids)) {
    for (const s of await db.selectFrom("submissions").select("id").where("id", "in", part).execute()) found.push(s.id);
    for (const a of await db.selectFrom("attachments").select("id").where("submission_id", "in", part).execute()) attachments.push(a.id);
  }
  for (const part of slices(found)) {
    await db.transaction().execute(async (tx) => {
      await tx.deleteFrom("attachments").where("submission_id", "in", part).execute();
      await tx.deleteFrom("submissions").where("id", "in", part).execute();
    });
  }
  // Only submissions stored before migration 0004 have an envelope blob; deleting a missing one is no error.
  for (const id of ids) await blobs.delete(`envelopes/${id}`);
  for (const id of attachments) await blobs.delete(`attachments/${id}`);
  return found.length;
}

/** Deletes replies or notes by id. Returns how many of them there were. */
export async function deleteItems(db: Kysely<Database>, blobs: BlobStore, table: "replies" | "notes", ids: readonly string[]): Promise<number> {
  let found = 0;
  for (const part of slices(ids)) {
    found += (await db.selectFrom(table).select("id").where("id", "in", part).execute()).length;
    await db.deleteFrom(table).where("id", "in", part).execute();
  }
  for (const id of ids) await blobs.delete(`${table}/${id}`);
  return found;
}

/** Deletes mailboxes and every reply in them. Returns how many of each there were. */
export async function deleteMailboxes(db: Kysely<Database>, blobs: BlobStore, ids: readonly string[]): Promise<{ mailboxes: number; replies: number }> {
  const found: string[] = [];
  const replies: string[] = [];
  for (const part of slices(ids)) {
    for (const m of await db.selectFrom("mailboxes").select("id").where("id", "in", part).execute()) found.push(m.id);
    for (const r of await db.selectFrom("replies").select("id").where("mailbox_id", "in", part).execute()) replies.push(r.id);
  }
  for (const part of slices(ids)) {
    await db.transaction().execute(async (tx) => {
      await tx.deleteFrom("replies").where("mailbox_id", "in", part).execute();
      await tx.deleteFrom("mailboxes").where("id", "in", part).execute();
    });
  }
  for (const id of replies) await blobs.delete(`replies/${id}`);
  return { mailboxes: found.length, replies: replies.length };
}

// ---------------------------------------------------------------------------------------------------
// Activity and pulls: what the sweep judges by.

/** Records that a mailbox saw activity today; writes only when the stored day is another. */
export async function touchMailbox(db: Kysely<Database>, mailbox: string, storedDay: string | null, now: Date): Promise<void> {
  const today = coarseDay(now);
  if (storedDay === today) return;
  await db.updateTable("mailboxes").set({ active_day: today }).where("id", "=", mailbox).execute();
}

/**
 * Wraps a download of `size` bytes so that `editorId` is recorded as having pulled the item before its
 * last byte is handed on (so a client that has every byte finds the pull recorded); a download cut short
 * records nothing. Only while the policy deletes pulled submissions: otherwise nothing is stored.
 */
export function recordingPull(
  db: Kysely<Database>,
  policy: RetentionPolicy | undefined,
  table: "submissions" | "attachments",
  id: string,
  editorId: string,
  size: number,
  body: ReadableStream<Uint8Array>,
): ReadableStream<Uint8Array> {
  if (policy?.submissionsWhenPulled !== true) return body;
  let seen = 0;
  let recorded = false;
  const record = async () => {
    if (recorded) return;
    recorded = true;
    const row = await db.selectFrom(table).select("pulled_by").where("id", "=", id).executeTakeFirst();
    if (!row || row.pulled_by.split(" ").includes(editorId)) return;
    // Appended in SQL, so two editors pulling at once both land.
    await db
      .updateTable(table)
      .set({ pulled_by: sql<string>`pulled_by || ${` ${editorId}`}` })
      .where("id", "=", id)
      .execute();
  };
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      async transform(chunk, controller) {
        seen += chunk.length;
        if (seen >= size) await record();
        controller.enqueue(chunk);
      },
      flush: () => (size === 0 ? record() : undefined),
    }),
  );
}

// ---------------------------------------------------------------------------------------------------
// The sweep.

async function expiredSubmissions(db: Kysely<Database>, policy: RetentionPolicy, now: Date): Promise<string[]> {
  const expired = new Set<string>();
  if (policy.submissionDays !== undefined) {
    const rows = await db.selectFrom("submissions").select("id").where("received_day", "<=", lastExpiredDay(now, policy.submissionDays)).execute();
    for (const r of rows) expired.add(r.id);
  }
  if (policy.submissionsWhenPulled === true) {
    const pulled = await db.selectFrom("submissions").select(["id", "desk_id", "pulled_by"]).where("pulled_by", "!=", "").execute();
    if (pulled.length > 0) {
      const members = await db
        .selectFrom("desk_editors")
        .innerJoin("editors", "editors.id", "desk_editors.editor_id")
        .select(["desk_editors.desk_id", "editors.id"])
        .where("editors.revoked", "=", 0)
        .execute();
      const attachments = await db.selectFrom("attachments").select(["submission_id", "pulled_by"]).execute();
      for (const s of pulled) {
        const readers = members.filter((m) => m.desk_id === s.desk_id).map((m) => m.id);
        // A desk nobody reads keeps its submissions: "every editor has pulled" must mean someone did.
        if (readers.length === 0) continue;
        const files = [s.pulled_by, ...attachments.filter((a) => a.submission_id === s.id).map((a) => a.pulled_by)].map((p) => new Set(p.split(" ")));
        if (readers.every((editor) => files.every((f) => f.has(editor)))) expired.add(s.id);
      }
    }
  }
  return [...expired];
}

/** Deletes what the policy says has expired by `now`. Callers scrub the files afterwards when anything went. */
export async function sweepRetention(db: Kysely<Database>, blobs: BlobStore, policy: RetentionPolicy, now: Date): Promise<RetentionReport> {
  const report: RetentionReport = { submissions: 0, replies: 0, notes: 0, mailboxes: 0 };
  report.submissions = await deleteSubmissions(db, blobs, await expiredSubmissions(db, policy, now));
  if (policy.mailboxDays !== undefined) {
    // Mailboxes from before migration 0007 start counting today.
    await db.updateTable("mailboxes").set({ active_day: coarseDay(now) }).where("active_day", "is", null).execute();
    const idle = await db.selectFrom("mailboxes").select("id").where("active_day", "<=", lastExpiredDay(now, policy.mailboxDays)).execute();
    const gone = await deleteMailboxes(db, blobs, idle.map((m) => m.id));
    report.mailboxes = gone.mailboxes;
    report.replies += gone.replies;
  }
  for (const [table, days] of [
    ["replies", policy.replyDays],
    ["notes", policy.noteDays],
  ] as const) {
    if (days === undefined) continue;
    const rows = await db.selectFrom(table).select("id").where("created_day", "<=", lastExpiredDay(now, days)).execute();
    report[table] += await deleteItems(
      db,
      blobs,
      table,
      rows.map((r) => r.id),
    );
  }
  return report;
}
