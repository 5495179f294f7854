// The digest the page gives a streamed file (docs/FORMAT.md, "Attachment digests"): SHA-256 over the
// SHA-256 of each 1 MiB piece of the file, in order (the last piece may be shorter; an empty file has no
// piece). A file's plain SHA-256 runs on one thread from its first byte to its last, and without a JIT
// (Tor Browser "Safer") it ran at about 1.4 MiB/s; pieces are hashed where they are sealed, on every
// core, by the browser's native SHA-256. The same construction as Dropbox's content hash (4 MiB blocks
// there); it is as collision-resistant as SHA-256 itself for files of a known size.
import { sha256 } from "@noble/hashes/sha2.js";
import { toHex } from "./bytes.js";

/** Bytes per piece: one sealing job's plaintext (client/upload/sealer.ts). */
export const DIGEST_PIECE = 1 << 20;

/** SHA-256 of one piece: the native one where the platform has it (a secure context), else @noble/hashes. */
export async function pieceDigest(piece: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle !== undefined) return new Uint8Array(await subtle.digest("SHA-256", piece));
  return sha256(piece);
}

/** The hex digest over the pieces' digests, in order. */
export function piecesRoot(digests: readonly Uint8Array[]): string {
  const all = new Uint8Array(digests.length * 32);
  digests.forEach((d, i) => all.set(d, i * 32));
  return toHex(sha256(all));
}

/** The pieces digest of bytes in memory (small files, tests). */
export function piecesDigestOf(bytes: Uint8Array): string {
  const digests: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += DIGEST_PIECE) digests.push(sha256(bytes.subarray(at, at + DIGEST_PIECE)));
  return piecesRoot(digests);
}
