// Editor request signatures (docs/FORMAT.md, "Signed requests"). The CLI signs with libsodium, the
// server verifies with @noble/curves; both build the signed bytes here so they cannot drift apart.
import { sha256 } from "@noble/hashes/sha2.js";
import { toHex, utf8 } from "./bytes.js";

export const SIGNATURE_HEADERS = {
  editor: "x-sealdrop-editor",
  timestamp: "x-sealdrop-timestamp",
  nonce: "x-sealdrop-nonce",
  signature: "x-sealdrop-signature",
} as const;

/** How far a request's timestamp may be from the server's clock, either way. */
export const SIGNATURE_WINDOW_SECONDS = 300;

export interface SignedRequestParts {
  method: string;
  /** Path and query exactly as sent, e.g. `/api/editor/submissions?desk=news`. */
  pathAndQuery: string;
  timestamp: number;
  nonce: string;
  body: Uint8Array;
}

export function signedMessage(p: SignedRequestParts): Uint8Array {
  return utf8(
    ["sealdrop-request-v1", p.method.toUpperCase(), p.pathAndQuery, String(p.timestamp), p.nonce, toHex(sha256(p.body))].join("\n"),
  );
}
