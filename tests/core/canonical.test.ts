// Canonical JSON (docs/FORMAT.md, "Canonical JSON"): one byte string per value, or a refusal.
import { describe, expect, it } from "vitest";
import { CanonicalJsonError, canonicalJson } from "../../src/core/canonical.js";

describe("canonicalJson", () => {
  it("sorts keys, drops whitespace and writes strings as JSON.stringify does", () => {
    expect(canonicalJson({ b: [1, { d: null, c: true }], a: "é\n\"", "10": -0 })).toBe('{"10":0,"a":"é\\n\\"","b":[1,{"c":true,"d":null}]}');
  });

  it("refuses fractions, unsafe integers, lone surrogates and non-JSON values", () => {
    for (const bad of [1.5, 2 ** 53, Number.NaN, "\ud800", "a\udc00b", () => 1, new Date(0), 10n]) {
      expect(() => canonicalJson({ x: bad })).toThrow(CanonicalJsonError);
    }
    expect(canonicalJson("😀")).toBe('"😀"');
  });
});
