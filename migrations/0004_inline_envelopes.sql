-- Envelopes live in their submission's row (base64 of the age file, as the source's request carried it)
-- instead of one blob each: one durable commit per group of tips instead of a file, an fsync and a
-- rename per tip, and no per-tip file or object whose own times tell when it arrived. Submissions stored
-- before this migration keep their envelope blob and NULL here; the server reads either.

ALTER TABLE submissions ADD COLUMN envelope TEXT;
