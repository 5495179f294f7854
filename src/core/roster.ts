// Verifying the newsroom roster (docs/FORMAT.md, "Newsroom root and roster"): one pure function from the
// root public key and the log to the newsroom's state, used by the page (which encrypts only to the
// keys it names), the server (which checks an entry before storing it) and the CLI (which also refuses
// a rollback or a fork of what it verified before). The server stores the log but cannot write it.
import { ed25519 } from "@noble/curves/ed25519.js";
import { fromBase64Url } from "./bytes.js";
import { CanonicalJsonError } from "./canonical.js";
import {
  ROSTER_LIMITS,
  rosterEntry,
  rosterEntryBody,
  rosterEntryHash,
  rosterSignedBytes,
  type RosterEntry,
  type RosterEntryBody,
  type RosterHead,
} from "./roster-entry.js";
import { applyChange, findEditor, genesisState, RosterError, type RosterState } from "./roster-state.js";

export * from "./roster-entry.js";
export * from "./roster-state.js";

/** One verified entry: its position, hash and body (what the CLI shows as history). */
export interface VerifiedEntry {
  seq: number;
  hash: string;
  body: RosterEntryBody;
}

export interface VerifiedRoster {
  state: RosterState;
  head: RosterHead;
  /** Every entry, oldest first; entries[i].seq === i. */
  entries: VerifiedEntry[];
}

export type RosterResult = ({ ok: true } & VerifiedRoster) | { ok: false; error: RosterError };

function parseEntry(raw: unknown, position: number): { body: RosterEntryBody; signature: Uint8Array; hash: string; bytes: Uint8Array } {
  const outer = rosterEntry.safeParse(raw);
  if (!outer.success) throw new RosterError("roster_malformed", `not a roster entry: ${outer.error.issues[0]?.message ?? "bad shape"}`, position);
  const parsed = rosterEntryBody.safeParse(outer.data.body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RosterError("roster_malformed", `bad entry body${issue?.path.length ? ` at ${issue.path.join(".")}` : ""}: ${issue?.message ?? "bad shape"}`, position);
  }
  const body = parsed.data;
  let bytes: Uint8Array;
  try {
    bytes = rosterSignedBytes(body);
  } catch (e) {
    if (e instanceof CanonicalJsonError) throw new RosterError("roster_malformed", `entry has no canonical form: ${e.message}`, position);
    throw e;
  }
  if (bytes.length > ROSTER_LIMITS.maxEntryBytes + 64) throw new RosterError("roster_malformed", `an entry is at most ${ROSTER_LIMITS.maxEntryBytes} bytes`, position);
  let signature: Uint8Array;
  try {
    signature = fromBase64Url(outer.data.signature);
  } catch {
    throw new RosterError("roster_malformed", "the signature is not base64url", position);
  }
  return { body, signature, hash: rosterEntryHash(body), bytes };
}

function verifySignature(signature: Uint8Array, bytes: Uint8Array, publicKey: string): boolean {
  try {
    // Strict RFC 8032 verification (no ZIP-215 leniency), as libsodium does.
    return ed25519.verify(signature, bytes, fromBase64Url(publicKey), { zip215: false });
  } catch {
    return false;
  }
}

/**
 * Checks the entry after `roster` (chain, signer, signature, rules) and applies it to `roster` in place.
 * `appending`: the entry is offered for a stored head, where one for an older head is `roster_stale`.
 */
