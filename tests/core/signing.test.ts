import { ed25519 } from "@noble/curves/ed25519.js";
import { describe, expect, it } from "vitest";
import { fromBase64Url, randomId, utf8 } from "../../src/core/bytes.js";
import { requestSignatureHeaders, SIGNATURE_HEADERS, signedMessage } from "../../src/core/signing.js";

const secret = ed25519.utils.randomSecretKey();
const sign = (message: Uint8Array) => ed25519.sign(message, secret);

describe("requestSignatureHeaders", () => {
  it("signs exactly the bytes the server verifies", () => {
    const editor = randomId();
    const body = utf8('{"ciphertext":"AAAA"}');
    const h = requestSignatureHeaders(editor, sign, { method: "post", pathAndQuery: "/api/editor/notes?x=1", body });
    const message = signedMessage({ method: "POST", pathAndQuery: "/api/editor/notes?x=1", timestamp: Number(h[SIGNATURE_HEADERS.timestamp]), nonce: h[SIGNATURE_HEADERS.nonce]!, body });
    expect(h[SIGNATURE_HEADERS.editor]).toBe(editor);
    expect(ed25519.verify(fromBase64Url(h[SIGNATURE_HEADERS.signature]!), message, ed25519.getPublicKey(secret))).toBe(true);
  });

  it("sends exactly the four signature headers", () => {
    const h = requestSignatureHeaders(randomId(), sign, { method: "GET", pathAndQuery: "/api/editor/newsroom" });
    expect(Object.keys(h).sort()).toEqual(Object.values(SIGNATURE_HEADERS).sort());
  });

  it("uses the timestamp and nonce it is given", () => {
    const h = requestSignatureHeaders(randomId(), sign, { method: "GET", pathAndQuery: "/", timestamp: 1_700_000_000, nonce: "A".repeat(22) });
    expect([h[SIGNATURE_HEADERS.timestamp], h[SIGNATURE_HEADERS.nonce]]).toEqual(["1700000000", "A".repeat(22)]);
  });

  it("otherwise stamps the current second and a fresh 16-byte nonce", () => {
    const before = Math.floor(Date.now() / 1000);
    const a = requestSignatureHeaders(randomId(), sign, { method: "GET", pathAndQuery: "/" });
    const b = requestSignatureHeaders(randomId(), sign, { method: "GET", pathAndQuery: "/" });
    expect(Number(a[SIGNATURE_HEADERS.timestamp])).toBeGreaterThanOrEqual(before);
    expect(Number(a[SIGNATURE_HEADERS.timestamp])).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(fromBase64Url(a[SIGNATURE_HEADERS.nonce]!)).toHaveLength(16);
    expect(a[SIGNATURE_HEADERS.nonce]).not.toBe(b[SIGNATURE_HEADERS.nonce]);
  });
});
