// Editor request signatures (docs/FORMAT.md, "Signed requests"). The CLI signs with libsodium, the
// server verifies with @noble/curves; both build the signed bytes here so they cannot drift apart, and
// every signer (CLI, tests, simulator) builds the headers here too.
import { sha256 } from "@noble/hashes/sha2.js";
import { randomBytes, toBase64Url, toHex, utf8 } from "./bytes.js";

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

/** Signs the message with the editor's Ed25519 secret key (libsodium in the CLI, @noble elsewhere). */
export type SignMessage = (message: Uint8Array) => Uint8Array;

export interface RequestToSign {
  method: string;
  /** Path and query exactly as sent. */
  pathAndQuery: string;
  body?: Uint8Array;
  /** Unix seconds; now if left out. */
  timestamp?: number;
  /** Fresh random (16 bytes, base64url) if left out. */
  nonce?: string;
}

/** The headers that sign `request` as editor `editorId`. */
export function requestSignatureHeaders(editorId: string, sign: SignMessage, request: RequestToSign): Record<string, string> {
  const timestamp = request.timestamp ?? Math.floor(Date.now() / 1000);
  const nonce = request.nonce ?? toBase64Url(randomBytes(16));
  const body = request.body ?? new Uint8Array(0);
  const signature = sign(signedMessage({ method: request.method, pathAndQuery: request.pathAndQuery, timestamp, nonce, body }));
  return {
    [SIGNATURE_HEADERS.editor]: editorId,
    [SIGNATURE_HEADERS.timestamp]: String(timestamp),
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: toBase64Url(signature),
  };
}
