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

/** The padding bytes that follow `length` plaintext bytes, in one piece. */
export function paddingTail(length: number): Uint8Array {
  const tail = new Uint8Array(paddedSize(length) - length);
  tail[0] = 0x80;
  return tail;
}

/**
 * The same padding for streaming writers, in pieces of at most `pieceSize` bytes: the 0x80 marker alone,
 * then zeros. The tail of a large file is tens of megabytes, so every zero piece is a view of one shared
 * buffer: read them, never write to them.
 */
export function* paddingPieces(length: number, pieceSize = 1 << 20): Generator<Uint8Array> {
  let left = paddedSize(length) - length - 1;
  yield Uint8Array.of(0x80);
  const zeros = new Uint8Array(Math.min(left, pieceSize));
  for (; left > 0; left -= zeros.length) yield zeros.subarray(0, Math.min(left, zeros.length));
}

/**
 * unpad() for a stream whose plaintext length is known beforehand (an attachment's manifest says it):
 * push() each piece of padded plaintext in order and get back the part of it that is plaintext; once the
 * stream ends, `complete` says whether exactly `size` bytes came, then exactly their padding.
 */
export class StreamUnpadder {
  /** Padded bytes pushed so far. */
  received = 0;
  private badPadding = false;
  private readonly padded: number;

  constructor(readonly size: number) {
    this.padded = paddedSize(size);
  }

  push(piece: Uint8Array): Uint8Array {
    const keep = Math.max(0, Math.min(piece.length, this.size - this.received));
    if (keep < piece.length && !this.badPadding) this.badPadding = !isPadding(piece.subarray(keep), this.received + keep - this.size);
    this.received += piece.length;
    if (this.received > this.padded) this.badPadding = true;
    return piece.subarray(0, keep);
  }

  /** Whether the stream held exactly `size` plaintext bytes followed by exactly their padding. */
  get complete(): boolean {
    return !this.badPadding && this.received === this.padded;
  }
}

/** Whether `bytes`, starting `offset` bytes into the padding, are what padding holds there. */
function isPadding(bytes: Uint8Array, offset: number): boolean {
  let from = 0;
  if (offset === 0) {
    if (bytes[0] !== 0x80) return false;
    from = 1;
  }
  return allZero(bytes.subarray(from));
}

/** Four bytes at a time where aligned: the padding of a large file is tens of megabytes, checked in pure JS. */
function allZero(bytes: Uint8Array): boolean {
  let any = 0;
  const head = Math.min(bytes.length, (4 - (bytes.byteOffset % 4)) % 4);
  const words = (bytes.length - head) >> 2;
  for (let i = 0; i < head; i++) any |= bytes[i]!;
  if (words > 0) {
    const aligned = new Int32Array(bytes.buffer, bytes.byteOffset + head, words);
    for (let i = 0; i < words; i++) any |= aligned[i]!;
  }
  for (let i = head + words * 4; i < bytes.length; i++) any |= bytes[i]!;
  return any === 0;
}
