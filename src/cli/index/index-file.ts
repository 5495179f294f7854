// The vault's local index file (`home/vault.index`, docs/FORMAT.md "Vault index"): what the views need of
// each decrypted vault item, sealed under a key derived from the editor's age identity, so `list`,
// `sources`, `source` and the inbox do not decrypt the whole vault again. It is a cache, never a record:
// anything wrong with it (unreadable, another key, another format, damaged, truncated) makes it
// `IndexUnusable`, and the caller rebuilds it from the vault.
//
// Layout (docs/FORMAT.md "Vault index", version 2): MAGIC, a 16-byte random nonce, then frames of
// (u32 big-endian length, sealed message). Each message's plaintext is UTF-8 JSON lines; the first line of
// the first is the header record. Messages are sealed as age seals its payload: ChaCha20-Poly1305 (Node's
// own, OpenSSL) under a key derived from the index key and the file's nonce by HKDF-SHA-256, with a nonce
// of the message's number and a last-message flag, so a cut-off, reordered or extended file is refused.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { setImmediate as nextTurn } from "node:timers/promises";
import sodium from "libsodium-wrappers-sumo";
import { chunkNonce } from "../../core/age-stream.js";
import { fromUtf8, toHex, utf8 } from "../../core/bytes.js";

export const INDEX_MAGIC = utf8("sealdrop-vault-index-v2\n");
/** The first format (libsodium secretstream): still recognized, so that it is rebuilt with a plain reason. */
const INDEX_MAGIC_V1 = utf8("sealdrop-vault-index-v1\n");
/** Key derivation (docs/FORMAT.md): BLAKE2b keyed by this label over the identity, then crypto_kdf. */
export const INDEX_KEY_LABEL = "sealdrop vault index v1";
export const INDEX_KDF_CONTEXT = "sdvindex";
/** HKDF info for the key that seals one file's messages. */
const PAYLOAD_INFO = "sealdrop vault index v2 payload";
const NONCE_BYTES = 16;
const TAG_BYTES = 16;
/** Plaintext bytes per message: large enough to be cheap, small enough to stream. */
const MESSAGE_BYTES = 256 << 10;

export class IndexUnusable extends Error {
  override name = "IndexUnusable";
}

/** The 32-byte key that seals the index: derived from the editor's current age identity (`AGE-SECRET-KEY-…`). */
export async function indexKey(ageIdentity: string): Promise<Uint8Array> {
  await sodium.ready;
  const master = sodium.crypto_generichash(32, utf8(ageIdentity), utf8(INDEX_KEY_LABEL));
  return sodium.crypto_kdf_derive_from_key(32, 1, INDEX_KDF_CONTEXT, master);
}

/** Names the set of identities the index was built with (inside the sealed header), so a rotation rebuilds it. */
export async function identitiesDigest(identities: readonly string[]): Promise<string> {
  await sodium.ready;
  return toHex(sodium.crypto_generichash(16, utf8(identities.join("\n")), utf8(INDEX_KEY_LABEL)));
}

const payloadKey = (key: Uint8Array, nonce: Uint8Array): Uint8Array => new Uint8Array(hkdfSync("sha256", key, nonce, PAYLOAD_INFO, 32));

/** Message `n`'s 12-byte nonce is age STREAM's chunk nonce: 11-byte big-endian `n`, then the last-message flag. */
const messageNonce = chunkNonce;

/** Seals `lines` (JSON values, the header first) as an index file. `nonce` is random; test vectors pass their own. */
export async function sealIndex(key: Uint8Array, lines: Iterable<unknown>, nonce: Uint8Array = randomBytes(NONCE_BYTES)): Promise<Uint8Array> {
  if (nonce.length !== NONCE_BYTES) throw new RangeError("an index nonce is 16 bytes");
  const fileKey = payloadKey(key, nonce);
  const plaintexts: string[] = [];
  let pending: string[] = [];
  let pendingBytes = 0;
  for (const line of lines) {
    const text = JSON.stringify(line);
    if (pendingBytes > 0 && pendingBytes + text.length > MESSAGE_BYTES) {
      plaintexts.push(pending.join("\n"));
      pending = [];
      pendingBytes = 0;
    }
    pending.push(text);
    pendingBytes += text.length + 1;
  }
  plaintexts.push(pending.join("\n"));
  const parts: Uint8Array[] = [INDEX_MAGIC, nonce];
  plaintexts.forEach((text, n) => {
    const cipher = createCipheriv("chacha20-poly1305", fileKey, messageNonce(n, n === plaintexts.length - 1), { authTagLength: TAG_BYTES });
    const plaintext = utf8(text);
    cipher.setAAD(INDEX_MAGIC, { plaintextLength: plaintext.length });
    const sealed = [cipher.update(plaintext), cipher.final(), cipher.getAuthTag()];
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, sealed.reduce((sum, p) => sum + p.length, 0));
    parts.push(length, ...sealed);
  });
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  fileKey.fill(0);
  return out;
}

/** Opens an index file into its JSON lines (the header first); IndexUnusable if it is not a whole index sealed under `key`. */
export async function openIndex(key: Uint8Array, file: Uint8Array): Promise<unknown[]> {
  const starts = (magic: Uint8Array) => file.length >= magic.length && magic.every((b, i) => file[i] === b);
  if (starts(INDEX_MAGIC_V1)) throw new IndexUnusable("it is of an older format, version 1");
  if (file.length < INDEX_MAGIC.length + NONCE_BYTES || !starts(INDEX_MAGIC)) throw new IndexUnusable("it is not a sealdrop vault index");
  let at = INDEX_MAGIC.length;
  const fileKey = payloadKey(key, file.subarray(at, at + NONCE_BYTES));
  at += NONCE_BYTES;
  const lines: unknown[] = [];
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  try {
    for (let n = 0; ; n++) {
      if (at + 4 > file.length) throw new IndexUnusable("it is cut off");
      const length = view.getUint32(at);
      at += 4;
      if (length < TAG_BYTES || at + length > file.length) throw new IndexUnusable("it is cut off");
      // The last message is the one that ends the file: sealed as the last, or the file was cut or extended.
      const last = at + length === file.length;
      let plaintext: Uint8Array;
      try {
        const decipher = createDecipheriv("chacha20-poly1305", fileKey, messageNonce(n, last), { authTagLength: TAG_BYTES });
        decipher.setAAD(INDEX_MAGIC, { plaintextLength: length - TAG_BYTES });
        decipher.setAuthTag(file.subarray(at + length - TAG_BYTES, at + length));
        plaintext = decipher.update(file.subarray(at, at + length - TAG_BYTES));
        decipher.final();
      } catch {
        throw new IndexUnusable(last ? "it was sealed under another key, or is damaged or cut off" : "it was sealed under another key, or is damaged");
      }
      at += length;
      try {
        for (const line of fromUtf8(plaintext).split("\n")) lines.push(JSON.parse(line));
      } catch {
        throw new IndexUnusable("its contents are not JSON lines");
      }
      if (last) return lines;
      // Every 2 MiB, let the event loop run: the inbox answers its page's first requests meanwhile.
      if (n % 8 === 7) await nextTurn();
    }
  } finally {
    fileKey.fill(0);
  }
}
