// Upload locks shared by every node on one PostgreSQL database (upload-locks.ts): the work runs in one
// transaction that first takes a transaction-scoped advisory lock per key, so a second node's request
// for the same upload waits in PostgreSQL until the first commits or rolls back (a node that dies
// mid-part loses its connection, PostgreSQL rolls its transaction back and the lock goes with it).
// Inside, rows and blobs are written through that transaction: a part's bytes and its upload row's
// count commit together, and a submission's attachments move with its rows in one commit.
import { sha256 } from "@noble/hashes/sha2.js";
import { type Kysely, sql } from "kysely";
import { utf8 } from "../../core/bytes.js";
import type { Database } from "../db/schema.js";
import type { UploadLocks } from "../upload-locks.js";
import type { PostgresBlobStore } from "./pg-blob-store.js";

/**
 * A key's advisory lock id: the first 8 bytes of SHA-256 over a label and the key, as a signed 64-bit
 * number (the space pg_advisory_xact_lock(bigint) takes; migrate.ts's fixed key is one of 2^64).
 */
export function advisoryLockId(key: string): bigint {
  const digest = sha256(utf8(`sealdrop upload lock\n${key}`));
  return new DataView(digest.buffer, digest.byteOffset, 8).getBigInt64(0);
}

export function advisoryLocks(db: Kysely<Database>, blobs: PostgresBlobStore): UploadLocks {
  return {
    run: (keys, work) =>
      db.transaction().execute(async (tx) => {
        // Sorted by lock id, not by key: two holders with colliding ids still take them in one order.
        const ids = [...new Set(keys.map(advisoryLockId))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        for (const id of ids) await sql`SELECT pg_advisory_xact_lock(${id.toString()}::bigint)`.execute(tx);
        return work({ db: tx, blobs: blobs.within(tx), commit: (fn) => fn(tx) });
      }),
  };
}
