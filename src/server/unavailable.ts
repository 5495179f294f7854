// A store that does not answer right now (PostgreSQL restarting or stopped, a connection refused or cut):
// nothing about the request is wrong, and it can be sent again later. Entries raise it where their driver
// reports such a failure; the app answers 503 `unavailable` (app.ts).
export class StoreUnavailableError extends Error {
  override name = "StoreUnavailableError";
  constructor(
    /** The driver's error code (SQLSTATE such as 57P01, or errno such as ECONNREFUSED), for the operator's log. */
    readonly reason: string,
  ) {
    super(`the database does not answer (${reason})`);
  }
}

/** What a source or editor is told: their side is fine, the newsroom's server is not reachable for now. */
export const UNAVAILABLE_MESSAGE = "The tip line's database is not answering right now. Nothing is wrong on your side: try again in a few minutes.";

/** Seconds a client is asked to wait before sending again. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;
