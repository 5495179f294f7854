// The age v1 rules (C2SP age spec) that page, server and CLI all apply, in one place: what an age file
// starts with, which kind of key a recipient or identity is, that one file never mixes the two kinds, and
// "this file is not for this key" as a typed error instead of typage's message text.
import { Decrypter, type Identity } from "age-encryption";
import { utf8 } from "./bytes.js";

/** The first line of every binary (not armored) age v1 file. */
export const AGE_MAGIC = utf8("age-encryption.org/v1\n");

/**
 * Fewer bytes than any age file holds after its magic: the header needs at least one stanza and the MAC
 * line ("--- " and 43 characters), the payload a 16-byte nonce and a 16-byte tag.
 */
const MIN_BYTES_AFTER_MAGIC = 32;

/**
 * A cheap structural check, not a proof: `bytes` (a whole file or at least its first 64 bytes) start like
 * an age v1 file and are long enough to be one. The server cannot decrypt, but it refuses anything else.
 */
export function isAgeFile(bytes: Uint8Array): boolean {
  return bytes.length > AGE_MAGIC.length + MIN_BYTES_AFTER_MAGIC && AGE_MAGIC.every((b, i) => bytes[i] === b);
}

/** Watches a file stream past, keeping only its first bytes, to tell at the end whether it is an age file. */
export class AgeSniffer {
  private readonly head = new Uint8Array(64);
  private filled = 0;

  push(chunk: Uint8Array): void {
    if (this.filled === this.head.length) return;
    const n = Math.min(chunk.length, this.head.length - this.filled);
    this.head.set(chunk.subarray(0, n), this.filled);
    this.filled += n;
  }

  isAgeFile(): boolean {
    return isAgeFile(this.head.subarray(0, this.filled));
  }
}

/** Hybrid post-quantum (ML-KEM-768 + X25519, `age1pq1…`) or classic X25519 (`age1…`, what Debian's `age` reads). */
export type KeyKind = "pq" | "x25519";

/** How people read a key kind. */
export const KEY_KIND_NAMES: Record<KeyKind, string> = { pq: "post-quantum", x25519: "classic X25519" };

/** The kind of an age recipient (`age1pq1…`, `age1…`) or identity (`AGE-SECRET-KEY-PQ-1…`, `AGE-SECRET-KEY-1…`). */
export const keyKindOf = (key: string): KeyKind => (key.startsWith("age1pq1") || key.startsWith("AGE-SECRET-KEY-PQ-1") ? "pq" : "x25519");

/** Keys of both kinds were meant for one file. */
export class MixedKeyKindsError extends Error {
  override name = "MixedKeyKindsError";
  constructor() {
    super("age cannot mix post-quantum and classic recipients in one file");
  }
}

/**
 * The one kind of all `keys`, or null if there are none; throws MixedKeyKindsError where they mix. A file
 * encrypted to both kinds is only as strong as its classic stanza, so the age spec's "postquantum" label
 * forbids it (the reference tool refuses; typage would write it, so we check). A newsroom therefore uses one
 * kind, and the source's reply key follows it.
 */
export function assertOneKeyKind(keys: Iterable<string>): KeyKind | null {
  let kind: KeyKind | null = null;
  for (const key of keys) {
    const k = keyKindOf(key);
    if (kind !== null && k !== kind) throw new MixedKeyKindsError();
    kind = k;
  }
  return kind;
}

/** The file is well-formed so far, but none of the given identities or passphrases opens it. */
export class NotForThisKeyError extends Error {
  override name = "NotForThisKeyError";
  readonly reason = "no_matching_identity";
  constructor() {
    super("not encrypted to this key (no identity matched)");
  }
}

/**
 * Tried after every real identity, so it runs only when none of them opened a stanza: typage then has no
 * file key, and this turns its untyped failure into ours. It never sees a file one of ours opened.
 */
const NONE_MATCHED: Identity = {
  unwrapFileKey() {
    throw new NotForThisKeyError();
  },
};

/**
 * typage's Decrypter for `identities` (age secret keys) and `passphrases`, which fails with a
 * NotForThisKeyError when none of them opens the file; every other failure is typage's own.
 */
export function ageDecrypter(identities: readonly string[], passphrases: readonly string[] = []): Decrypter {
  const d = new Decrypter();
  for (const i of identities) d.addIdentity(i);
  for (const p of passphrases) d.addPassphrase(p);
  d.addIdentity(NONE_MATCHED);
  return d;
}
