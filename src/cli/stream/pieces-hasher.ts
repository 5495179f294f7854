// The pieces digest (src/core/pieces.ts) of a stream, on Node's own SHA-256: fed the plaintext in any
// slices, it hashes each 1 MiB piece as it completes.
import { createHash, type Hash } from "node:crypto";
import { DIGEST_PIECE, piecesRoot } from "../../core/pieces.js";

export class PiecesHasher {
  private readonly digests: Uint8Array[] = [];
  private piece: Hash = createHash("sha256");
  private filled = 0;

  update(data: Uint8Array): void {
    for (let at = 0; at < data.length; ) {
      const n = Math.min(data.length - at, DIGEST_PIECE - this.filled);
      this.piece.update(data.subarray(at, at + n));
      this.filled += n;
      at += n;
      if (this.filled === DIGEST_PIECE) this.endPiece();
    }
  }

  private endPiece(): void {
    this.digests.push(this.piece.digest());
    this.piece = createHash("sha256");
    this.filled = 0;
  }

  /** The hex pieces digest of everything added. */
  digest(): string {
    if (this.filled > 0) this.endPiece();
    return piecesRoot(this.digests);
  }
}
