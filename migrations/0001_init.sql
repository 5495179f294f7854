-- sealdrop schema, version 1. Plain SQL that SQLite, Cloudflare D1 and PostgreSQL all accept, applied the
-- same way to each (docs/ARCHITECTURE.md, "One schema"). Ciphertext lives in the blob store, never here.
-- Ids are random; times are UTC days (YYYY-MM-DD); sizes are of padded ciphertext.

CREATE TABLE newsroom (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  name TEXT NOT NULL,
  created_day TEXT NOT NULL
);

CREATE TABLE desks (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  position INTEGER NOT NULL
);

CREATE TABLE editors (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  age_recipient TEXT NOT NULL,
  sign_public_key TEXT NOT NULL UNIQUE,
  revoked INTEGER NOT NULL DEFAULT 0,
  added_day TEXT NOT NULL
);

CREATE TABLE desk_editors (
  desk_id TEXT NOT NULL REFERENCES desks (id),
  editor_id TEXT NOT NULL REFERENCES editors (id),
  PRIMARY KEY (desk_id, editor_id)
);

CREATE TABLE submissions (
  id TEXT PRIMARY KEY,
  desk_id TEXT NOT NULL REFERENCES desks (id),
  received_day TEXT NOT NULL,
  envelope_size BIGINT NOT NULL
);

CREATE TABLE attachments (
  id TEXT PRIMARY KEY,
  submission_id TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  size BIGINT NOT NULL
);
CREATE INDEX attachments_by_submission ON attachments (submission_id);

-- An upload in progress: parts arrive in order and are appended; `bytes` is the durable length.
CREATE TABLE uploads (
  id TEXT PRIMARY KEY,
  parts INTEGER NOT NULL DEFAULT 0,
  bytes BIGINT NOT NULL DEFAULT 0,
  expires_day TEXT NOT NULL
);

-- Nonces of signed editor requests, kept until their signature window has passed (replay protection).
CREATE TABLE request_nonces (
  nonce TEXT PRIMARY KEY,
  expires_at BIGINT NOT NULL
);
