-- The anonymous two-way channel and desk notes. A mailbox is known only by its id and the hash of its
-- credential; nothing here names the submissions whose sources hold it.

CREATE TABLE mailboxes (
  id TEXT PRIMARY KEY,
  credential_hash TEXT NOT NULL
);

CREATE TABLE replies (
  id TEXT PRIMARY KEY,
  mailbox_id TEXT NOT NULL REFERENCES mailboxes (id),
  created_day TEXT NOT NULL,
  size BIGINT NOT NULL
);
CREATE INDEX replies_by_mailbox ON replies (mailbox_id);

-- Desk notes: age ciphertext to every editor; subject, tags and grades exist only inside it.
CREATE TABLE notes (
  id TEXT PRIMARY KEY,
  created_day TEXT NOT NULL,
  size BIGINT NOT NULL
);
