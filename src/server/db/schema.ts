// The single typed description of the schema in migrations/. Column names are snake_case as stored.
import type { Generated } from "kysely";

export interface NewsroomTable {
  id: number;
  name: string;
  created_day: string;
}
export interface DeskTable {
  id: string;
  name: string;
  position: number;
}
export interface EditorTable {
  id: string;
  name: string;
  age_recipient: string;
  sign_public_key: string;
  revoked: Generated<number>;
  added_day: string;
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
}
export interface AttachmentTable {
  id: string;
  submission_id: string;
  position: number;
  size: number;
}
export interface UploadTable {
  id: string;
  parts: Generated<number>;
  bytes: Generated<number>;
  expires_day: string;
}
export interface RequestNonceTable {
  nonce: string;
  expires_at: number;
}

export interface MailboxTable {
  id: string;
  credential_hash: string;
}
export interface ReplyTable {
  id: string;
  mailbox_id: string;
  created_day: string;
  size: number;
}
export interface NoteTable {
  id: string;
  created_day: string;
  size: number;
}

export interface PowSpentTable {
  seed: string;
  expires_at: number;
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
}
