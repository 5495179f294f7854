// fromBase64 (src/core/bytes.ts) is our own decoder for speed; it must accept and reject exactly what
// @scure/base's strict decoder does, and decode to the same bytes.
import { base64 } from "@scure/base";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromBase64, toBase64 } from "../../src/core/bytes.js";

const outcome = (f: () => Uint8Array): string => {
  try {
    return `ok:${Buffer.from(f()).toString("hex")}`;
  } catch {
    return "rejected";
  }
};

describe("fromBase64", () => {
  it("round-trips every byte string", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(fromBase64(toBase64(bytes))).toEqual(bytes);
      }), { numRuns: 2000 });
  });

  it("agrees with @scure/base on arbitrary strings near the alphabet", () => {
    const near = fc.string({ unit: fc.constantFrom(..."AQgw+/=Z9a= -_\n\u00e9\u4e00\ud83d"), maxLength: 16 });
    fc.assert(fc.property(near, (s) => {
        expect(outcome(() => fromBase64(s))).toBe(outcome(() => base64.decode(s)));
      }), { numRuns: 20000 });
  });

  it.each(["QR==", "QUJ=", "Q", "QQ=", "Q===", "QQ==QQ==", "QUJD\n", " QUJD", "QU=D", "@@@@"])("rejects %j", (s) => {
    expect(() => fromBase64(s)).toThrow("invalid base64");
  });
});
