// Decrypting one attachment straight to a file, with memory bounded by a few chunks whatever its size:
// the padded plaintext streams through the native decryptor (from a file: age-file.ts); the first `size` bytes (the manifest's)
// go to a temporary file and into SHA-256; the rest must be exactly the padding (StreamUnpadder, src/core/padding.ts).
// The file gets its final name only once every check has passed.
import { createHash } from "node:crypto";
import { closeSync, createReadStream, openSync, writeSync } from "node:fs";
import { rm } from "node:fs/promises";
import { StreamUnpadder } from "../../core/padding.js";
import { decryptFile } from "./age-file.js";
import { PiecesHasher } from "./pieces-hasher.js";
import { Sha256Thread } from "./sha256-thread.js";
import { AgeStreamError, decryptStream } from "./age-stream.js";

/** What the envelope's manifest says of the file: its size and one of its two digests (src/core/pieces.ts). */
export interface ExpectedPlaintext {
  size: number;
  sha256?: string | undefined;
  sha256_pieces?: string | undefined;
}

export interface StreamDecryptOptions {
  /** Ciphertext bytes consumed so far, and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Where the ciphertext is: a file on disk, or bytes already in memory (small vault BLOBs). */
export type CiphertextSource = { path: string; size: number } | { bytes: Uint8Array };

const READ_SIZE = 1 << 20;
/** From this many ciphertext bytes on, SHA-256 runs on a second thread (starting one costs a few ms). */
export const THREAD_HASH_FROM = 16 << 20;

async function* fromBytes(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += READ_SIZE) yield bytes.subarray(i, i + READ_SIZE);
}

export function ciphertextStream(source: CiphertextSource): AsyncIterable<Uint8Array> {
  return "path" in source ? (createReadStream(source.path, { highWaterMark: READ_SIZE }) as AsyncIterable<Uint8Array>) : fromBytes(source.bytes);
}

/** On success, the SHA-256 of the file written (what an editor compares with `sha256sum`). */
export type StreamedAttachment = { ok: true; sha256: string } | { ok: false; reason: string };

/**
 * Decrypts `source` into the new file `temp` (created exclusively, mode 0600) and checks it against
 * `expected`. On failure `temp` is removed and the reason returned; on success the caller moves it.
 */
export async function decryptAttachmentToFile(
  source: CiphertextSource,
  identities: readonly string[],
  expected: ExpectedPlaintext,
  temp: string,
  options: StreamDecryptOptions = {},
): Promise<StreamedAttachment> {
  const total = "path" in source ? source.size : source.bytes.length;
  const unpadder = new StreamUnpadder(expected.size);
  // Large attachments are hashed on a second thread while this one decrypts (sha256-thread.ts).
  const thread = total >= THREAD_HASH_FROM ? new Sha256Thread() : null;
  const hash = thread ? null : createHash("sha256");
  // A file the page streamed carries the pieces digest instead; the file's own SHA-256 is still shown.
  const pieces = expected.sha256_pieces !== undefined ? new PiecesHasher() : null;
  // Written synchronously from the decrypting thread, a chunk at a time while it is still in the CPU's
  // cache: measured on the 2-core build box, 1 GiB took a median 1.5 s this way and 2.8 s with the same
  // blocks written through libuv's thread pool (FileHandle.writev), whose copies run on the other core.
  const out = openSync(temp, "wx", 0o600);
  const write = (data: Buffer) => {
    for (let at = 0; at < data.length; ) at += writeSync(out, data, at, data.length - at);
  };
  try {
    const sink = async (chunks: Buffer[]) => {
      const data: Buffer[] = [];
      for (const c of chunks) {
        const kept = unpadder.push(c);
        if (kept.length > 0) data.push(c.subarray(0, kept.length));
      }
      for (const d of data) {
        if (thread) await thread.update(d);
        else hash!.update(d);
        pieces?.update(d);
        write(d);
      }
    };
    try {
      const onProgress = (n: number) => options.onProgress?.(n, total);
      if ("path" in source) await decryptFile(source.path, identities, sink, { onProgress });
      else await decryptStream(ciphertextStream(source), identities, sink, { onProgress });
    } catch (e) {
      return fail(e instanceof AgeStreamError && e.failure === "no match" ? "not encrypted to your key" : `cannot decrypt: ${(e as Error).message}`);
    }
    if (unpadder.received < expected.size) return fail(`size ${unpadder.received} is smaller than the manifest's ${expected.size}`);
    if (!unpadder.complete) return fail(`size differs from the manifest's ${expected.size} (the padding does not match)`);
    const digest = thread ? await thread.digest() : hash!.digest("hex");
    const mismatch = digestMismatch(expected, digest, () => pieces?.digest() ?? null);
    if (mismatch !== null) return fail(mismatch);
    // No fsync: like \`age -d\`, a decrypted copy can always be made again from the vault.
    return { ok: true, sha256: digest };
  } finally {
    closeSync(out);
    await thread?.close();
  }

  async function fail(reason: string): Promise<StreamedAttachment> {
    await rm(temp, { force: true });
    return { ok: false, reason };
  }
}

/** Why the file's digests do not match the manifest's, or null when they do; a manifest with neither digest never matches. */
export function digestMismatch(expected: ExpectedPlaintext, sha256: string, pieces: () => string | null): string | null {
  if (expected.sha256 !== undefined) return sha256 === expected.sha256 ? null : "SHA-256 differs from the manifest's";
  if (expected.sha256_pieces === undefined) return "the manifest gives no digest to check the file against";
  return pieces() === expected.sha256_pieces ? null : "the pieces digest differs from the manifest's";
}
