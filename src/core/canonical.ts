// Canonical JSON (docs/FORMAT.md, "Canonical JSON"): the one byte string that a signed or hashed value
// stands for, so the page, the server and the CLI sign, hash and verify exactly the same bytes. It is
// RFC 8785 (JCS) restricted to integers: no floats, so number formatting can never differ between
// implementations, and well-formed Unicode only, so every string has one UTF-8 encoding.
import { utf8 } from "./bytes.js";

export class CanonicalJsonError extends Error {
  override name = "CanonicalJsonError";
}

/** Whether a string holds a surrogate that is not half of a pair (such text has no UTF-8 encoding). */
export const hasLoneSurrogate = (s: string): boolean => /[\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ""));

/**
 * Code-unit order of keys (RFC 8785 §3.2.3); every key in our formats is ASCII, where it is byte order too.
 * Also what ISO days, ids and generated pseudonyms are sorted by elsewhere, without a locale's cost.
 */
export const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function encode(value: unknown, depth: number): string {
  if (depth > 16) throw new CanonicalJsonError("nested too deeply");
  if (value === null || value === true || value === false) return String(value);
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new CanonicalJsonError(`not a safe integer: ${value}`);
    return String(value === 0 ? 0 : value);
  }
  if (typeof value === "string") {
    if (hasLoneSurrogate(value)) throw new CanonicalJsonError("a string holds a lone surrogate");
    // JSON.stringify escapes exactly as RFC 8785 §3.2.2.2 asks: ", \, and control characters only.
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => encode(v, depth + 1)).join(",")}]`;
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => byCodeUnits(a, b));
    return `{${entries.map(([k, v]) => `${encode(k, depth + 1)}:${encode(v, depth + 1)}`).join(",")}}`;
  }
  throw new CanonicalJsonError(`not a JSON value: ${typeof value}`);
}

/** The canonical text of a JSON value; throws CanonicalJsonError for floats, lone surrogates, non-JSON values. */
export const canonicalJson = (value: unknown): string => encode(value, 0);

/** The canonical UTF-8 bytes of a JSON value. */
export const canonicalBytes = (value: unknown): Uint8Array => utf8(canonicalJson(value));
