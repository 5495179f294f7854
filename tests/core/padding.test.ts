import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { MIN_PADDED_SIZE, pad, paddedSize, paddingPieces, paddingTail, StreamUnpadder, unpad, PaddingError } from "../../src/core/padding.js";

const concat = (parts: Uint8Array[]) => new Uint8Array(parts.flatMap((p) => [...p]));

/** Pushes `padded` through a StreamUnpadder for `size` in pieces cut at `cuts`; returns what it kept and whether it is complete. */
function streamUnpad(size: number, padded: Uint8Array, cuts: number[]): { kept: Uint8Array; complete: boolean; received: number } {
  const unpadder = new StreamUnpadder(size);
  const kept: Uint8Array[] = [];
  const edges = [...new Set([0, ...cuts.map((c) => c % (padded.length + 1)), padded.length])].sort((a, b) => a - b);
  for (let i = 1; i < edges.length; i++) kept.push(unpadder.push(padded.subarray(edges[i - 1], edges[i])));
  return { kept: concat(kept), complete: unpadder.complete, received: unpadder.received };
}

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

  it("streamed in pieces, is byte for byte what pad appends", () => {
    for (const size of [0, 1, 4095, 4096, 5000, 70_000, 1_000_000]) {
      expect(concat([...paddingPieces(size, 3000)])).toEqual(paddingTail(size));
    }
  });

  it("streamed, comes as the marker alone, then zero pieces no larger than asked", () => {
    const pieces = [...paddingPieces(70_000, 1000)];
    expect(pieces[0]).toEqual(Uint8Array.of(0x80));
    expect(pieces.slice(1).every((p) => p.length > 0 && p.length <= 1000)).toBe(true);
  });

  it("unpadded as a stream, gives back exactly the plaintext however it is cut", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 10_000 }), fc.array(fc.nat(), { maxLength: 8 }), (bytes, cuts) => {
        const result = streamUnpad(bytes.length, pad(bytes), cuts);
        expect(result.kept).toEqual(bytes);
        expect(result.complete).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("unpadded as a stream, takes padding pieces of any length at any offset", () => {
    const padded = pad(new Uint8Array(100).fill(1));
    const result = streamUnpad(100, padded, [101, 102, 103, 105, 106, 111, 4090, 4093]);
    expect(result.kept).toEqual(new Uint8Array(100).fill(1));
    expect(result.complete).toBe(true);
  });

  it("unpadded as a stream, is incomplete when a padding byte is not zero", () => {
    const padded = pad(new Uint8Array(100).fill(1));
    padded[padded.length - 7] = 1;
    expect(streamUnpad(100, padded, [50, 4000]).complete).toBe(false);
  });

  it("unpadded as a stream, is incomplete without the marker where the plaintext ends", () => {
    const padded = pad(new Uint8Array(100).fill(1));
    padded[100] = 0;
    expect(streamUnpad(100, padded, [100]).complete).toBe(false);
  });

  it("unpadded as a stream, is incomplete when cut short or extended", () => {
    const padded = pad(new Uint8Array(100).fill(1));
    expect(streamUnpad(100, padded.subarray(0, padded.length - 1), []).complete).toBe(false);
    expect(streamUnpad(100, concat([padded, new Uint8Array(1)]), []).complete).toBe(false);
  });

  it("unpadded as a stream, counts what came when the plaintext is shorter than announced", () => {
    const result = streamUnpad(5000, pad(new Uint8Array(100).fill(1)), []);
    expect(result.received).toBe(paddedSize(100));
    expect(result.complete).toBe(false);
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
