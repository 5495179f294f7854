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
  /** SHA-256 of the body, hex: lets the server verify the signature before it reads the body. */
  contentSha256: "x-sealdrop-content-sha256",
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
  return signedMessageForHash(p, toHex(sha256(p.body)));
}

/** The same signed bytes given the body's SHA-256 (hex) instead of the body: what the server checks first. */
export function signedMessageForHash(p: Omit<SignedRequestParts, "body">, bodySha256Hex: string): Uint8Array {
  return utf8(["sealdrop-request-v1", p.method.toUpperCase(), p.pathAndQuery, String(p.timestamp), p.nonce, bodySha256Hex].join("\n"));
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
  const bodyHash = toHex(sha256(body));
  const signature = sign(signedMessageForHash({ method: request.method, pathAndQuery: request.pathAndQuery, timestamp, nonce }, bodyHash));
  return {
    [SIGNATURE_HEADERS.editor]: editorId,
    [SIGNATURE_HEADERS.timestamp]: String(timestamp),
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: toBase64Url(signature),
    [SIGNATURE_HEADERS.contentSha256]: bodyHash,
  };
}
