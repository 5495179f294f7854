// What a client (the page, the CLI) makes of an answer that is not a success. Kept apart from errors.ts so
// the page gets the class without the list of codes and what that list imports.
import type { ErrorBody } from "./errors.js";

/**
 * The server refused a request (`code` is its stable ErrorCode, or `http_<status>` when the answer carried
 * none: a proxy's page, a cut-off body), or a client found the answer unusable (its own code, such as
 * the CLI's `bad_response`).
 */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The `error` of an ErrorBody, or null when `text` is not one. Only its shape is checked: a newer server
 * may send a code this client does not know, and the message then stands in for it.
 */
export function parseErrorBody(text: string): { code: string; message: string } | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const error = (value as Partial<Record<keyof ErrorBody, { code?: unknown; message?: unknown }>> | null)?.error;
  if (typeof error?.code !== "string") return null;
  return { code: error.code, message: typeof error.message === "string" ? error.message : error.code };
}

/** The ApiError for a failed answer with body `text`: the server's code and message, else `http_<status>` and `fallback`. */
export function apiErrorFrom(status: number, text: string, fallback = `HTTP ${status}`): ApiError {
  const body = parseErrorBody(text);
  return body ? new ApiError(status, body.code, body.message) : new ApiError(status, `http_${status}`, fallback);
}
