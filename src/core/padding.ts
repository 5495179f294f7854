// Plaintext padding (docs/FORMAT.md, "Padding"). Every plaintext is padded before age encryption so the
// stored ciphertext reveals only a size bucket, never the exact length.
//
//   padded = plaintext || 0x80 || 0x00 * k,   len(padded) = paddedSize(len(plaintext))
//
// Buckets follow Padmé (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and
// Communication with PURBs", PETS 2019): the size is rounded up so that only the top O(log log n) bits
// of the length remain, costing at most ~12% overhead, with a floor of MIN_PADDED_SIZE.

export const MIN_PADDED_SIZE = 4096;

/** Padmé rounding of a length L ≥ 1: keep the top ⌊log2 ⌊log2 L⌋⌋ + 1 bits, zero the rest, round up. */
export function padme(length: number): number {
  if (!Number.isSafeInteger(length) || length < 1) throw new RangeError("length must be a positive integer");
  if (length < 2) return length;
  const e = Math.floor(Math.log2(length));
  const s = Math.floor(Math.log2(e)) + 1;
  const lastBits = e - s;
  const mask = 2 ** lastBits - 1;
  // Integers here can exceed 2^32, so use arithmetic rather than bitwise operators.
  return Math.ceil(length / (mask + 1)) * (mask + 1);
}

/** The padded size for a plaintext of `length` bytes (the marker byte included). */
export function paddedSize(length: number): number {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError("length must be a non-negative integer");
  return Math.max(MIN_PADDED_SIZE, padme(length + 1));
}

export function pad(plaintext: Uint8Array): Uint8Array {
  const out = new Uint8Array(paddedSize(plaintext.length));
  out.set(plaintext, 0);
  out[plaintext.length] = 0x80;
  return out;
}

export class PaddingError extends Error {
  override name = "PaddingError";
}

/** Removes padding, rejecting anything that is not exactly `data || 0x80 || zeros`. */
export function unpad(padded: Uint8Array): Uint8Array {
  let i = padded.length - 1;
  while (i >= 0 && padded[i] === 0) i--;
  if (i < 0 || padded[i] !== 0x80) throw new PaddingError("padding marker missing");
  if (padded.length !== paddedSize(i)) throw new PaddingError("padded length is not the bucket size");
  return padded.subarray(0, i);
}

/** The padding bytes that follow `length` plaintext bytes: for streaming writers. */
export function paddingTail(length: number): Uint8Array {
  const tail = new Uint8Array(paddedSize(length) - length);
  tail[0] = 0x80;
  return tail;
}
