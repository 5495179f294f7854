// Bounds-checked reads for the metadata parsers. Every read past the end throws MalformedMedia, which
// the entry point (./index.ts) turns into "cannot clean": hostile files never throw out of the page.
export class MalformedMedia extends Error {
  override name = "MalformedMedia";
}

export function need(bytes: Uint8Array, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > bytes.length) {
    throw new MalformedMedia("truncated or malformed file");
  }
}

export const u8 = (b: Uint8Array, o: number): number => (need(b, o, 1), b[o]!);
export const u16be = (b: Uint8Array, o: number): number => (need(b, o, 2), (b[o]! << 8) | b[o + 1]!);
export const u32be = (b: Uint8Array, o: number): number => (need(b, o, 4), b[o]! * 0x1000000 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!));
export const u32le = (b: Uint8Array, o: number): number => (need(b, o, 4), b[o + 3]! * 0x1000000 + ((b[o + 2]! << 16) | (b[o + 1]! << 8) | b[o]!));

export function ascii(b: Uint8Array, o: number, n: number): string {
  need(b, o, n);
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(b[o + i]!);
  return s;
}

export function startsWith(b: Uint8Array, o: number, text: string): boolean {
  if (o < 0 || o + text.length > b.length) return false;
  for (let i = 0; i < text.length; i++) if (b[o + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** Concatenates kept pieces of the input into the cleaned file (core's concatChunks: any number of pieces). */
export { concatChunks as join } from "../bytes.js";
