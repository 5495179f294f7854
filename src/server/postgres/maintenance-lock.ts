// The maintenance job one run at a time across every node on one PostgreSQL database (maintenance.ts's
// MaintenanceLock). Each node runs the job on its own timer; two runs at once would both delete the same
// expired uploads and orphans and both rewrite the tables (db/reorder.ts), twice the work for nothing. A
// run first takes a session-level advisory lock with pg_try_advisory_lock, which never waits: a node that
// finds it taken skips its turn, since the run under way does the same work.
//
// The lock is held by a connection of its own, opened for the run and closed after it, not by one of the
// pool's: the lock lasts exactly as long as that session, so a node that dies mid-run (or loses
// PostgreSQL) loses its session and the lock with it, and no pooled connection can ever go back to the
// pool still holding it. Advisory locks belong to one database, so two newsrooms on one server do not
// share theirs.
import pg from "pg";
import type { MaintenanceLock } from "../maintenance.js";
import { StoreUnavailableError } from "../unavailable.js";
import { unavailableReason } from "./database.js";

/** The lock's key: any fixed 64-bit number ("maintain" in ASCII; migrate.ts's is "sealdrop"). */
export const MAINTENANCE_LOCK_KEY = 0x6d61696e7461696en;

/** How long a run waits for the lock's connection before it fails (and the next turn tries again). */
const CONNECT_TIMEOUT_MS = 5_000;

export function postgresMaintenanceLock(connectionString: string): MaintenanceLock {
  return {
    async attempt(work) {
      const client = new pg.Client({ connectionString, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
      // PostgreSQL ending the session (a restart) errors the client; without a listener that ends the process.
      client.on("error", () => {});
      try {
        await client.connect();
      } catch (e) {
        await client.end().catch(() => {});
        throw new StoreUnavailableError(unavailableReason(e) ?? "no connection");
      }
      try {
        const { rows } = await client.query<{ held: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS held", [MAINTENANCE_LOCK_KEY.toString()]);
        if (!rows[0]?.held) return null;
        return await work();
      } finally {
        // Ending the session releases the lock; no unlock that could fail and leave it held.
        await client.end().catch(() => {});
      }
    },
  };
}
