-- The newsroom roster (docs/FORMAT.md, "Newsroom root and roster"): the signed log the server stores and
-- serves but cannot write, since only the root and admins hold keys that sign entries. The editors, desks
-- and desk_editors tables become a projection of the verified log, rewritten with each entry appended;
-- a newsroom set up before this migration keeps its rows until it adopts a roster.

CREATE TABLE roster_entries (
  seq INTEGER PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  -- The entry as verified: JSON {"body": …, "signature": …}.
  entry TEXT NOT NULL
);

-- Editors of a newsroom without a roster could do everything: they stay admins until the roster says otherwise.
ALTER TABLE editors ADD COLUMN role TEXT NOT NULL DEFAULT 'admin';
-- Per-language names from the roster, JSON {"en": …, "ko": …, "zh": …}; NULL before a roster ({"en": name}).
ALTER TABLE newsroom ADD COLUMN names TEXT;
ALTER TABLE desks ADD COLUMN names TEXT;
-- 0: a desk the roster does not name (it keeps its old submissions but takes no new ones).
ALTER TABLE desks ADD COLUMN listed INTEGER NOT NULL DEFAULT 1;
-- The desk a reply or note belongs to, so editors see only their desks' (NULL: posted before desks were named; every editor's).
ALTER TABLE replies ADD COLUMN desk_id TEXT;
ALTER TABLE notes ADD COLUMN desk_id TEXT;
