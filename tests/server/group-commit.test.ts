// Group commit on a real SQLite file: work arriving together shares one transaction, every caller gets
// its own result only once committed, and one failing piece of work never fails the others.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kysely, Transaction } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/server/db/schema.js";
import { groupCommit } from "../../src/server/group-commit.js";
import { openNodeDatabase } from "../../src/server/node/database.js";

let dir: string;
let db: Kysely<Database>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sealdrop-group-"));
  db = await openNodeDatabase(dir);
  await db.insertInto("desks").values({ id: "news", name: "News", position: 0 }).execute();
});
afterAll(async () => {
  await db.destroy();
  await rm(dir, { recursive: true, force: true });
});

const submission = (id: string) => (tx: Transaction<Database>) =>
  tx.insertInto("submissions").values({ id, desk_id: "news", received_day: "2026-01-01", envelope_size: 1 }).execute().then(() => id);

const stored = async () => (await db.selectFrom("submissions").select("id").execute()).map((r) => r.id).sort();

describe("groupCommit", () => {
  it("shares one transaction among work that arrives together and answers each caller with its own result", async () => {
    const commit = groupCommit(db);
    const transactions = new Set<unknown>();
    const ids = Array.from({ length: 40 }, (_, i) => `a${String(i).padStart(31, "0")}`);
    const results = await Promise.all(ids.map((id) => commit(async (tx) => (transactions.add(tx), submission(id)(tx)))));
    expect(results).toEqual(ids);
    expect(transactions.size).toBeLessThan(5);
    expect(await stored()).toEqual(expect.arrayContaining(ids));
  });

  it("retries the others alone when one piece of work fails: only that caller sees the error", async () => {
    const commit = groupCommit(db);
    const ids = Array.from({ length: 6 }, (_, i) => `b${String(i).padStart(31, "0")}`);
    const outcomes = await Promise.allSettled([
      ...ids.map((id) => commit(submission(id))),
      commit(submission(ids[0]!)), // the same id twice: a primary-key violation
      commit(async () => {
        throw new Error("refused");
      }),
    ]);
    expect(outcomes.slice(0, 6).map((o) => o.status)).toEqual(Array(6).fill("fulfilled"));
    expect(outcomes[6]!.status).toBe("rejected");
    expect((outcomes[7] as PromiseRejectedResult).reason.message).toBe("refused");
    const rows = await stored();
    for (const id of ids) expect(rows.filter((r) => r === id)).toHaveLength(1);
  });
});
