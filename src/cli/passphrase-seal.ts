// The sealing shared by every passphrase-protected file (editor key, root key; docs/FORMAT.md "Editor key
// file"): XChaCha20-Poly1305 under a key that Argon2id derives from the NFC passphrase. Each file format
// chooses its own readable header and binds it as associated data; this module only seals and opens.
// Argon2id runs on a thread of its own that ends before the caller goes on (kdf-thread.ts), so its memory
// never adds to what a command does after unlocking.
import sodium from "libsodium-wrappers-sumo";
import { z } from "zod";
import { fromBase64, toBase64 } from "../core/bytes.js";
import { CliError } from "./errors.js";
import { deriveKeyOffThread, KDF_BOUNDS } from "./kdf-thread.js";

export interface KdfLimits {
  opslimit: number;
  memlimit: number;
}

export const base64Text = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "expected base64");

/** The `kdf` member of a sealed file; bounds keep a hostile file from asking for absurd work or memory. */
export const kdfSchema = z
  .object({
    alg: z.literal("argon2id13"),
    opslimit: z.number().int().min(KDF_BOUNDS.opslimit.min).max(KDF_BOUNDS.opslimit.max),
    memlimit: z.number().int().min(KDF_BOUNDS.memlimit.min).max(KDF_BOUNDS.memlimit.max),
    salt: base64Text,
  })
  .strict();
export type KdfParams = z.infer<typeof kdfSchema>;

/** A sealed file's `kdf` and `nonce` header members. */
export interface SealParams {
  kdf: KdfParams;
  nonce: string;
}

/** Fresh salt and nonce for a new sealed file, as they appear in its header. */
export async function newSealParams(limits: KdfLimits): Promise<SealParams> {
  await sodium.ready;
  const salt = sodium.randombytes_buf(sodium.crypto_pwhash_SALTBYTES);
  const nonce = sodium.randombytes_buf(sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  return { kdf: { alg: "argon2id13", opslimit: limits.opslimit, memlimit: limits.memlimit, salt: toBase64(salt) }, nonce: toBase64(nonce) };
}

/** Seals `plaintext` (then wipes it) under the header's salt and nonce; returns the base64 ciphertext. */
export async function sealWithPassphrase(plaintext: Uint8Array, associatedData: Uint8Array, passphrase: string, header: { kdf: KdfParams; nonce: string }): Promise<string> {
  const key = await deriveKeyOffThread(passphrase, fromBase64(header.kdf.salt), header.kdf);
  await sodium.ready;
  try {
    return toBase64(sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, associatedData, null, fromBase64(header.nonce), key));
  } finally {
    sodium.memzero(key);
    sodium.memzero(plaintext);
  }
}

/** What opens a sealed file: its passphrase, or the key Argon2id derived from it (as the unlock agent holds it: agent.ts). */
export type Opener = string | { key: Uint8Array };

/** The key that seals the file: derived from the passphrase, or a copy of the one given. The caller wipes it. */
export async function sealingKey(file: { kdf: KdfParams }, opener: Opener): Promise<Uint8Array> {
  if (typeof opener !== "string") return opener.key.slice();
  return deriveKeyOffThread(opener, fromBase64(file.kdf.salt), file.kdf);
}

/** Opens a sealed file's ciphertext; a wrong passphrase or key, or any changed byte, is `wrongMessage`. The caller wipes the result. */
export async function openWithPassphrase(
  file: { kdf: KdfParams; nonce: string; ciphertext: string },
  associatedData: Uint8Array,
  opener: Opener,
  wrongMessage: string,
): Promise<Uint8Array> {
  const key = await sealingKey(file, opener);
  await sodium.ready;
  try {
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, fromBase64(file.ciphertext), associatedData, fromBase64(file.nonce), key);
  } catch {
    throw new CliError(wrongMessage);
  } finally {
    sodium.memzero(key);
  }
}
