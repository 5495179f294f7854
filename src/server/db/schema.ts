// The single typed description of the schema in migrations/. Column names are snake_case as stored.
import type { Generated, InsertType, SelectType } from "kysely";

export interface NewsroomTable {
  id: number;
  name: string;
  created_day: string;
  /** JSON per-language names from the roster; null before one. */
  names: string | null;
}
export interface DeskTable {
  id: string;
  name: string;
  position: number;
  /** JSON per-language names from the roster; null before one. */
  names: string | null;
  /** 0 for a desk the roster does not name. */
  listed: Generated<number>;
}
export interface EditorTable {
  id: string;
  name: string;
  age_recipient: string;
  sign_public_key: string;
  revoked: Generated<number>;
  added_day: string;
  /** "admin" or "editor"; editors stored before the roster are admins. */
  role: Generated<string>;
}
export interface DeskEditorTable {
  desk_id: string;
  editor_id: string;
}
export interface SubmissionTable {
  id: string;
  desk_id: string;
  received_day: string;
  envelope_size: number;
  /** Base64 of the envelope's age file; null for submissions stored before migration 0004 (a blob then). */
  envelope: string | null;
  /** Space-separated ids of editors who downloaded the envelope (migration 0007, retention). */
  pulled_by: Generated<string>;
}
export interface AttachmentTable {
  id: string;
  submission_id: string;
  position: number;
  size: number;
  /** Space-separated ids of editors who downloaded the attachment (migration 0007, retention). */
  pulled_by: Generated<string>;
}
export interface UploadTable {
  id: string;
  parts: Generated<number>;
  bytes: Generated<number>;
  expires_day: string;
  /** Names of the accepted parts' blobs, in order, fixed-width (migration 0010); '' where offsets name them. */
  part_names: Generated<string>;
  /** 1 once a submission began to consume the upload: no part is accepted after that. */
  sealed: Generated<number>;
}
export interface RequestNonceTable {
  nonce: string;
  expires_at: number;
}

export interface MailboxTable {
  id: string;
  credential_hash: string;
  /** The UTC day of the mailbox's last activity (a reply, or its source checking it); null before migration 0007. */
  active_day: string | null;
}
export interface ReplyTable {
  id: string;
  mailbox_id: string;
  created_day: string;
  size: number;
  /** The desk it belongs to; null for replies posted without one (every editor's). */
  desk_id: string | null;
}
export interface NoteTable {
  id: string;
  created_day: string;
  size: number;
  desk_id: string | null;
}
export interface RosterEntryTable {
  seq: number;
  hash: string;
  /** JSON {"body", "signature"}, as verified. */
  entry: string;
}

export interface PowSpentTable {
  seed: string;
  expires_at: number;
}
export interface BudgetWindowTable {
  budget: string;
  window_end: number;
  used: number;
}
export interface ServerSecretTable {
  name: string;
  value: string;
}

export interface Database {
  newsroom: NewsroomTable;
  desks: DeskTable;
  editors: EditorTable;
  desk_editors: DeskEditorTable;
  submissions: SubmissionTable;
  attachments: AttachmentTable;
  uploads: UploadTable;
  request_nonces: RequestNonceTable;
  mailboxes: MailboxTable;
  replies: ReplyTable;
  notes: NoteTable;
  pow_spent: PowSpentTable;
  server_secrets: ServerSecretTable;
  roster_entries: RosterEntryTable;
  budget_windows: BudgetWindowTable;
}

/** How a column is declared in migrations/: its SQL type, whether it may hold NULL, whether it has a DEFAULT. */
export interface ColumnDeclaration {
  sql: "TEXT" | "INTEGER" | "BIGINT";
  nullable?: true;
  default?: true;
}
const text = { sql: "TEXT" } as const;
const integer = { sql: "INTEGER" } as const;
const bigint = { sql: "BIGINT" } as const;
const nullable = <C extends ColumnDeclaration>(c: C) => ({ ...c, nullable: true }) as C & { nullable: true };
const withDefault = <C extends ColumnDeclaration>(c: C) => ({ ...c, default: true }) as C & { default: true };

/**
 * `Database` at run time: every table and column, as migrations/ declare them. tests/server/schema.test.ts
 * compares it with the schema the migrations really give; the type checks below tie it to `Database`
 * (the same tables and columns, TEXT as string, INTEGER/BIGINT as number, NULL as `| null`, DEFAULT as
 * `Generated`), so the interfaces, this list and the SQL cannot drift apart.
 */
export const COLUMNS = {
  newsroom: { id: integer, name: text, created_day: text, names: nullable(text) },
  desks: { id: text, name: text, position: integer, names: nullable(text), listed: withDefault(integer) },
  editors: { id: text, name: text, age_recipient: text, sign_public_key: text, revoked: withDefault(integer), added_day: text, role: withDefault(text) },
  desk_editors: { desk_id: text, editor_id: text },
  submissions: { id: text, desk_id: text, received_day: text, envelope_size: bigint, envelope: nullable(text), pulled_by: withDefault(text) },
  attachments: { id: text, submission_id: text, position: integer, size: bigint, pulled_by: withDefault(text) },
  uploads: { id: text, parts: withDefault(integer), bytes: withDefault(bigint), expires_day: text, part_names: withDefault(text), sealed: withDefault(integer) },
  request_nonces: { nonce: text, expires_at: bigint },
  mailboxes: { id: text, credential_hash: text, active_day: nullable(text) },
  replies: { id: text, mailbox_id: text, created_day: text, size: bigint, desk_id: nullable(text) },
  notes: { id: text, created_day: text, size: bigint, desk_id: nullable(text) },
  pow_spent: { seed: text, expires_at: bigint },
  server_secrets: { name: text, value: text },
  roster_entries: { seq: integer, hash: text, entry: text },
  budget_windows: { budget: text, window_end: bigint, used: integer },
} as const satisfies { [T in keyof Database]: { [C in keyof Database[T]]-?: ColumnDeclaration } };

type TypeOf<D> = (D extends { sql: "TEXT" } ? string : number) | (D extends { nullable: true } ? null : never);
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Agrees<Column, D> =
  Same<SelectType<Column>, TypeOf<D>> extends true ? Same<undefined extends InsertType<Column> ? true : false, D extends { default: true } ? true : false> : false;
type Disagreements = {
  [T in keyof Database]: {
    [C in keyof Database[T]]: C extends keyof (typeof COLUMNS)[T] ? (Agrees<Database[T][C], (typeof COLUMNS)[T][C]> extends true ? never : `${T}.${C & string}`) : `${T}.${C & string}`;
  }[keyof Database[T]];
}[keyof Database];
/** A type error here ("'true' is not assignable to \"disagrees: table.column\"") names each column whose type in `Database` disagrees with COLUMNS. */
const columnsAgree: [Disagreements] extends [never] ? true : `disagrees: ${Disagreements}` = true;
void columnsAgree;
