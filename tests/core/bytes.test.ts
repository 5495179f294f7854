import { describe, expect, it } from "vitest";
import { concatBytes, concatChunks } from "../../src/core/bytes.js";

describe("concatBytes", () => {
  it("puts the parts one after another in a new array", () => {
    const a = Uint8Array.of(1, 2);
    const out = concatBytes(a, new Uint8Array(0), Uint8Array.of(3));
    expect(out).toEqual(Uint8Array.of(1, 2, 3));
    out[0] = 9;
    expect(a[0]).toBe(1);
  });

  it("of nothing is empty", () => {
    expect(concatBytes()).toEqual(new Uint8Array(0));
  });

  it("takes views at their own offsets, not their whole buffers", () => {
    const buffer = Uint8Array.of(0, 1, 2, 3, 4, 5);
    expect(concatChunks([buffer.subarray(4), buffer.subarray(1, 3)])).toEqual(Uint8Array.of(4, 5, 1, 2));
  });

  it("as concatChunks, joins more pieces than a call could take as arguments (a body sent a byte at a time)", () => {
    const pieces = Array.from({ length: 500_000 }, (_, i) => Uint8Array.of(i & 0xff));
    const out = concatChunks(pieces);
    expect(out.length).toBe(500_000);
    expect(out[256 + 7]).toBe(7);
  });
});
