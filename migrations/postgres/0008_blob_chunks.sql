-- PostgreSQL only (migrations/postgres/: migrate.ts applies these with migrations/*.sql in one name order;
-- SQLite keeps blobs as files and D1 has R2, so neither sees this table). Ciphertext blobs in the
-- database, so that any number of app nodes share one store and none keeps a data folder
-- (src/server/postgres/pg-blob-store.ts). A blob is `kind`/`id` as in its key (`attachments/<id>`, …;
-- `uploads/<id>` while an upload is unfinished), cut into chunks of at most 1 MiB, each starting at byte
-- `start`, contiguous from 0. Every write is one transaction, so a half-written blob is never visible.
CREATE TABLE blob_chunks (
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  start BIGINT NOT NULL,
  data BYTEA NOT NULL,
  PRIMARY KEY (kind, id, start)
);
-- Ciphertext does not compress: store chunks out of line without trying.
ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
