// The page's chunk-by-chunk age STREAM (src/core/age-stream.ts, client/upload/sealer.ts) is age, byte
// for byte: every success vector of the age test kit is re-sealed from its own file key and nonce and
// must give the vector's payload exactly, however the chunks are batched; files sealed by sealedStream
// open with age-encryption and with the reference `age` tool.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { inflateSync } from "node:zlib";
import { generateHybridIdentity, generateX25519Identity, identityToRecipient } from "age-encryption";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSealer, JOB_BYTES, sealedStream } from "../../client/upload/sealer.js";
import { piecesDigestOf } from "../../src/core/pieces.js";
import { ageDecrypter } from "../../src/core/age.js";
import { chunkNonce, payloadKey, payloadSize, sealChunks, STREAM_CHUNK } from "../../src/core/age-stream.js";
import { concatBytes } from "../../src/core/bytes.js";

const run = promisify(execFile);
const KIT = fileURLToPath(new URL("../../../shared/vectors/age-testkit/", import.meta.url));
if (!existsSync(KIT)) throw new Error(`the age test kit is missing: expected it at ${KIT} (a copy of shared/ beside the repository)`);

interface SuccessVector {
  name: string;
  identities: string[];
  passphrases: string[];
  file: Uint8Array;
}

const successVectors: SuccessVector[] = readdirSync(KIT)
  .filter((n) => !n.startsWith(".") && !/readme/i.test(n))
  .sort()
  .flatMap((name) => {
    const raw = readFileSync(KIT + name);
    const split = raw.indexOf("\n\n");
    const header = raw.subarray(0, split).toString("utf8").split("\n");
    const field = (k: string) => header.filter((l) => l.startsWith(`${k}: `)).map((l) => l.slice(k.length + 2));
    if (field("expect")[0] !== "success" || field("armored")[0] === "yes") return [];
    let file: Uint8Array = raw.subarray(split + 2);
    if (field("compressed")[0] === "zlib") file = inflateSync(file);
    return [{ name, identities: field("identity"), passphrases: field("passphrase"), file }];
  });

/** Where the header ends: after the MAC line. */
function headerLength(file: Uint8Array): number {
  const text = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const mac = text.indexOf("\n--- ");
  return text.indexOf("\n", mac + 1) + 1;
}

/** The bytes as a stream of `size`-byte pieces, like a File's. */
function streamOf(bytes: Uint8Array, size = 50_000): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(c);
  return concatBytes(...chunks);
}

describe("chunk-by-chunk sealing against the age test kit", () => {
  it("has success vectors, multi-chunk ones among them", () => {
    expect(successVectors.length).toBeGreaterThanOrEqual(15);
    expect(successVectors.some((v) => v.file.length - headerLength(v.file) > STREAM_CHUNK + 32)).toBe(true);
  });

  it("re-seals every success vector's payload byte for byte, in one batch and chunk by chunk", async () => {
    for (const v of successVectors) {
      const decrypter = ageDecrypter(v.identities, v.passphrases);
      const plaintext = await decrypter.decrypt(v.file);
      const end = headerLength(v.file);
      const fileKey = await decrypter.decryptHeader(v.file.subarray(0, end));
      const nonce = v.file.subarray(end, end + 16);
      const expected = v.file.subarray(end + 16);
      const key = payloadKey(fileKey, nonce);
      expect(Buffer.compare(sealChunks(key, 0, plaintext, true), expected), v.name).toBe(0);
      // The same bytes when each chunk is its own batch (as the workers get them).
      const chunks = Math.max(1, Math.ceil(plaintext.length / STREAM_CHUNK));
      const batched = concatBytes(
        ...Array.from({ length: chunks }, (_, i) => sealChunks(key, i, plaintext.subarray(i * STREAM_CHUNK, (i + 1) * STREAM_CHUNK), i === chunks - 1)),
      );
      expect(Buffer.compare(batched, expected), v.name).toBe(0);
      expect(payloadSize(plaintext.length)).toBe(expected.length);
    }
  });

  it("numbers chunks as age does and refuses a batch that is not whole chunks", () => {
    expect([...chunkNonce(0, false)]).toEqual(new Array(12).fill(0));
    expect([...chunkNonce(258, true)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 1]);
    const key = new Uint8Array(32);
    expect(() => sealChunks(key, 0, new Uint8Array(100), false)).toThrow(RangeError);
    expect(() => sealChunks(key, 0, new Uint8Array(0), false)).toThrow(RangeError);
  });
});

describe("sealedStream", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sealdrop-age-stream-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("makes age files that age-encryption opens to the exact bytes, at every batch boundary", async () => {
    const identity = await generateHybridIdentity();
    const recipient = await identityToRecipient(identity);
    for (const size of [1, STREAM_CHUNK - 1, STREAM_CHUNK, STREAM_CHUNK + 1, JOB_BYTES, JOB_BYTES + 1, 3 * JOB_BYTES - 7]) {
      const plaintext = new Uint8Array(size).map((_, i) => (i * 31 + size) & 0xff);
      const sealed = await sealedStream(streamOf(plaintext), [recipient], (s) => createSealer(s.key, { workers: 0 }), size);
      const file = await readAll(sealed.stream);
      expect(file.length, `size ${size}`).toBe(sealed.stream.size(size));
      expect(Buffer.compare(await ageDecrypter([identity]).decrypt(file), plaintext), `size ${size}`).toBe(0);
      expect(sealed.piecesDigest(), `size ${size}`).toBe(piecesDigestOf(plaintext));
    }
  });

  it("makes an age file the reference age tool opens (classic keys)", async () => {
    const identity = await generateX25519Identity();
    const plaintext = new Uint8Array(2 * JOB_BYTES + 12_345).map((_, i) => (i * 7) & 0xff);
    // The file's first bytes only are the file: the rest stands for its padding, which is not hashed.
    const fileSize = plaintext.length - 5_000;
    const sealed = await sealedStream(streamOf(plaintext, 1 << 20), [await identityToRecipient(identity)], (s) => createSealer(s.key, { workers: 0 }), fileSize);
    expect(() => sealed.piecesDigest()).toThrow(/not been sealed/);
    const file = await readAll(sealed.stream);
    await writeFile(join(dir, "id.txt"), `${identity}\n`);
    await writeFile(join(dir, "file.age"), file);
    const { stdout } = await run("age", ["-d", "-i", join(dir, "id.txt"), join(dir, "file.age")], { encoding: "buffer", maxBuffer: 64 << 20 });
    expect(Buffer.compare(stdout, plaintext)).toBe(0);
    expect(sealed.piecesDigest()).toBe(piecesDigestOf(plaintext.subarray(0, fileSize)));
  });
});
