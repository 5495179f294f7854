-- Nothing that tells arrival order (docs/INVARIANTS.md, invariant 3). Every table that holds items is
-- rebuilt keyed by its random id alone: on SQLite and D1 as a WITHOUT ROWID table, whose rows are kept in
-- key order with no rowid counting them as they arrive; on PostgreSQL (migrate.ts drops the words
-- WITHOUT ROWID, which it does not know) as a heap table refilled here in key order, re-ordered by the
-- maintenance job afterwards (src/server/db/reorder.ts). No serial or rowid column exists anywhere.
-- newsroom (one row) and roster_entries (seq numbers a public, signed log) keep their integer keys.
--
-- Rows are copied aside, the old tables dropped children first (so no ON DELETE CASCADE fires and no
-- foreign key is left pointing at a dropped table), the new ones created parents first and refilled.
-- request_nonces is not copied: its rows named an editor and a request's exact second, and they expire
-- within minutes anyway (src/server/request-nonces.ts keeps only a keyed hash and a coarse expiry now).

CREATE TABLE copy_desks AS SELECT id, name, position, names, listed FROM desks;
CREATE TABLE copy_editors AS SELECT id, name, age_recipient, sign_public_key, revoked, added_day, role FROM editors;
CREATE TABLE copy_desk_editors AS SELECT desk_id, editor_id FROM desk_editors;
CREATE TABLE copy_submissions AS SELECT id, desk_id, received_day, envelope_size, envelope FROM submissions;
CREATE TABLE copy_attachments AS SELECT id, submission_id, position, size FROM attachments;
CREATE TABLE copy_uploads AS SELECT id, parts, bytes, expires_day FROM uploads;
CREATE TABLE copy_mailboxes AS SELECT id, credential_hash FROM mailboxes;
CREATE TABLE copy_replies AS SELECT id, mailbox_id, created_day, size, desk_id FROM replies;
CREATE TABLE copy_notes AS SELECT id, created_day, size, desk_id FROM notes;
CREATE TABLE copy_pow_spent AS SELECT seed, expires_at FROM pow_spent;
CREATE TABLE copy_server_secrets AS SELECT name, value FROM server_secrets;

DROP TABLE attachments;
DROP TABLE replies;
DROP TABLE desk_editors;
DROP TABLE submissions;
DROP TABLE mailboxes;
DROP TABLE desks;
DROP TABLE editors;
DROP TABLE uploads;
DROP TABLE request_nonces;
DROP TABLE notes;
DROP TABLE pow_spent;
DROP TABLE server_secrets;

CREATE TABLE desks (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  names TEXT,
  listed INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;

CREATE TABLE editors (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  age_recipient TEXT NOT NULL,
  sign_public_key TEXT NOT NULL UNIQUE,
  revoked INTEGER NOT NULL DEFAULT 0,
  added_day TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT 'admin'
) WITHOUT ROWID;

CREATE TABLE desk_editors (
  desk_id TEXT NOT NULL REFERENCES desks (id),
  editor_id TEXT NOT NULL REFERENCES editors (id),
  PRIMARY KEY (desk_id, editor_id)
) WITHOUT ROWID;

CREATE TABLE submissions (
  id TEXT PRIMARY KEY,
  desk_id TEXT NOT NULL REFERENCES desks (id),
  received_day TEXT NOT NULL,
  envelope_size BIGINT NOT NULL,
  envelope TEXT
) WITHOUT ROWID;

CREATE TABLE attachments (
  id TEXT PRIMARY KEY,
  submission_id TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  size BIGINT NOT NULL
) WITHOUT ROWID;
CREATE INDEX attachments_by_submission ON attachments (submission_id);

CREATE TABLE uploads (
  id TEXT PRIMARY KEY,
  parts INTEGER NOT NULL DEFAULT 0,
  bytes BIGINT NOT NULL DEFAULT 0,
  expires_day TEXT NOT NULL
) WITHOUT ROWID;

-- nonce: a keyed hash of the editor and the request's nonce; expires_at: rounded up to five minutes.
CREATE TABLE request_nonces (
  nonce TEXT PRIMARY KEY,
  expires_at BIGINT NOT NULL
) WITHOUT ROWID;

CREATE TABLE mailboxes (
  id TEXT PRIMARY KEY,
  credential_hash TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE replies (
  id TEXT PRIMARY KEY,
  mailbox_id TEXT NOT NULL REFERENCES mailboxes (id),
  created_day TEXT NOT NULL,
  size BIGINT NOT NULL,
  desk_id TEXT
) WITHOUT ROWID;
CREATE INDEX replies_by_mailbox ON replies (mailbox_id);

CREATE TABLE notes (
  id TEXT PRIMARY KEY,
  created_day TEXT NOT NULL,
  size BIGINT NOT NULL,
  desk_id TEXT
) WITHOUT ROWID;

CREATE TABLE pow_spent (
  seed TEXT PRIMARY KEY,
  expires_at BIGINT NOT NULL
) WITHOUT ROWID;
CREATE INDEX pow_spent_by_expiry ON pow_spent (expires_at);

CREATE TABLE server_secrets (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

INSERT INTO desks (id, name, position, names, listed) SELECT id, name, position, names, listed FROM copy_desks ORDER BY id;
INSERT INTO editors (id, name, age_recipient, sign_public_key, revoked, added_day, role) SELECT id, name, age_recipient, sign_public_key, revoked, added_day, role FROM copy_editors ORDER BY id;
INSERT INTO desk_editors (desk_id, editor_id) SELECT desk_id, editor_id FROM copy_desk_editors ORDER BY desk_id, editor_id;
INSERT INTO submissions (id, desk_id, received_day, envelope_size, envelope) SELECT id, desk_id, received_day, envelope_size, envelope FROM copy_submissions ORDER BY id;
INSERT INTO attachments (id, submission_id, position, size) SELECT id, submission_id, position, size FROM copy_attachments ORDER BY id;
INSERT INTO uploads (id, parts, bytes, expires_day) SELECT id, parts, bytes, expires_day FROM copy_uploads ORDER BY id;
INSERT INTO mailboxes (id, credential_hash) SELECT id, credential_hash FROM copy_mailboxes ORDER BY id;
INSERT INTO replies (id, mailbox_id, created_day, size, desk_id) SELECT id, mailbox_id, created_day, size, desk_id FROM copy_replies ORDER BY id;
INSERT INTO notes (id, created_day, size, desk_id) SELECT id, created_day, size, desk_id FROM copy_notes ORDER BY id;
INSERT INTO pow_spent (seed, expires_at) SELECT seed, expires_at FROM copy_pow_spent ORDER BY seed;
INSERT INTO server_secrets (name, value) SELECT name, value FROM copy_server_secrets ORDER BY name;

DROP TABLE copy_desks;
DROP TABLE copy_editors;
DROP TABLE copy_desk_editors;
DROP TABLE copy_submissions;
DROP TABLE copy_attachments;
DROP TABLE copy_uploads;
DROP TABLE copy_mailboxes;
DROP TABLE copy_replies;
DROP TABLE copy_notes;
DROP TABLE copy_pow_spent;
DROP TABLE copy_server_secrets;
