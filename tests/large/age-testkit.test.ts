// Every age decryptor sealdrop ships against the age test kit (C2SP/CCTV, /work/shared/vectors/age-testkit):
// age-encryption as the CLI and page use it (whole-file Decrypter.decrypt), and the CLI's streaming
// native decryptor. Each must give the vector's `expect`ed result; the streaming one must release exactly
// the plaintext whose SHA-256 is `payload`, also when it fails part-way.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { inflateSync } from "node:zlib";
import { sha256 } from "@noble/hashes/sha2.js";
import { armor, Decrypter } from "age-encryption";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHex } from "../../src/core/bytes.js";
import { AgeStreamError, decryptStream } from "../../src/cli/stream/age-stream.js";
import { decryptFile } from "../../src/cli/stream/age-file.js";

// The shared directory sits beside the clone (CI keeps a copy of shared/ there too).
const KIT = fileURLToPath(new URL("../../../shared/vectors/age-testkit/", import.meta.url));
if (!existsSync(KIT)) throw new Error(`the age test kit is missing: expected it at ${KIT} (a copy of shared/ beside the repository)`);

interface Vector {
  name: string;
  expect: string;
  payload: string | null;
  identities: string[];
  passphrases: string[];
  armored: boolean;
  file: Uint8Array;
}

function parseVector(name: string): Vector {
  const raw = readFileSync(KIT + name);
  const split = raw.indexOf("\n\n");
  if (split < 0) throw new Error(`${name}: no blank line after the header`);
  const header = raw.subarray(0, split).toString("utf8").split("\n");
  const field = (k: string) => header.filter((l) => l.startsWith(`${k}: `)).map((l) => l.slice(k.length + 2));
  let file: Uint8Array = raw.subarray(split + 2);
  if (field("compressed")[0] === "zlib") file = inflateSync(file);
  return {
    name,
    expect: field("expect")[0] ?? "",
    payload: field("payload")[0] ?? null,
    identities: field("identity"),
    passphrases: field("passphrase"),
    armored: field("armored")[0] === "yes",
    file,
  };
}

const vectors = readdirSync(KIT)
  .filter((n) => !n.startsWith(".") && !/readme/i.test(n))
  .sort()
  .map(parseVector);

const EMPTY_SHA256 = toHex(sha256(new Uint8Array(0)));

/** Armor is unwrapped first, with age-encryption's decoder; its failures are the kit's "armor failure". */
function dearmor(v: Vector): Uint8Array | "armor failure" {
  if (!v.armored) return v.file;
  try {
    return armor.decode(new TextDecoder().decode(v.file));
  } catch {
    return "armor failure";
  }
}

function* pieces(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function* source(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  yield* pieces(bytes, size);
}

describe("the age test kit", () => {
  it("is there, complete", () => {
    expect(vectors.length).toBeGreaterThanOrEqual(140);
    expect(new Set(vectors.map((v) => v.expect))).toEqual(new Set(["success", "HMAC failure", "armor failure", "header failure", "no match", "payload failure"]));
  });
});

describe.each([
  // Whole file at once, then read sizes that split chunks and headers everywhere. The header path is
  // age-encryption's whatever the reads, so slow scrypt vectors run once; 7-byte reads only on small files.
  { reads: 1 << 20, all: true },
  { reads: 4096, all: false },
  { reads: 7, all: false },
])("the native streaming decryptor, reading $reads bytes at a time", ({ reads, all }) => {
  const applicable = vectors.filter((v) => all || (v.passphrases.length === 0 && (reads > 1000 || v.file.length < 200_000)));
  it.each(applicable.map((v) => [v.name, v] as const))("%s", async (_name, v) => {
    const input = dearmor(v);
    if (input === "armor failure") return expect(v.expect).toBe("armor failure");
    const released: Buffer[] = [];
    let outcome = "success";
    let size = -1;
    try {
      size = await decryptStream(source(input, reads), [...v.identities, ...v.passphrases], (chunks) => void released.push(...chunks));
    } catch (e) {
      if (!(e instanceof AgeStreamError)) throw e;
      outcome = e.failure;
    }
    expect(outcome).toBe(v.expect);
    const plaintext = Buffer.concat(released);
    // Header failures release nothing; payload failures exactly the verified prefix the kit names.
    expect(toHex(sha256(plaintext))).toBe(v.payload ?? EMPTY_SHA256);
    if (outcome === "success") expect(size).toBe(plaintext.length);
  });
});

describe.each([
  // From a file on disk (what `sealdrop read` does with large attachments): the default 64-chunk blocks,
  // and one- and two-chunk blocks so that block ends fall on every chunk boundary of the kit's files.
  { blockChunks: 64, all: true },
  { blockChunks: 1, all: false },
  { blockChunks: 2, all: false },
])("the native decryptor reading a file, $blockChunks chunk(s) per read", ({ blockChunks, all }) => {
  const applicable = vectors.filter((v) => all || v.passphrases.length === 0);
  let dir: string;
  beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), "sealdrop-testkit-"))));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  it.each(applicable.map((v) => [v.name, v] as const))("%s", async (name, v) => {
    const input = dearmor(v);
    if (input === "armor failure") return expect(v.expect).toBe("armor failure");
    const path = join(dir, name);
    await writeFile(path, input);
    const released: Buffer[] = [];
    let outcome = "success";
    let size = -1;
    try {
      size = await decryptFile(path, [...v.identities, ...v.passphrases], (chunks) => void released.push(...chunks), { blockChunks });
    } catch (e) {
      if (!(e instanceof AgeStreamError)) throw e;
      outcome = e.failure;
    }
    expect(outcome).toBe(v.expect);
    const plaintext = Buffer.concat(released);
    expect(toHex(sha256(plaintext))).toBe(v.payload ?? EMPTY_SHA256);
    if (outcome === "success") expect(size).toBe(plaintext.length);
  });
});

describe("age-encryption as sealdrop uses it (Decrypter.decrypt on the whole file)", () => {
  it.each(vectors.map((v) => [v.name, v] as const))("%s", async (_name, v) => {
    const input = dearmor(v);
    if (input === "armor failure") return expect(v.expect).toBe("armor failure");
    const d = new Decrypter();
    for (const i of v.identities) d.addIdentity(i);
    for (const p of v.passphrases) d.addPassphrase(p);
    let plaintext: Uint8Array | null = null;
    let error: Error | null = null;
    try {
      plaintext = await d.decrypt(input);
    } catch (e) {
      error = e as Error;
    }
    if (v.expect === "success") {
      expect(error).toBeNull();
      expect(toHex(sha256(plaintext!))).toBe(v.payload);
      return;
    }
    // All or nothing: a failure releases no plaintext at all, never an unverified byte.
    expect(error).not.toBeNull();
    expect(plaintext).toBeNull();
    if (v.expect === "no match") expect(error!.message).toMatch(/no identity matched/);
    if (v.expect === "HMAC failure") expect(error!.message).toMatch(/HMAC/);
  });
});