function step(roster: VerifiedRoster, raw: unknown, appending: boolean): void {
  const position = roster.head.seq + 1;
  const { body, signature, hash, bytes } = parseEntry(raw, position);
  if (body.type === "genesis") throw new RosterError("roster_bad_genesis", "a genesis entry can only come first", position);
  if (appending && body.seq <= roster.head.seq) {
    throw new RosterError("roster_stale", `entry ${body.seq} was made for an older head than entry ${roster.head.seq}: fetch the roster and sign again`, position);
  }
  if (body.seq !== position) throw new RosterError("roster_bad_seq", `expected entry ${position}, got ${body.seq}: an entry is missing, repeated or out of order`, position);
  if (body.prev !== roster.head.hash) throw new RosterError("roster_bad_prev", "the entry does not name the previous entry's hash", position);
  let key: string;
  if (body.signer === "root") key = roster.state.root;
  else {
    const signer = findEditor(roster.state, body.signer);
    if (!signer) throw new RosterError("unknown_signer", `signer ${body.signer} is not in the roster`, position);
    if (signer.revoked) throw new RosterError("signer_revoked", `signer ${body.signer} is revoked`, position);
    if (signer.role !== "admin") throw new RosterError("not_admin", `signer ${body.signer} is not an admin`, position);
    key = signer.signPublicKey;
  }
  if (!verifySignature(signature, bytes, key)) throw new RosterError("roster_bad_signature", "the signature does not verify", position);
  applyChange(roster.state, body);
  roster.state.head = { seq: body.seq, hash };
  roster.state.length = body.seq + 1;
  roster.head = roster.state.head;
  roster.entries.push({ seq: body.seq, hash, body });
}

function genesis(rootPublicKey: string, raw: unknown): VerifiedRoster {
  const { body, signature, hash, bytes } = parseEntry(raw, 0);
  if (body.type !== "genesis" || body.seq !== 0) throw new RosterError("roster_bad_genesis", "the first entry must be the genesis", 0);
  if (body.root !== rootPublicKey) throw new RosterError("roster_root_mismatch", "the roster belongs to another root key than this newsroom's", 0);
  if (!verifySignature(signature, bytes, rootPublicKey)) throw new RosterError("roster_bad_signature", "the genesis signature does not verify with the root key", 0);
  const state = genesisState(body, hash);
  return { state, head: state.head, entries: [{ seq: 0, hash, body }] };
}

const asResult = (run: () => VerifiedRoster): RosterResult => {
  try {
    return { ok: true, ...run() };
  } catch (e) {
    if (e instanceof RosterError) return { ok: false, error: e };
    throw e;
  }
};

/**
 * Verifies a whole roster from its root public key (base64url): the genesis signed by the root, then
 * every entry naming the previous one's hash and the next sequence number, signed by an admin of the
 * state before it (or by the root), and allowed by the roster's rules. Never throws for bad input.
 */
export function verifyRoster(rootPublicKey: string, entries: readonly unknown[]): RosterResult {
  return asResult(() => {
    if (entries.length === 0) throw new RosterError("roster_bad_genesis", "the roster is empty");
    if (entries.length > ROSTER_LIMITS.maxEntries) throw new RosterError("roster_malformed", `a roster holds at most ${ROSTER_LIMITS.maxEntries} entries`);
    const roster = genesis(rootPublicKey, entries[0]);
    for (let i = 1; i < entries.length; i++) step(roster, entries[i], false);
    return roster;
  });
}

/**
 * Checks entries meant to follow a verified roster (what the server does before storing them) and
 * returns the roster they make. An entry for an older head is `roster_stale`.
 */
export function appendToRoster(verified: VerifiedRoster, entries: readonly unknown[]): RosterResult {
  return asResult(() => {
    if (verified.entries.length + entries.length > ROSTER_LIMITS.maxEntries) {
      throw new RosterError("roster_malformed", `a roster holds at most ${ROSTER_LIMITS.maxEntries} entries`);
    }
    // A failed entry must leave the caller's roster as it was: work on a copy.
    const roster = structuredClone(verified);
    for (const raw of entries) step(roster, raw, true);
    return roster;
  });
}

/**
 * Compares a freshly verified roster with the head verified before (the CLI's pinned head): it must be
 * the same log or an extension of it. Returns null when it is, or the error: a rollback or a fork.
 */
export function checkExtends(pinned: RosterHead, verified: VerifiedRoster): RosterError | null {
  if (verified.head.seq < pinned.seq) {
    return new RosterError("roster_rollback", `the server's roster has ${verified.head.seq + 1} entries; ${pinned.seq + 1} were verified before`);
  }
  if (verified.entries[pinned.seq]!.hash !== pinned.hash) {
    return new RosterError("roster_fork", `the server's entry ${pinned.seq} differs from the one verified before: someone forked the roster`, pinned.seq);
  }
  return null;
}

export type { RosterEntry };
