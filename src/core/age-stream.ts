// age's payload, one chunk at a time (docs/FORMAT.md, "Large attachments (streamed)"). An age file is
// header ‖ 16-byte nonce ‖ STREAM(payload key, plaintext), and every 64 KiB chunk of the STREAM is sealed
// on its own with ChaCha20-Poly1305 under a nonce made of its index and a last-chunk flag, so chunks can
// be sealed on several cores at once and put back in order. The header (and the file key inside it)
// comes from age-encryption itself; only the chunks are sealed here, with @noble/ciphers, the same
// ChaCha20-Poly1305 that age-encryption uses. tests/large/age-stream.test.ts checks the output byte for
// byte against the age test kit and age-encryption, and that the reference `age` decrypts it.
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { Encrypter, type Recipient } from "age-encryption";
import { utf8 } from "./bytes.js";

export const STREAM_CHUNK = 64 * 1024;
export const STREAM_TAG = 16;
export const AGE_NONCE = 16;

/** The 12-byte ChaCha20-Poly1305 nonce of chunk `index`: 11-byte big-endian index ‖ last-chunk flag. */
export function chunkNonce(index: number, last: boolean): Uint8Array {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError("chunk index out of range");
  const nonce = new Uint8Array(12);
  let n = index;
  for (let i = 10; i >= 0 && n > 0; i--) {
    nonce[i] = n % 256;
    n = Math.floor(n / 256);
  }
  nonce[11] = last ? 1 : 0;
  return nonce;
}

/** The payload key: HKDF-SHA-256(file key, salt = the file's nonce, info = "payload"). */
export const payloadKey = (fileKey: Uint8Array, nonce: Uint8Array): Uint8Array => hkdf(sha256, fileKey, nonce, utf8("payload"), 32);

/** Ciphertext bytes of a payload of `plaintextSize` bytes (an empty payload is one empty final chunk). */
export function payloadSize(plaintextSize: number): number {
  const chunks = Math.max(1, Math.ceil(plaintextSize / STREAM_CHUNK));
  return plaintextSize + chunks * STREAM_TAG;
}

/**
 * Seals consecutive chunks starting at chunk `firstIndex`. `plaintext` is a whole number of chunks,
 * except in the batch that ends the file (`final`), whose last chunk may be shorter and carries the
 * last-chunk flag. Only an empty file has an empty (final) chunk.
 */
export function sealChunks(key: Uint8Array, firstIndex: number, plaintext: Uint8Array, final: boolean): Uint8Array {
  if (!final && (plaintext.length === 0 || plaintext.length % STREAM_CHUNK !== 0)) throw new RangeError("a batch that does not end the file must be whole chunks");
  const chunks = Math.max(1, Math.ceil(plaintext.length / STREAM_CHUNK));
  const out = new Uint8Array(plaintext.length + chunks * STREAM_TAG);
  for (let i = 0; i < chunks; i++) {
    const chunk = plaintext.subarray(i * STREAM_CHUNK, (i + 1) * STREAM_CHUNK);
    // Sealed in place in the batch's output: no buffer per chunk to allocate, copy and collect.
    const at = i * (STREAM_CHUNK + STREAM_TAG);
    chacha20poly1305(key, chunkNonce(firstIndex + i, final && i === chunks - 1)).encrypt(chunk, out.subarray(at, at + chunk.length + STREAM_TAG));
  }
  return out;
}

export interface AgeStreamStart {
  /** The age header and the payload nonce: the file's first bytes. */
  prefix: Uint8Array;
  /** The key every chunk is sealed with. */
  key: Uint8Array;
}

/**
 * Starts an age file to `recipients`: age-encryption makes the file key, wraps it for every recipient
 * and writes the header and nonce, exactly as for any file it encrypts. It hands the file key to one
 * more recipient of ours, which adds no stanza to the header; the payload key follows from it.
 */
export async function startAgeStream(recipients: readonly string[]): Promise<AgeStreamStart> {
  const encrypter = new Encrypter();
  for (const r of recipients) encrypter.addRecipient(r);
  let fileKey: Uint8Array | null = null;
  const keeper: Recipient = {
    wrapFileKey(key) {
      fileKey = key.slice();
      return [];
    },
  };
  encrypter.addRecipient(keeper);
  // An empty file: header ‖ nonce ‖ one empty final chunk (its 16-byte tag alone).
  const empty = await encrypter.encrypt(new Uint8Array(0));
  if (fileKey === null) throw new Error("age-encryption did not make a file key");
  const prefix = empty.slice(0, empty.length - STREAM_TAG);
  const key = payloadKey(fileKey, prefix.subarray(prefix.length - AGE_NONCE));
  (fileKey as Uint8Array).fill(0);
  return { prefix, key };
}
