// Stable error codes for every error the API returns: clients and tests match on `code`, people read `message`.
import { ROSTER_ERROR_CODES } from "./roster-state.js";

export const ERROR_CODES = [
  "bad_request", // malformed syntax: not JSON, wrong content type, bad encoding
  "invalid_body", // well-formed but fails the schema
  "payload_too_large",
  "unsupported_media_type",
  "not_found",
  "method_not_allowed",
  "unknown_desk",
  "invalid_ciphertext", // not an age v1 file
  "upload_incomplete",
  "upload_conflict", // part out of order, duplicated with other bytes, or upload already used
  "unauthorized", // missing or malformed signature
  "forbidden", // valid format, wrong key, revoked editor
  "signature_expired",
  "signature_replayed",
  "already_initialized",
  "conflict", // the resource exists already, or the change would leave the newsroom unusable
  "rate_limited",
  "request_timeout", // 408: the body stopped arriving; send it again
  "proof_of_work_required",
  "unavailable", // 503: the database, blob store or budgets' Durable Object does not answer right now; send again later
  "upload_quota_exceeded", // 429: unfinished uploads hold all the room the operator allows; try again later
  "storage_full", // 507: the disk or database is full; nothing was kept, send again later
  "outside_desk", // the item belongs to a desk the editor is not on
  "roster_required", // the newsroom has a roster: change editors by roster entries, not by this route
  // Roster entries the server refuses (docs/FORMAT.md, "Roster rules"); not_admin and last_admin among them.
  ...ROSTER_ERROR_CODES.filter((c) => c !== "unknown_desk"),
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}
