// Stable error codes for every error the API returns: clients and tests match on `code`, people read `message`.
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
  "proof_of_work_required",
  "unavailable", // 503: the database or blob store does not answer right now; send again later
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}
