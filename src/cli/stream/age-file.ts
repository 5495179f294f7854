// The streaming age decryptor's fast path for a file on disk (what `sealdrop read` decrypts large
// attachments from). The payload is read in blocks aligned on the STREAM chunk grid into one reused
// buffer, with synchronous reads (a CLI does one thing at a time), so no stream machinery, no joining of
// reads and no garbage per read; plaintext goes to the sink one block at a time with the sink's previous
// write still in flight, so the disk works while the next block is decrypted. Same checks, same errors and
// the same "verified prefix only" release as decryptStream (src/cli/stream/age-stream.ts).
import { hkdfSync } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import {
  AgeStreamError,
  headerEnd,
  MAX_HEADER_BYTES,
  NONCE_SIZE,
  Releaser,
  SEALED_CHUNK,
  StreamOpener,
  unwrapFileKey,
  type DecryptOptions,
  type PlaintextSink,
} from "./age-stream.js";

export interface FileDecryptOptions extends DecryptOptions {
  /** STREAM chunks per read (default 64, i.e. about 4 MiB); small values are for tests. */
  blockChunks?: number;
}

/** Reads into `buffer` from `position` until it is full or the file ends; returns the bytes read. */
function fill(fd: number, buffer: Buffer, position: number): number {
  let got = 0;
  while (got < buffer.length) {
    const n = readSync(fd, buffer, got, buffer.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/** The header and payload nonce at the start of the file: their length and the payload key. */
async function readHeader(fd: number, identities: readonly string[]): Promise<{ payloadStart: number; key: Buffer }> {
  let head = Buffer.alloc(64 * 1024);
  let got = fill(fd, head, 0);
  let end = headerEnd(head.subarray(0, got));
  while (end === null && got === head.length && head.length <= MAX_HEADER_BYTES) {
    const bigger = Buffer.alloc(head.length * 2);
    head.copy(bigger);
    got += fill(fd, bigger.subarray(got), got);
    head = bigger;
    end = headerEnd(head.subarray(0, got));
  }
  if (end === null) {
    throw new AgeStreamError("header failure", got === head.length ? "the age header is too long or never ends" : "the file ends inside the age header");
  }
  if (got < end + NONCE_SIZE) throw new AgeStreamError("header failure", "the file ends before the payload nonce");
  const fileKey = await unwrapFileKey(head.subarray(0, end), identities);
  const key = Buffer.from(hkdfSync("sha256", fileKey, head.subarray(end, end + NONCE_SIZE), "payload", 32));
  return { payloadStart: end + NONCE_SIZE, key };
}

/**
 * Decrypts the age file at `path` with any of `identities`, handing verified plaintext to `sink` a block
 * at a time. Resolves with the plaintext size; rejects with an AgeStreamError after releasing only
 * verified chunks.
 */
export async function decryptFile(path: string, identities: readonly string[], sink: PlaintextSink, options: FileDecryptOptions = {}): Promise<number> {
  const fd = openSync(path, "r");
  const releaser = new Releaser(sink);
  const release = (chunks: Buffer[]) => releaser.release(chunks);
  try {
    const { payloadStart, key } = await readHeader(fd, identities);
    const opener = new StreamOpener(key);
    const block = Buffer.alloc(SEALED_CHUNK * Math.max(1, options.blockChunks ?? 64));
    let position = payloadStart;
    for (;;) {
      const got = fill(fd, block, position);
      if (got === 0) break;
      position += got;
      const out: Buffer[] = [];
      try {
        for (let at = 0; at < got; at += SEALED_CHUNK) out.push(opener.chunk(block.subarray(at, Math.min(got, at + SEALED_CHUNK))));
      } catch (e) {
        await release(out);
        throw e;
      }
      // The sink may keep these chunks until its write is done: they are fresh buffers, not views of `block`.
      await release(out);
      options.onProgress?.(position);
      if (got < block.length) break;
    }
    if (!opener.finished) {
      throw new AgeStreamError("payload failure", opener.started ? "the file is truncated: the final chunk is missing" : "the payload has no chunks");
    }
    return releaser.released;
  } finally {
    try {
      await releaser.settle();
    } finally {
      closeSync(fd);
    }
  }
}
