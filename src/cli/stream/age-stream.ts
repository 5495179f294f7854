// A streaming age v1 decryptor for large files on the editor's machine (C2SP age spec, "Payload").
// The header and file-key unwrap stay with age-encryption (Decrypter.decryptHeader); only the STREAM
// payload is implemented here, on Node's native ChaCha20-Poly1305, which is several times faster than
// pure JS. Plaintext is released to the sink one authenticated chunk at a time and never before its tag
// verifies, so a file damaged part-way yields exactly the verified prefix, then an error (as the Go
// reference implementation does: see the age test kit's "payload failure" vectors).
import { createDecipheriv, hkdfSync } from "node:crypto";
import { ageDecrypter, NotForThisKeyError } from "../../core/age.js";

export const CHUNK_SIZE = 64 * 1024;
const TAG_SIZE = 16;
export const SEALED_CHUNK = CHUNK_SIZE + TAG_SIZE;
export const NONCE_SIZE = 16;
/** Far more than any header sealdrop writes (twenty hybrid post-quantum stanzas are ~40 KiB). */
export const MAX_HEADER_BYTES = 1 << 20;

/** Which stage refused the file, in the test kit's words. */
export type AgeFailure = "header failure" | "no match" | "HMAC failure" | "payload failure";

export class AgeStreamError extends Error {
  override name = "AgeStreamError";
  constructor(
    readonly failure: AgeFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface DecryptOptions {
  /** Called with the number of ciphertext bytes consumed so far. */
  onProgress?: (bytesIn: number) => void;
}

/** Receives verified plaintext; returning a promise applies back-pressure. */
export type PlaintextSink = (chunks: Buffer[]) => void | Promise<void>;

/** The age header (through the MAC line) at the start of `bytes`, or null if it has not ended yet. */
export function headerEnd(bytes: Buffer): number | null {
  let from = 0;
  for (;;) {
    const at = bytes.indexOf("\n---", from);
    if (at < 0) return null;
    const eol = bytes.indexOf(0x0a, at + 1);
    if (eol < 0) return null;
    return eol + 1;
  }
}

/** The file key from `header`, with any of `identities` (age secret keys; anything else is taken as a passphrase). */
export async function unwrapFileKey(header: Buffer, identities: readonly string[]): Promise<Uint8Array> {
  const isSecretKey = (i: string) => i.startsWith("AGE-SECRET-KEY-");
  const d = ageDecrypter(identities.filter(isSecretKey), identities.filter((i) => !isSecretKey(i)));
  try {
    return await d.decryptHeader(new Uint8Array(header.buffer, header.byteOffset, header.length));
  } catch (e) {
    if (e instanceof NotForThisKeyError) throw new AgeStreamError("no match", e.message);
    const message = (e as Error).message;
    // A well-formed MAC line whose MAC is wrong; a malformed one is a header error like any other.
    if (/HMAC/.test(message) && /\n--- [A-Za-z0-9+/]{43}\n$/.test(header.toString("latin1"))) throw new AgeStreamError("HMAC failure", "the header's MAC does not verify: the file was altered");
    throw new AgeStreamError("header failure", `invalid age header: ${message}`);
  }
}

/** The STREAM payload decryptor: feed it ciphertext, it returns verified plaintext chunks. */
export class StreamOpener {
  private readonly nonce = Buffer.alloc(12);
  private chunks = 0;
  private done = false;

  constructor(private readonly key: Buffer) {}

  private open(sealed: Buffer, last: boolean): Buffer | null {
    this.nonce[11] = last ? 1 : 0;
    const d = createDecipheriv("chacha20-poly1305", this.key, this.nonce, { authTagLength: TAG_SIZE });
    d.setAuthTag(sealed.subarray(sealed.length - TAG_SIZE));
    const out = d.update(sealed.subarray(0, sealed.length - TAG_SIZE));
    try {
      d.final();
    } catch {
      return null;
    }
    return out;
  }

  private advance(): void {
    this.chunks++;
    for (let i = 10; i >= 0; i--) {
      this.nonce[i] = (this.nonce[i]! + 1) & 0xff;
      if (this.nonce[i] !== 0) return;
    }
    throw new AgeStreamError("payload failure", "the file has too many chunks");
  }

  /** Opens one chunk. A full-size chunk is tried as a middle chunk first, then as the last; a shorter one can only be the last. */
  chunk(sealed: Buffer): Buffer {
    if (this.done) throw new AgeStreamError("payload failure", "trailing data after the end of the encrypted file");
    if (sealed.length < TAG_SIZE) throw new AgeStreamError("payload failure", "the file is truncated: a chunk is shorter than its tag");
    let out = sealed.length === SEALED_CHUNK ? this.open(sealed, false) : null;
    if (out !== null) {
      this.advance();
      return out;
    }
    out = this.open(sealed, true);
    if (out === null) throw new AgeStreamError("payload failure", `chunk ${this.chunks} does not authenticate: the file is damaged or truncated`);
    if (out.length === 0 && this.chunks > 0) throw new AgeStreamError("payload failure", "the final chunk is empty (only an empty file may end that way)");
    this.done = true;
    this.chunks++;
    return out;
  }

  get finished(): boolean {
    return this.done;
  }

  get started(): boolean {
    return this.chunks > 0;
  }
}

/**
 * Decrypts an age v1 file read from `source` with any of `identities` (age secret keys; anything else
 * is taken as a passphrase), handing verified plaintext to `sink`. Resolves with the plaintext size;
 * rejects with an AgeStreamError naming the stage that failed, after releasing only verified chunks.
 */
/** Hands verified plaintext to a sink with one sink call in flight, so disk and cipher overlap. */
export class Releaser {
  released = 0;
  private pending: Promise<void> | null = null;

  constructor(private readonly sink: PlaintextSink) {}

  async release(chunks: Buffer[]): Promise<void> {
    if (chunks.length === 0) return;
    for (const c of chunks) this.released += c.length;
    if (this.pending) await this.pending;
    const result = this.sink(chunks);
    this.pending = result instanceof Promise ? result : null;
  }

  /** Waits for the sink call in flight. */
  async settle(): Promise<void> {
    if (this.pending) await this.pending;
  }
}

export async function decryptStream(
  source: AsyncIterable<Uint8Array>,
  identities: readonly string[],
  sink: PlaintextSink,
  options: DecryptOptions = {},
): Promise<number> {
  let pending: Buffer = Buffer.alloc(0);
  let consumed = 0;
  let opener: StreamOpener | null = null;
  let headerBytes = 0;
  const releaser = new Releaser(sink);
  const release = (chunks: Buffer[]) => releaser.release(chunks);

  const startPayload = async (): Promise<boolean> => {
    if (opener) return true;
    if (headerBytes === 0) {
      const end = headerEnd(pending);
      if (end === null) {
        if (pending.length > MAX_HEADER_BYTES) throw new AgeStreamError("header failure", "the age header is too long or never ends");
        return false;
      }
      headerBytes = end;
    }
    if (pending.length < headerBytes + NONCE_SIZE) return false;
    const fileKey = await unwrapFileKey(pending.subarray(0, headerBytes), identities);
    const nonce = pending.subarray(headerBytes, headerBytes + NONCE_SIZE);
    const key = Buffer.from(hkdfSync("sha256", fileKey, nonce, "payload", 32));
    opener = new StreamOpener(key);
    pending = pending.subarray(headerBytes + NONCE_SIZE);
    return true;
  };

  const flushError = async (e: unknown): Promise<never> => {
    await releaser.settle();
    throw e;
  };

  try {
    for await (const data of source) {
      consumed += data.length;
      pending = pending.length === 0 ? Buffer.from(data.buffer, data.byteOffset, data.length) : Buffer.concat([pending, data]);
      if (!(await startPayload())) continue;
      const out: Buffer[] = [];
      let offset = 0;
      try {
        // Keep the last full chunk back until we know whether anything follows it.
        while (pending.length - offset > SEALED_CHUNK) {
          out.push(opener!.chunk(pending.subarray(offset, offset + SEALED_CHUNK)));
          offset += SEALED_CHUNK;
        }
      } catch (e) {
        await release(out);
        throw e;
      }
      pending = Buffer.from(pending.subarray(offset));
      await release(out);
      options.onProgress?.(consumed - pending.length);
    }
    if (!(await startPayload())) {
      throw new AgeStreamError("header failure", headerBytes === 0 ? "the file ends inside the age header" : "the file ends before the payload nonce");
    }
    const o = opener!;
    if (pending.length === 0) {
      throw new AgeStreamError("payload failure", o.started ? "the file is truncated: the final chunk is missing" : "the payload has no chunks");
    }
    const last = o.chunk(pending);
    await release([last]);
    if (!o.finished) throw new AgeStreamError("payload failure", "the file is truncated: the final chunk is missing");
    await releaser.settle();
    options.onProgress?.(consumed);
    return releaser.released;
  } catch (e) {
    return flushError(e);
  }
}
