// The page's ChaCha20 with its rotations written out (scripts/vite/inline-rotations.ts) is the library's
// own cipher, byte for byte: the rewritten module, loaded beside the package's other files, seals what
// @noble/ciphers seals and what OpenSSL (node:crypto) seals, on RFC 8439's AEAD vector and on random
// keys, nonces, data and lengths; and the rewrite refuses a module it does not recognise.
import { createCipheriv, randomBytes } from "node:crypto";
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { chacha20poly1305 as library } from "@noble/ciphers/chacha.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXPECTED_ROTATIONS, inlineRotations } from "../../scripts/vite/inline-rotations.js";

type Aead = typeof library;

const packageDir = dirname(createRequire(import.meta.url).resolve("@noble/ciphers/chacha.js"));

/** OpenSSL's ChaCha20-Poly1305: ciphertext ‖ tag. */
function openssl(key: Uint8Array, nonce: Uint8Array, data: Uint8Array, aad?: Uint8Array): Uint8Array {
  const c = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
  if (aad) c.setAAD(aad, { plaintextLength: data.length });
  return new Uint8Array(Buffer.concat([c.update(data), c.final(), c.getAuthTag()]));
}

const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ""), "hex"));

describe("the page's ChaCha20 with its rotations written out", () => {
  let dir: string;
  let rewritten: Aead;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sealdrop-rotations-"));
    for (const name of await readdir(packageDir)) if (name.endsWith(".js")) await copyFile(join(packageDir, name), join(dir, name));
    const source = await readFile(join(packageDir, "chacha.js"), "utf8");
    const out = inlineRotations(source);
    expect(out).not.toBe(source);
    expect(out).not.toMatch(/\brotl\(/);
    await writeFile(join(dir, "chacha.js"), out);
    rewritten = ((await import(/* @vite-ignore */ pathToFileURL(join(dir, "chacha.js")).href)) as { chacha20poly1305: Aead }).chacha20poly1305;
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("gives RFC 8439's AEAD vector (§2.8.2)", () => {
    const key = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    const nonce = hex("070000004041424344454647");
    const aad = hex("50515253c0c1c2c3c4c5c6c7");
    const plaintext = new TextEncoder().encode(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    );
    const sealed = rewritten(key, nonce, aad).encrypt(plaintext);
    expect(Buffer.from(sealed.subarray(-16)).toString("hex")).toBe("1ae10b594f09e26a7e902ecbd0600691");
    expect(sealed).toEqual(openssl(key, nonce, plaintext, aad));
    expect(rewritten(key, nonce, aad).decrypt(sealed)).toEqual(plaintext);
  });

  it("seals what the library and OpenSSL seal, on random inputs of every awkward length", () => {
    // Around the 64-byte block and the 64 KiB age STREAM chunk, and a whole chunk (the page's case).
    const lengths = [0, 1, 15, 16, 17, 63, 64, 65, 127, 128, 1000, 4095, 65_535, 65_536, 65_537];
    for (const length of lengths) {
      const key = new Uint8Array(randomBytes(32));
      const nonce = new Uint8Array(randomBytes(12));
      const data = new Uint8Array(randomBytes(length));
      const sealed = rewritten(key, nonce).encrypt(data);
      expect(sealed, `length ${length}`).toEqual(library(key, nonce).encrypt(data));
      expect(sealed, `length ${length}`).toEqual(openssl(key, nonce, data));
      expect(rewritten(key, nonce).decrypt(sealed)).toEqual(data);
    }
  });

  it("refuses a ChaCha module it does not recognise", () => {
    const call = "x12 = rotl(x12 ^ x00, 16);\n";
    expect(inlineRotations(call.repeat(3), 3)).toBe("x12 = (((x12 ^ x00) << 16) | ((x12 ^ x00) >>> 16));\n".repeat(3));
    // One too few, one too many, or a call of another shape left in place.
    expect(() => inlineRotations(call.repeat(EXPECTED_ROTATIONS - 1))).toThrow(/the package changed/);
    expect(() => inlineRotations(call.repeat(EXPECTED_ROTATIONS + 1))).toThrow(/the package changed/);
    expect(() => inlineRotations(call.repeat(EXPECTED_ROTATIONS) + "y = rotl(y, 7);\n")).toThrow(/the package changed/);
    expect(() => inlineRotations("x04 = rotl(x04 ^ x08, 32);\n", 1)).toThrow(/by 32 bits/);
  });
});
