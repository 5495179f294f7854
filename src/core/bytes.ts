// Byte and text encodings shared by browser, server and CLI. Thin wrappers over @scure/base so every
// part of sealdrop spells base64 and hex the same way.
import { base64, base64urlnopad, hex } from "@scure/base";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export const utf8 = (s: string): Uint8Array => encoder.encode(s);
/** Decodes UTF-8, throwing on malformed input rather than inserting U+FFFD. */
export const fromUtf8 = (b: Uint8Array): string => decoder.decode(b);

export const toHex = (b: Uint8Array): string => hex.encode(b);
export const fromHex = (s: string): Uint8Array => hex.decode(s);
export const toBase64 = (b: Uint8Array): string => base64.encode(b);
export const fromBase64 = (s: string): Uint8Array => base64.decode(s);
export const toBase64Url = (b: Uint8Array): string => base64urlnopad.encode(b);
export const fromBase64Url = (s: string): Uint8Array => base64urlnopad.decode(s);

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  // getRandomValues fills at most 64 KiB per call.
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}

/** A fresh random identifier: 128 bits, lowercase hex. Ids carry no time or order. */
export const randomId = (): string => toHex(randomBytes(16));

/** Constant-time equality for secrets of equal public length. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
