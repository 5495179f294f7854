-- Abuse resistance (docs/SECURITY.md): spent proof-of-work challenges, kept only until they expire, and
-- server-side secrets such as the key that authenticates challenges when the operator sets none. Nothing
-- here concerns a source: a challenge seed is random and linked to no row.

CREATE TABLE pow_spent (
  seed TEXT PRIMARY KEY,
  expires_at BIGINT NOT NULL
);
CREATE INDEX pow_spent_by_expiry ON pow_spent (expires_at);

CREATE TABLE server_secrets (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
