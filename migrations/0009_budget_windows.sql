-- Request budgets and the proof of work's write load, shared by every node of a PostgreSQL deployment
-- (src/server/postgres/pg-budgets.ts, docs/SCALING.md "Budgets across nodes"). Counts of anonymous writes
-- (uploads, parts, submissions) per clock-aligned window: no key about a requester, no mailbox, nothing a
-- mailbox fetch or a challenge touches (those are counted in memory only). A row lives until its window and
-- the one after it have passed. SQLite (one process) and D1 (the Durable Object) count in memory and leave
-- the table empty: it is declared everywhere for one schema.
CREATE TABLE budget_windows (
  budget TEXT NOT NULL,
  window_end BIGINT NOT NULL,
  used INTEGER NOT NULL,
  PRIMARY KEY (budget, window_end)
) WITHOUT ROWID;
