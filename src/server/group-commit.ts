// Group commit: write transactions that arrive together share one database transaction, so one
// commit serves many acknowledgements (on Node, with fewer WAL frames written; database.ts syncs them). Each caller's
// promise still settles only after the transaction holding its work has committed (invariant 6). If
// the shared transaction fails, every piece of work is retried alone, so one bad request never fails
// another. Work must touch only the transaction it is given: it may run twice (once rolled back).
import type { Kysely, Transaction } from "kysely";
import type { Database } from "./db/schema.js";

export type TransactionWork<T> = (tx: Transaction<Database>) => Promise<T>;
export type Committer = <T>(work: TransactionWork<T>) => Promise<T>;

/** One transaction per piece of work (what every deployment does unless it opts in to grouping). */
export const eachAlone =
  (db: Kysely<Database>): Committer =>
  (work) =>
    db.transaction().execute(work);

interface Pending {
  work: TransactionWork<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Groups work arriving in the same turn of the event loop (up to `maxGroup`) into one transaction. */
export function groupCommit(db: Kysely<Database>, maxGroup = 256): Committer {
  const queue: Pending[] = [];
  let scheduled = false;

  const flush = async () => {
    scheduled = false;
    const group = queue.splice(0, maxGroup);
    if (queue.length > 0) schedule();
    if (group.length === 1) {
      const [one] = group;
      return db.transaction().execute(one!.work).then(one!.resolve, one!.reject);
    }
    const results: unknown[] = [];
    try {
      await db.transaction().execute(async (tx) => {
        for (const p of group) results.push(await p.work(tx));
      });
    } catch {
      for (const p of group) await db.transaction().execute(p.work).then(p.resolve, p.reject);
      return;
    }
    group.forEach((p, i) => p.resolve(results[i]));
  };

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    setTimeout(() => void flush(), 0);
  }

  return <T>(work: TransactionWork<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      schedule();
    });
}
