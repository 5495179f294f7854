-- What lets a part be accepted by one conditional statement, with no lock held between statements (Cloudflare
-- D1, whose isolates share nothing but the database; src/server/workers/d1-upload-locks.ts): a part's bytes
-- are first stored under a name of their own, and the UPDATE that counts the part (WHERE parts = the part's
-- number) records that name, so the attempt that moved `parts` is the one the upload is made of.
-- part_names: the names of the accepted parts, in part order, each PART_NAME_LENGTH characters, no separator;
-- '' for stores that write a part in place (files on one box, PostgreSQL's chunks), where the offset names it.
-- sealed: 1 once a submission has begun to consume the upload: no part is accepted after that, so every
-- attempt at consuming it (a retry, a second isolate) assembles the same bytes.
ALTER TABLE uploads ADD COLUMN part_names TEXT NOT NULL DEFAULT '';
ALTER TABLE uploads ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
