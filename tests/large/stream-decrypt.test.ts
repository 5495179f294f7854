// The editor's streaming attachment decryptor: byte-exact against age-encryption and the `age` tool,
// and a damaged, truncated, extended or mismatched file never leaves a file behind.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { sha256 } from "@noble/hashes/sha2.js";
import { piecesDigestOf } from "../../src/core/pieces.js";
import { Encrypter, generateX25519Identity, identityToRecipient } from "age-encryption";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHex } from "../../src/core/bytes.js";
import { pad, paddingTail } from "../../src/core/padding.js";
import { decryptAttachmentToFile } from "../../src/cli/stream/attachment.js";

const run = promisify(execFile);
let dir: string;
let identity: string;
let recipient: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sealdrop-stream-"));
  identity = await generateX25519Identity();
  recipient = await identityToRecipient(identity);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function seal(plaintext: Uint8Array): Promise<Uint8Array> {
  const e = new Encrypter();
  e.addRecipient(recipient);
  return e.encrypt(pad(plaintext));
}

const manifest = (p: Uint8Array) => ({ size: p.length, sha256: toHex(sha256(p)) });

describe("decryptAttachmentToFile", () => {
  it.each([0, 1, 65_535, 65_536, 3 * 65_536 + 17, 5_000_000])("restores a %i-byte attachment exactly, as the age tool does", async (size) => {
    const plaintext = randomBytes(size);
    const sealed = await seal(plaintext);
    const out = join(dir, `out-${size}`);
    expect(await decryptAttachmentToFile({ bytes: sealed }, [identity], manifest(plaintext), out)).toEqual({ ok: true, sha256: manifest(plaintext).sha256 });
    expect(Buffer.compare(await readFile(out), plaintext)).toBe(0);
    // From a file on disk, and against the reference tool (which sees the padded plaintext).
    const agePath = join(dir, `in-${size}.age`);
    await writeFile(agePath, sealed);
    const out2 = join(dir, `out2-${size}`);
    // The page's manifests give the pieces digest instead: checked, and the file's own SHA-256 reported.
    const pieces = { size, sha256_pieces: piecesDigestOf(plaintext) };
    expect(await decryptAttachmentToFile({ path: agePath, size: sealed.length }, [identity], pieces, out2)).toEqual({ ok: true, sha256: manifest(plaintext).sha256 });
    expect(Buffer.compare(await readFile(out2), plaintext)).toBe(0);
    const keyFile = join(dir, "key.txt");
    await writeFile(keyFile, `${identity}\n`);
    const { stdout } = await run("age", ["-d", "-i", keyFile, agePath], { encoding: "buffer", maxBuffer: 64 << 20 });
    expect(Buffer.compare(stdout, Buffer.concat([plaintext, paddingTail(size)]))).toBe(0);
  });

  it("refuses a truncated, extended or flipped file and a manifest that does not match, leaving no file", async () => {
    const plaintext = randomBytes(300_000);
    const sealed = await seal(plaintext);
    const flipped = sealed.slice();
    flipped[sealed.length - 100_000]! ^= 1;
    const cases: [string, Uint8Array, { size: number; sha256?: string; sha256_pieces?: string }, RegExp][] = [
      ["truncated", sealed.subarray(0, sealed.length - 70_000), manifest(plaintext), /cannot decrypt/],
      ["truncated at a chunk edge", sealed.subarray(0, sealed.length - (sealed.length - 200) % 65_552), manifest(plaintext), /cannot decrypt/],
      ["extended", Buffer.concat([sealed, Buffer.from("x")]), manifest(plaintext), /cannot decrypt/],
      ["flipped", flipped, manifest(plaintext), /cannot decrypt/],
      ["another size", sealed, { ...manifest(plaintext), size: plaintext.length - 1 }, /padding|size/],
      ["another hash", sealed, { ...manifest(plaintext), sha256: "00".repeat(32) }, /SHA-256/],
      ["another pieces digest", sealed, { size: plaintext.length, sha256_pieces: "00".repeat(32) }, /pieces digest/],
      // Parsed manifests always carry one (src/core/envelope.ts); a caller that passes neither is refused, not thrown at.
      ["no digest at all", sealed, { size: plaintext.length }, /no digest/],
    ];
    // Padding that is not 0x80 then zeros, far from the data and right after it (sealed by the editor's own key: the AEAD holds).
    const tail = paddingTail(plaintext.length);
    for (const [name, at, value] of [["padding byte", tail.length - 1, 1], ["padding marker", 0, 0]] as const) {
      const bad = Buffer.from(tail);
      bad[at] = value;
      const e = new Encrypter();
      e.addRecipient(recipient);
      cases.push([name, await e.encrypt(Buffer.concat([plaintext, bad])), manifest(plaintext), /padding/]);
    }
    for (const [name, bytes, expected, reason] of cases) {
      for (const from of ["memory", "file"] as const) {
        const out = join(dir, `bad-${name}-${from}`);
        const path = join(dir, `bad-${name}.age`);
        if (from === "file") await writeFile(path, bytes);
        const result = await decryptAttachmentToFile(from === "file" ? { path, size: bytes.length } : { bytes }, [identity], expected, out);
        expect(result.ok, `${name} from ${from}`).toBe(false);
        expect(result.ok ? "" : result.reason, `${name} from ${from}`).toMatch(reason);
        expect(existsSync(out), `${name} from ${from}`).toBe(false);
      }
    }
  });
});

describe("SHA-256 on a second thread (large attachments)", () => {
  it("gives Node's own digest for pieces of every size, across the shared slots' edges", async () => {
    const { Sha256Thread } = await import("../../src/cli/stream/sha256-thread.js");
    const data = randomBytes(19 * 1024 * 1024 + 123);
    const thread = new Sha256Thread();
    for (let at = 0, n = 1; at < data.length; at += n, n = (n * 7 + 13) % (3 * 1024 * 1024)) await thread.update(data.subarray(at, at + n));
    expect(await thread.digest()).toBe(toHex(sha256(data)));
    const empty = new Sha256Thread();
    expect(await empty.digest()).toBe(toHex(sha256(new Uint8Array(0))));
  });

  it("checks a large attachment read from a file: exact when it matches, refused when one byte differs", async () => {
    const { THREAD_HASH_FROM } = await import("../../src/cli/stream/attachment.js");
    const plaintext = randomBytes(THREAD_HASH_FROM + 1_000_000);
    const path = join(dir, "large.age");
    const sealed = await seal(plaintext);
    await writeFile(path, sealed);
    const good = join(dir, "large-out");
    expect(await decryptAttachmentToFile({ path, size: sealed.length }, [identity], manifest(plaintext), good)).toEqual({ ok: true, sha256: manifest(plaintext).sha256 });
    expect(Buffer.compare(await readFile(good), plaintext)).toBe(0);
    const other = Buffer.from(plaintext);
    other[THREAD_HASH_FROM - 5]! ^= 1;
    const bad = join(dir, "large-bad");
    const result = await decryptAttachmentToFile({ path, size: sealed.length }, [identity], manifest(other), bad);
    expect(result).toEqual({ ok: false, reason: "SHA-256 differs from the manifest's" });
    expect(existsSync(bad)).toBe(false);
  });
});
