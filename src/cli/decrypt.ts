// Decrypting what the vault holds, with the editor's age identities (the current one and any retired). Plaintext stays in memory.
import { sha256 } from "@noble/hashes/sha2.js";
import { NotForThisKeyError } from "../core/age.js";
import { toHex } from "../core/bytes.js";
import { type AttachmentManifest, type Envelope, openBytes, openEnvelope } from "../core/envelope.js";
import { piecesDigestOf } from "../core/pieces.js";
import { digestMismatch } from "./stream/attachment.js";
import type { VaultAttachment, VaultSubmission } from "./vault.js";

export type Opened = { ok: true; envelope: Envelope } | { ok: false; reason: string };

/** Opens an envelope, or says why not (most often: it was sealed before this editor was added). */
export async function tryOpenEnvelope(s: VaultSubmission, identities: readonly string[]): Promise<Opened> {
  try {
    return { ok: true, envelope: await openEnvelope(s.envelope, identities) };
  } catch (e) {
    return { ok: false, reason: e instanceof NotForThisKeyError ? "not encrypted to your key" : `cannot decrypt: ${(e as Error).message}` };
  }
}

export type CheckedAttachment =
  | { ok: true; manifest: AttachmentManifest; plaintext: Uint8Array; sha256: string }
  | { ok: false; manifest: AttachmentManifest; reason: string };

/** Decrypts one attachment and checks it is exactly the file the envelope's manifest describes. */
export async function openAttachment(a: VaultAttachment | undefined, manifest: AttachmentManifest, identities: readonly string[]): Promise<CheckedAttachment> {
  if (!a) return { ok: false, manifest, reason: "not in the vault yet; run `sealdrop pull`" };
  let plaintext: Uint8Array;
  try {
    plaintext = await openBytes(a.data, identities);
  } catch (e) {
    return { ok: false, manifest, reason: `cannot decrypt: ${(e as Error).message}` };
  }
  if (plaintext.length !== manifest.size) return { ok: false, manifest, reason: `size ${plaintext.length} differs from the manifest's ${manifest.size}` };
  const digest = toHex(sha256(plaintext));
  const mismatch = digestMismatch(manifest, digest, () => piecesDigestOf(plaintext));
  if (mismatch !== null) return { ok: false, manifest, reason: mismatch };
  return { ok: true, manifest, plaintext, sha256: digest };
}
