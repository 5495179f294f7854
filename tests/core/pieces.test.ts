// The pieces digest (src/core/pieces.ts, docs/FORMAT.md "Attachment digests"): the vectors of FORMAT.md, the
// page's way (one piece per sealing batch, native SHA-256) and the editor's way (any slicing, Node's SHA-256)
// agree, and the envelope takes exactly one of the two digests.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { attachmentManifestSchema } from "../../src/core/envelope.js";
import { DIGEST_PIECE, pieceDigest, piecesDigestOf, piecesRoot } from "../../src/core/pieces.js";
import { PiecesHasher } from "../../src/cli/stream/pieces-hasher.js";
import { vector } from "./format-doc.js";

const fileOf = (name: string, size: number): Uint8Array => {
  if (name === "empty") return new Uint8Array(0);
  if (name.startsWith("utf8:")) return new TextEncoder().encode(name.slice(5));
  return new Uint8Array(size).map((_, i) => (7 * i + 3) & 0xff);
};

describe("the pieces digest", () => {
  const cases = vector("attachment-digests").cases as { file: string; size: number; sha256_pieces: string; sha256?: string }[];

  it("gives FORMAT.md's vectors, whichever way it is computed", async () => {
    for (const c of cases) {
      const file = fileOf(c.file, c.size);
      expect(file.length).toBe(c.size);
      expect(piecesDigestOf(file), c.file).toBe(c.sha256_pieces);
      // The page: one native digest per 1 MiB batch, joined in order.
      const digests: Uint8Array[] = [];
      for (let at = 0; at < file.length; at += DIGEST_PIECE) digests.push(await pieceDigest(file.slice(at, at + DIGEST_PIECE)));
      expect(piecesRoot(digests), c.file).toBe(c.sha256_pieces);
      // The editor: fed in slices that do not line up with the pieces.
      const hasher = new PiecesHasher();
      for (let at = 0; at < file.length; at += 333_331) hasher.update(file.subarray(at, at + 333_331));
      expect(hasher.digest(), c.file).toBe(c.sha256_pieces);
      if (c.sha256) expect(createHash("sha256").update(file).digest("hex")).toBe(c.sha256);
    }
  });

  it("differs from the file's SHA-256 for a file of more than one piece, and changes with any byte", () => {
    const file = fileOf("pattern", DIGEST_PIECE + 1);
    const digest = piecesDigestOf(file);
    expect(digest).not.toBe(createHash("sha256").update(file).digest("hex"));
    file[DIGEST_PIECE]! ^= 1;
    expect(piecesDigestOf(file)).not.toBe(digest);
  });

  it("is one of two digests an attachment's manifest carries: exactly one", () => {
    const base = { name: "a.jpg", type: "image/jpeg", size: 1 };
    const hex = "ab".repeat(32);
    expect(attachmentManifestSchema.safeParse({ ...base, sha256: hex }).success).toBe(true);
    expect(attachmentManifestSchema.safeParse({ ...base, sha256_pieces: hex }).success).toBe(true);
    expect(attachmentManifestSchema.safeParse({ ...base, sha256: hex, sha256_pieces: hex }).success).toBe(false);
    expect(attachmentManifestSchema.safeParse(base).success).toBe(false);
  });
});
