// The vault's SQLite schema (`home/vault.sqlite`, vault.ts): its tables as Kysely sees them, and the
// statements that bring a vault from each version to the next (PRAGMA user_version; docs/FORMAT.md).
import type { Generated } from "kysely";

export const VAULT_VERSION = 4;

/** What the arrival sequence numbers: submissions (follow-ups included), replies and desk notes. */
export type ArrivalKind = "submission" | "reply" | "note";

interface VaultSubmissionTable {
  id: string;
  desk: string;
  day: string;
  envelope_size: number;
  envelope: Uint8Array;
}
interface VaultAttachmentTable {
  id: string;
  submission_id: string;
  position: number;
  size: number;
  data: Uint8Array;
}
/** A reply or desk note as the server lists it, with its age file. */
interface VaultItemTable {
  id: string;
  day: string;
  size: number;
  data: Uint8Array;
}
/** Version 3: a large attachment's age file lives in `vault-files/<file>`, streamed in and out. */
interface VaultAttachmentFileTable {
  id: string;
  submission_id: string;
  position: number;
  size: number;
  file: string;
}
/** Version 4: the local order in which items reached this vault (pulled, imported or written here). */
interface VaultArrivalTable {
  seq: Generated<number>;
  kind: ArrivalKind;
  id: string;
}
export interface VaultDatabase {
  arrivals: VaultArrivalTable;
  attachment_files: VaultAttachmentFileTable;
  submissions: VaultSubmissionTable;
  attachments: VaultAttachmentTable;
  replies: VaultItemTable;
  notes: VaultItemTable;
}

const SCHEMA = [
  `CREATE TABLE submissions (
    id TEXT PRIMARY KEY,
    desk TEXT NOT NULL,
    day TEXT NOT NULL,
    envelope_size INTEGER NOT NULL,
    envelope BLOB NOT NULL
  )`,
  `CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    submission_id TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL
  )`,
  `CREATE INDEX attachments_by_submission ON attachments (submission_id, position)`,
];

// Version 2: replies and desk notes (issue 3). `seq` keeps arrival order, the only order finer than a day.
const SCHEMA_V2 = ["replies", "notes"].map(
  (table) => `CREATE TABLE ${table} (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    day TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL
  )`,
);

// Version 3: large attachments as files (issue 4). `file` is a bare name inside vault-files/.
const SCHEMA_V3 = [
  `CREATE TABLE attachment_files (
    id TEXT PRIMARY KEY,
    submission_id TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    size INTEGER NOT NULL,
    file TEXT NOT NULL
  )`,
];

// Version 4: one local arrival sequence over submissions, replies and notes (issue 15): the only order finer
// than a day, kept on this machine only. Items already in an older vault are numbered by day, then
// submissions before replies before notes, each in the order the vault had.
const SCHEMA_V4 = [
  `CREATE TABLE arrivals (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    UNIQUE (kind, id)
  )`,
  `INSERT INTO arrivals (kind, id)
    SELECT kind, id FROM (
      SELECT 'submission' AS kind, id, day, 0 AS k, 0 AS s FROM submissions
      UNION ALL SELECT 'reply', id, day, 1, seq FROM replies
      UNION ALL SELECT 'note', id, day, 2, seq FROM notes
    ) ORDER BY day, k, s, id`,
];

/** The statements that bring a vault from version n - 1 to version n. */
export const UPGRADES: Record<number, string[]> = { 1: SCHEMA, 2: SCHEMA_V2, 3: SCHEMA_V3, 4: SCHEMA_V4 };
