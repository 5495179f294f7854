// The vault's local index file (`home/vault.index`, docs/FORMAT.md "Vault index"): what the views need of
// each decrypted vault item, sealed under a key derived from the editor's age identity, so `list`,
// `sources`, `source` and the inbox do not decrypt the whole vault again. It is a cache, never a record:
// anything wrong with it (unreadable, another key, another format, damaged, truncated) makes it
// `IndexUnusable`, and the caller rebuilds it from the vault.
//
// Layout: MAGIC, then the 24-byte XChaCha20-Poly1305 secretstream header, then frames of
// (u32 big-endian length, secretstream message). Each message's plaintext is UTF-8 JSON lines; the first
// line of the first is the header record. The last message carries TAG_FINAL, so a cut-off file is refused.
import sodium from "libsodium-wrappers-sumo";
import { fromUtf8, toHex, utf8 } from "../../core/bytes.js";

export const INDEX_MAGIC = utf8("sealdrop-vault-index-v1\n");
/** Key derivation (docs/FORMAT.md): BLAKE2b keyed by this label over the identity, then crypto_kdf. */
export const INDEX_KEY_LABEL = "sealdrop vault index v1";
export const INDEX_KDF_CONTEXT = "sdvindex";
/** Plaintext bytes per secretstream message: large enough to be cheap, small enough to stream. */
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

/** Seals `lines` (JSON values, the header first) as an index file. */
export async function sealIndex(key: Uint8Array, lines: Iterable<unknown>): Promise<Uint8Array> {
  await sodium.ready;
  const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
  const parts: Uint8Array[] = [INDEX_MAGIC, header];
  let pending: string[] = [];
  let pendingBytes = 0;
  const push = (final: boolean) => {
    const tag = final ? sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL : sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    const sealed = sodium.crypto_secretstream_xchacha20poly1305_push(state, utf8(pending.join("\n")), INDEX_MAGIC, tag);
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, sealed.length);
    parts.push(length, sealed);
    pending = [];
    pendingBytes = 0;
  };
  for (const line of lines) {
    const text = JSON.stringify(line);
    if (pendingBytes > 0 && pendingBytes + text.length > MESSAGE_BYTES) push(false);
    pending.push(text);
    pendingBytes += text.length + 1;
  }
  push(true);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

/** Opens an index file into its JSON lines (the header first); IndexUnusable if it is not a whole index sealed under `key`. */
export async function openIndex(key: Uint8Array, file: Uint8Array): Promise<unknown[]> {
  await sodium.ready;
  const headerBytes = sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES;
  if (file.length < INDEX_MAGIC.length + headerBytes || !INDEX_MAGIC.every((b, i) => file[i] === b)) throw new IndexUnusable("it is not a sealdrop vault index");
  let at = INDEX_MAGIC.length;
  let state;
  try {
    state = sodium.crypto_secretstream_xchacha20poly1305_init_pull(file.subarray(at, at + headerBytes), key);
  } catch {
    throw new IndexUnusable("its header is damaged");
  }
  at += headerBytes;
  const lines: unknown[] = [];
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  for (;;) {
    if (at + 4 > file.length) throw new IndexUnusable("it is cut off");
    const length = view.getUint32(at);
    at += 4;
    if (at + length > file.length) throw new IndexUnusable("it is cut off");
    let opened: { message: Uint8Array; tag: number } | false;
    try {
      opened = sodium.crypto_secretstream_xchacha20poly1305_pull(state, file.subarray(at, at + length), INDEX_MAGIC);
    } catch {
      opened = false;
    }
    if (!opened) throw new IndexUnusable("it was sealed under another key, or is damaged");
    at += length;
    try {
      for (const line of fromUtf8(opened.message).split("\n")) lines.push(JSON.parse(line));
    } catch {
      throw new IndexUnusable("its contents are not JSON lines");
    }
    if (opened.tag === sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
      if (at !== file.length) throw new IndexUnusable("it has bytes after its end");
      return lines;
    }
  }
}
