// What a codename unlocks (docs/FORMAT.md, "Codename derivations"). 128 bits of entropy need no slow
// KDF: HKDF-SHA256 with one label per output is fast even in a browser without JIT.
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bech32 } from "@scure/base";
import { identityToRecipient } from "age-encryption";
import type { KeyKind } from "./age.js";
import { toHex, utf8 } from "./bytes.js";
import { CODENAME_ENTROPY_BYTES } from "./codename.js";

export const DERIVATION_SALT = "sealdrop-codename-v1";
export const LABELS = {
  replyIdentityPq: "sealdrop/v1/reply-identity/mlkem768x25519",
  replyIdentityX25519: "sealdrop/v1/reply-identity/x25519",
  mailboxId: "sealdrop/v1/mailbox-id",
  mailboxCredential: "sealdrop/v1/mailbox-credential",
} as const;

// The source's reply key follows the newsroom's kind of key (age cannot mix them): the rule is in age.ts.
export { type KeyKind, keyKindOf } from "./age.js";

function derive(entropy: Uint8Array, label: string, length: number): Uint8Array {
  if (entropy.length !== CODENAME_ENTROPY_BYTES) throw new RangeError("codename entropy must be 16 bytes");
  return hkdf(sha256, entropy, utf8(DERIVATION_SALT), utf8(label), length);
}

export interface SourceKeys {
  /** age identity that opens replies (AGE-SECRET-KEY-PQ-1… or AGE-SECRET-KEY-1…). */
  replyIdentity: string;
  replyRecipient: string;
  mailboxId: string;
  /** Sent to the server only when fetching the mailbox; the server keeps only its hash. */
  mailboxCredential: string;
}

export async function deriveSourceKeys(entropy: Uint8Array, kind: KeyKind): Promise<SourceKeys> {
  const secret = derive(entropy, kind === "pq" ? LABELS.replyIdentityPq : LABELS.replyIdentityX25519, 32);
  const prefix = kind === "pq" ? "AGE-SECRET-KEY-PQ-" : "AGE-SECRET-KEY-";
  const replyIdentity = bech32.encode(prefix, bech32.toWords(secret), false).toUpperCase();
  return {
    replyIdentity,
    replyRecipient: await identityToRecipient(replyIdentity),
    mailboxId: toHex(derive(entropy, LABELS.mailboxId, 16)),
    mailboxCredential: toHex(derive(entropy, LABELS.mailboxCredential, 32)),
  };
}

/** What the server stores for a mailbox credential: lowercase hex SHA-256 of its hex text. */
export const credentialHash = (credentialHex: string): string => toHex(sha256(utf8(credentialHex)));
