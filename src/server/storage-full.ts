// The disk (the blob store's, or the database's) is full. Nothing about the request is wrong and nothing
// of it was kept: a part that failed is cut back to where it started (fs-blob-store.ts), a transaction
// that failed is rolled back. The app answers 507 `storage_full`, "try again later, nothing was lost",
// and tells the operator in one log line with the error's code and nothing about the request (http-error.ts).
import { throttledLog } from "./throttled-log.js";

/** The codes that mean "no space": errno (ENOSPC, EDQUOT), SQLite's SQLITE_FULL, PostgreSQL's SQLSTATE 53100 (disk_full). */
const FULL_CODES = new Set(["ENOSPC", "EDQUOT", "SQLITE_FULL", "53100"]);

/** D1 reports SQLite's errors in its message only. */
const FULL_MESSAGE = /\bSQLITE_FULL\b|database or disk is full/;

/** The code of `e` (or of an error it wraps) when it means storage is full, else null. */
export function storageFullCode(e: unknown): string | null {
  for (let cause = e, depth = 0; cause && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string" && FULL_CODES.has(code)) return code;
    const message = (cause as { message?: unknown }).message;
    if (typeof message === "string" && FULL_MESSAGE.test(message)) return "SQLITE_FULL";
  }
  return null;
}

/** What a source or editor is told. */
export const STORAGE_FULL_MESSAGE = "The newsroom's server is out of storage space for the moment. Nothing was lost and nothing of this request was kept: try again later.";

/** Seconds a client is asked to wait before sending again. */
export const STORAGE_FULL_RETRY_AFTER_SECONDS = 300;

/** At most one log line per this many milliseconds; the next line counts the failures in between. */
const LOG_INTERVAL_MS = 60_000;

/** The operator's log line for a refused write, at most one a minute (a full disk must not fill itself with logs). */
export const storageFullLog = () =>
  throttledLog(LOG_INTERVAL_MS, (code, more) => {
    const also = more > 0 ? ` (and ${more} more since the last line)` : "";
    return `sealdrop: storage full (${code})${also}: writes are refused with 507 storage_full and undone; free space on the data volume or database`;
  });
