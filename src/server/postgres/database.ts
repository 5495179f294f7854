// The PostgreSQL entry's database: a pg pool behind Kysely's PostgreSQL dialect, migrated from the same
// migrations/*.sql files as SQLite and D1, plus its own migrations/postgres/*.sql (the blob store's table,
// pg-blob-store.ts).
//
// PostgreSQL restarts (upgrades, failovers, `pg_ctl restart`) must not take the tip line down with them:
// the pool survives errors on idle and checked-out connections, and every failure that means "the
// database is not answering" becomes a StoreUnavailableError, which the app answers with 503 `unavailable`
// until PostgreSQL is back; the next request then gets a fresh connection.
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from "kysely";
import pg from "pg";
import { migrate } from "../db/migrate.js";
import type { Database } from "../db/schema.js";
import { loadMigrations } from "../node/migrations.js";
import { throttledLog } from "../throttled-log.js";
import { StoreUnavailableError } from "../unavailable.js";

const INT8_OID = 20;
/** How long a request waits for a connection before it is told the database does not answer. */
const CONNECT_TIMEOUT_MS = 5_000;
/** At most one "PostgreSQL does not answer" line per this interval: an outage must not flood the log. */
const LOG_INTERVAL_MS = 10_000;

/** True for a `postgres://` or `postgresql://` connection string. */
export const isPostgresUrl = (value: string): boolean => /^postgres(ql)?:\/\//i.test(value);

/**
 * pg hands BIGINT (int8) columns and COUNT(*) back as strings, because they may exceed 2^53. Every int8
 * here is a byte size or a time in seconds, far below that, so they become numbers as on SQLite and D1.
 */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${text} does not fit a JavaScript number`);
  return n;
}

/**
 * Why an error means the database is not answering, or null for any other error (a constraint, bad SQL).
 * SQLSTATE classes 08 (connection exception), 57P01–57P03 (shut down, crashed, starting up) and 53300 (too
 * many connections); any system error (ECONNREFUSED, ECONNRESET, EPIPE, …); pg's own lost-connection errors.
 */
export function unavailableReason(e: unknown): string | null {
  if (e instanceof pg.DatabaseError) return /^(08|57P0[123]|53300)/.test(e.code ?? "") ? e.code! : null;
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return code;
  if (e instanceof Error && /connection terminated|not queryable|connection ended|timeout exceeded when trying to connect/i.test(e.message)) return "connection lost";
  return null;
}

/** Logs the first outage line at once, then at most one per LOG_INTERVAL_MS; never anything about a request. */
const outageLog = () =>
  throttledLog(LOG_INTERVAL_MS, (reason, more) => {
    const also = more > 0 ? ` (and ${more} more failures since the last line)` : "";
    return `sealdrop: PostgreSQL does not answer (${reason})${also}; requests get 503 until it is back`;
  });

export function createPostgresPool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === INT8_OID && format !== "binary" ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  const log = outageLog();
  // An idle connection that PostgreSQL closes (a restart sends 57P01 to each) errors on the pool, which
  // drops it; without a listener the error would end the process.
  pool.on("error", (e) => log(unavailableReason(e) ?? e.name));
  // A checked-out connection can error between two queries (inside a transaction); the failed query or
  // the next one reports it, so the event itself only needs a listener.
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}

/** The pool as Kysely sees it, with every "not answering" failure turned into a StoreUnavailableError. */
function unavailableAware(pool: pg.Pool): PostgresPool {
  const log = outageLog();
  const translate = (e: unknown): unknown => {
    const reason = unavailableReason(e);
    if (reason === null) return e;
    log(reason);
    return new StoreUnavailableError(reason);
  };
  return {
    async connect(): Promise<PostgresPoolClient> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (e) {
        // Whatever stops a connection (refused, starting up, timed out, even a wrong password) leaves the
        // request unanswerable for now; the log line says which.
        log(unavailableReason(e) ?? (e instanceof pg.DatabaseError ? (e.code ?? e.name) : e instanceof Error ? e.name : "error"));
        throw new StoreUnavailableError(unavailableReason(e) ?? "no connection");
      }
      let broken = false;
      const query = (...args: unknown[]): unknown => {
        const result = (client.query as (...a: unknown[]) => unknown)(...args);
        if (!(result instanceof Promise)) return result; // a cursor: its reads fail on their own
        return result.catch((e: unknown) => {
          const translated = translate(e);
          if (translated instanceof StoreUnavailableError) broken = true;
          throw translated;
        });
      };
      return {
        query: query as PostgresPoolClient["query"],
        // A connection that lost the server is destroyed, never handed to the next request.
        release: () => client.release(broken || undefined),
      };
    },
    end: () => pool.end(),
  };
}

/** The database as it is, not migrated (`sealdrop backup` reads a running server's database). */
export function connectPostgresDatabase(connectionString: string): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: unavailableAware(createPostgresPool(connectionString)) }) });
}

export async function openPostgresDatabase(connectionString: string): Promise<Kysely<Database>> {
  const db = connectPostgresDatabase(connectionString);
  try {
    await migrate(db, await loadMigrations("postgres"));
  } catch (e) {
    await db.destroy();
    throw e;
  }
  return db;
}
