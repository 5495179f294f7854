import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { MIN_PADDED_SIZE, pad, paddedSize, paddingTail, unpad, PaddingError } from "../../src/core/padding.js";

describe("padding", () => {
  it("round-trips any plaintext", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20_000 }), (bytes) => {
        const padded = pad(bytes);
        expect(padded.length).toBe(paddedSize(bytes.length));
        expect(unpad(padded)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it("never shrinks, never grows more than 12% past the floor, and is monotonic", () => {
    let previous = 0;
    for (let n = 0; n < 3_000_000; n += 997) {
      const size = paddedSize(n);
      expect(size).toBeGreaterThan(n);
      expect(size).toBeGreaterThanOrEqual(previous);
      if (n > MIN_PADDED_SIZE) expect(size / (n + 1)).toBeLessThanOrEqual(1.125);
      previous = size;
    }
  });

  it("hides the exact length: nearby lengths share a bucket", () => {
    expect(paddedSize(99_000)).toBe(paddedSize(100_000));
    expect(paddedSize(10)).toBe(paddedSize(4000));
  });

  it("streaming tail equals what pad appends", () => {
    const bytes = new Uint8Array(5000).fill(7);
    expect(new Uint8Array([...bytes, ...paddingTail(5000)])).toEqual(pad(bytes));
  });

  it("rejects a missing marker, stray bytes and wrong lengths", () => {
    expect(() => unpad(new Uint8Array(4096))).toThrow(PaddingError);
    const truncated = pad(new Uint8Array([1, 2, 3])).subarray(0, 4000);
    expect(() => unpad(truncated)).toThrow(PaddingError);
    const bad = pad(new Uint8Array([1, 2, 3]));
    bad[bad.length - 1] = 1;
    expect(() => unpad(bad)).toThrow(PaddingError);
  });
});
