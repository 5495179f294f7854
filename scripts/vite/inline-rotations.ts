// Writes @noble/ciphers' 32-bit rotations out in place in the ChaCha20 block function of the page's
// bundle. Its core calls `rotl(x, n)`, a one-line helper, 32 times per double round: about five calls
// per byte encrypted. Without a JIT (Tor Browser "Safer", Chromium `--jitless`) every call is paid;
// written out, the page's sealing took about a third less CPU there (figures in docs/ARCHITECTURE.md,
// "The page's build").
//
// The change is purely mechanical and checked three ways: every call must have the one shape below
// (an XOR of two of the block's local variables, by a constant), exactly as many as expected must be
// found, and tests/core/inline-rotations.test.ts compares the rewritten cipher with the library's own,
// byte for byte, on RFC 8439's vectors and random inputs. A release of @noble/ciphers that changes the
// function fails the build here until someone looks again.
import type { Plugin } from "vite";

/** The file whose rotations are written out: the package's ESM ChaCha module. */
const TARGET = /[\\/]node_modules[\\/]@noble[\\/]ciphers[\\/]chacha\.js(\?.*)?$/;

/** Calls in chachaCore's double round (4 quarter rounds × 4 rotations × 2). */
export const EXPECTED_ROTATIONS = 32;

/** `rotl(xAA ^ xBB, n)`: the only form the core uses. */
const CALL = /\brotl\((x\d\d) \^ (x\d\d), (\d{1,2})\)/g;

/**
 * The ChaCha module with each `rotl(a ^ b, n)` written as `((a ^ b) << n) | ((a ^ b) >>> (32 - n))`,
 * which is the helper's own body (`(a << b) | (a >>> (32 - b))`) with its operand computed twice
 * (two local variables XORed: no side effect, no allocation). Throws unless exactly `expected`
 * calls of that form are found and no other call to the helper is left.
 */
export function inlineRotations(source: string, expected = EXPECTED_ROTATIONS): string {
  let found = 0;
  const out = source.replace(CALL, (_call, a: string, b: string, bits: string) => {
    const n = Number(bits);
    if (!(n >= 1 && n <= 31)) throw new Error(`inline-rotations: a rotation by ${bits} bits in @noble/ciphers/chacha.js`);
    found++;
    return `(((${a} ^ ${b}) << ${n}) | ((${a} ^ ${b}) >>> ${32 - n}))`;
  });
  if (found !== expected || /\brotl\(/.test(out)) {
    throw new Error(
      `inline-rotations: @noble/ciphers/chacha.js has ${found} rotations of the expected form, not ${expected}, or others left: the package changed; review scripts/vite/inline-rotations.ts`,
    );
  }
  return out;
}

/** The plugin, for the page's build and its workers' (vite.config.ts, bench/vite.config.ts). */
export function inlineNobleRotations(): Plugin {
  return {
    name: "sealdrop-inline-rotations",
    enforce: "pre",
    transform(code, id) {
      if (!TARGET.test(id)) return null;
      return { code: inlineRotations(code), map: null };
    },
  };
}
