// The seam that keeps two requests for one upload (its parts, its consumption by a submission) from
// interleaving. A lock holder works through the stores it is handed, not the app's: on one box they are
// the app's own and the lock is in-process (KeyedLock); on PostgreSQL, shared by any number of nodes, the
// lock is a transaction-scoped advisory lock and the stores run inside that one transaction
// (postgres/advisory-locks.ts), so a part's bytes and its upload row commit together or not at all. On
// Workers nothing spans isolates and D1 holds nothing between statements: there the seam holds no lock,
// and the work's final statements are conditional instead (workers/d1-upload-locks.ts); the work is
// written so that under a lock those conditions always hold.
import type { Kysely } from "kysely";
import type { BlobStore } from "./blobs.js";
import type { Database } from "./db/schema.js";
import type { Committer } from "./group-commit.js";
import { KeyedLock } from "./keyed-lock.js";

/** What work under a lock reads and writes through. */
export interface LockedStores {
  db: Kysely<Database>;
  blobs: BlobStore;
  /** How the work's final rows commit. */
  commit: Committer;
}

export interface UploadLocks {
  /**
   * Runs `work` while holding every key of `keys` against every other holder (of this process or, on a
   * shared store, of any node). Keys are taken in one fixed order, so two holders never deadlock.
   */
  run<T>(keys: readonly string[], work: (stores: LockedStores) => Promise<T>): Promise<T>;
}

/** One process owns the store (SQLite, or tests): an in-process lock around the app's own stores. */
export function inProcessLocks(stores: LockedStores): UploadLocks {
  const lock = new KeyedLock();
  return { run: (keys, work) => lock.runAll(keys, () => work(stores)) };
}
