// The HTTP edge of errors: `HttpError` for failures of the request itself (syntax, signature, proof of
// work, budgets), and `handleError`, the one place where any error becomes a response, domain errors
// included.
import type { Context, ErrorHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorBody, ErrorCode } from "../core/errors.js";
import { DomainError, type DomainErrorCode } from "./domain-error.js";
import { STORAGE_FULL_MESSAGE, STORAGE_FULL_RETRY_AFTER_SECONDS, storageFullCode, storageFullLog } from "./storage-full.js";
import { StoreUnavailableError, UNAVAILABLE_MESSAGE, UNAVAILABLE_RETRY_AFTER_SECONDS } from "./unavailable.js";

/** A failure the client caused or can act on: becomes a JSON `{error:{code,message}}` response. */
export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function errorResponse(c: Context, status: ContentfulStatusCode, code: ErrorCode, message: string): Response {
  const body: ErrorBody = { error: { code, message } };
  return c.json(body, status);
}

/** The HTTP status of each domain failure. */
const DOMAIN_STATUS: Record<DomainErrorCode, ContentfulStatusCode> = {
  already_initialized: 409,
  conflict: 409,
  invalid_body: 400,
  invalid_ciphertext: 400,
  not_found: 404,
  payload_too_large: 413,
  unknown_desk: 400,
  upload_conflict: 409,
  upload_incomplete: 400,
  outside_desk: 403,
  not_admin: 403,
  roster_required: 409,
  // Roster refusals (docs/FORMAT.md, "Roster rules"): a signer without the right is 403, a clash with the state 409.
  roster_malformed: 400,
  roster_bad_genesis: 400,
  roster_root_mismatch: 400,
  roster_bad_seq: 400,
  roster_bad_prev: 409,
  roster_stale: 409,
  roster_bad_signature: 403,
  roster_rollback: 409,
  roster_fork: 409,
  unknown_signer: 403,
  signer_revoked: 403,
  last_admin: 409,
  key_kind_mismatch: 409,
  unknown_editor: 404,
  editor_revoked: 409,
  roster_duplicate: 409,
};

const logStorageFull = storageFullLog();

/** The app's error handler: every thrown error becomes a JSON error body, nothing raw. */
export const handleError: ErrorHandler = (err, c) => {
  if (err instanceof DomainError) return errorResponse(c, DOMAIN_STATUS[err.code], err.code, err.message);
  if (err instanceof HttpError) {
    for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
    return errorResponse(c, err.status, err.code, err.message);
  }
  // The database is restarting or gone: the request was fine and can be sent again (the entry logged why).
  if (err instanceof StoreUnavailableError) {
    c.header("Retry-After", String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    return errorResponse(c, 503, "unavailable", UNAVAILABLE_MESSAGE);
  }
  // The disk or database is full: the write was undone, the sender can send again once there is room.
  const full = storageFullCode(err);
  if (full !== null) {
    logStorageFull(full);
    c.header("Retry-After", String(STORAGE_FULL_RETRY_AFTER_SECONDS));
    return errorResponse(c, 507, "storage_full", STORAGE_FULL_MESSAGE);
  }
  // Hono's own HTTP errors (e.g. malformed URLs) keep their 4xx status.
  const status = (err as { status?: number }).status;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return errorResponse(c, status as ContentfulStatusCode, "bad_request", "The request could not be understood.");
  }
  // Unexpected: say nothing specific to the client, and log no request data (it may identify a source).
  // A database's error class (PostgreSQL's SQLSTATE, e.g. 40P01 for a deadlock) says what failed, never with what.
  const state = (err as { code?: unknown }).code;
  const sqlState = typeof state === "string" && /^[0-9A-Z]{5}$/.test(state) ? ` (${state})` : "";
  console.error(`sealdrop: internal error: ${err.name}${sqlState}`);
  return c.json({ error: { code: "internal", message: "The server failed; nothing was stored." } }, 500);
};
