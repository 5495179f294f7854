// Failures of the server's domain layer (newsroom, submission storage, …): what went wrong, in a stable
// code and words an editor or source can act on. The domain knows nothing of HTTP; the app maps each code
// to a status in one place (http-error.ts, `handleError`), and the CLI, which calls the domain directly
// for `init --data`, reads the same codes.
import type { ErrorCode } from "../core/errors.js";
import type { RosterErrorCode } from "../core/roster.js";

/** The codes the domain layer fails with: a subset of the API's stable error codes. */
export type DomainErrorCode = Extract<
  ErrorCode,
  | "already_initialized"
  | "conflict"
  | "invalid_body"
  | "invalid_ciphertext"
  | "not_found"
  | "payload_too_large"
  | "unknown_desk"
  | "upload_conflict"
  | "upload_incomplete"
  | "outside_desk"
  | "not_admin"
  | "roster_required"
  | RosterErrorCode
>;

export class DomainError extends Error {
  override name = "DomainError";
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
  }
}
