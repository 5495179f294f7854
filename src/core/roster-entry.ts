// Roster entries (docs/FORMAT.md, "Newsroom root and roster"): the schema of each signed change, the
// bytes that are signed and hashed, and builders that let any signer (libsodium in the CLI, noble in the
// page or in tests) make an entry. What an entry may do given the state before it is roster-state.ts.
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bech32 } from "@scure/base";
import * as z from "zod/mini";
import { concatBytes, fromBase64Url, ID_PATTERN, toBase64Url, toHex, utf8 } from "./bytes.js";
import { canonicalBytes, hasLoneSurrogate } from "./canonical.js";

export const ROSTER_ENTRY_DOMAIN = "sealdrop-roster-entry-v1\n";
export const ROSTER_LIMITS = {
  maxEntries: 10_000,
  /** Canonical body bytes; a post-quantum recipient alone is ~1,960 characters. */
  maxEntryBytes: 16_384,
  maxDesks: 64,
  maxEditors: 1_000,
  maxNameChars: 100,
  maxNewsroomNameChars: 200,
} as const;
export const LANGUAGES = ["en", "ko", "zh"] as const;
export type Language = (typeof LANGUAGES)[number];
export const ROLES = ["editor", "admin"] as const;
export type Role = (typeof ROLES)[number];

/**
 * Text a person reads as a name: NFC, no surrounding spaces, no control or invisible format characters
 * (bidi overrides, zero-width spaces) that could make two names look alike; the zero-width joiner stays,
 * because some scripts and emoji need it.
 */
export function isDisplayText(s: string): boolean {
  return (
    s.length > 0 &&
    s === s.trim() &&
    !hasLoneSurrogate(s) &&
    s === s.normalize("NFC") &&
    !/[\p{Cc}\p{Zl}\p{Zp}]/u.test(s) &&
    !/[\p{Cf}]/u.test(s.replaceAll("\u200d", ""))
  );
}
const displayText = (max: number) =>
  z.string().check(z.maxLength(max), z.refine(isDisplayText, "names are NFC text without control or invisible characters or surrounding spaces"));

/** A real age recipient of either kind: valid bech32, the right prefix and key length. */
export function isAgeRecipient(s: string): boolean {
  if (s.length > 4000 || s !== s.toLowerCase()) return false;
  try {
    const { prefix, words } = bech32.decode(s as `${string}1${string}`, false);
    const length = bech32.fromWords(words).length;
    return (prefix === "age" && length === 32) || (prefix === "age1pq" && length === 1216);
  } catch {
    return false;
  }
}

/** A usable Ed25519 public key: 32 bytes (base64url), a canonical encoding of a point not of small order. */
export function isSigningKey(s: string): boolean {
  if (!/^[A-Za-z0-9_-]{43}$/.test(s)) return false;
  try {
    const bytes = fromBase64Url(s);
    return toBase64Url(bytes) === s && !ed25519.Point.fromBytes(bytes, false).isSmallOrder();
  } catch {
    return false;
  }
}

const id = z.string().check(z.regex(ID_PATTERN, "expected a 32-character lowercase hex id"));
export const rosterDeskId = z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,31}$/, "desk ids are lowercase letters, digits and dashes"));
const hash = z.string().check(z.regex(/^[0-9a-f]{64}$/, "expected a 64-character lowercase hex hash"));
const ageRecipient = z.string().check(z.refine(isAgeRecipient, "expected an age recipient (age1… or age1pq1…)"));
const signingKey = z.string().check(z.refine(isSigningKey, "expected a base64url Ed25519 public key"));
const seq = z.number().check(z.int(), z.gte(0), z.lt(ROSTER_LIMITS.maxEntries));
const deskList = z.array(rosterDeskId).check(z.maxLength(ROSTER_LIMITS.maxDesks));

export const localizedNames = (max: number) =>
  z.strictObject({ en: displayText(max), ko: z.optional(displayText(max)), zh: z.optional(displayText(max)) });
const deskNames = localizedNames(ROSTER_LIMITS.maxNameChars);
const newsroomNames = localizedNames(ROSTER_LIMITS.maxNewsroomNameChars);
export type LocalizedNames = z.infer<typeof deskNames>;

export const rosterEditorSpec = z.strictObject({
  id,
  name: displayText(ROSTER_LIMITS.maxNameChars),
  ageRecipient,
  signPublicKey: signingKey,
  role: z.enum(ROLES),
  desks: deskList,
});
export type RosterEditorSpec = z.infer<typeof rosterEditorSpec>;
const deskSpec = z.strictObject({ id: rosterDeskId, names: deskNames });
export type RosterDeskSpec = z.infer<typeof deskSpec>;

const common = { v: z.literal(1), seq, signer: z.union([z.literal("root"), id]) };
const later = { ...common, prev: hash };

export const genesisBody = z.strictObject({
  ...common,
  prev: z.null(),
  type: z.literal("genesis"),
  /** The root public key itself, so the genesis hash (and with it every later one) commits to it. */
  root: signingKey,
  names: newsroomNames,
  desks: z.array(deskSpec).check(z.minLength(1), z.maxLength(ROSTER_LIMITS.maxDesks)),
  editor: rosterEditorSpec,
});

export const rosterEntryBody = z.discriminatedUnion("type", [
  genesisBody,
  z.strictObject({ ...later, type: z.literal("add-editor"), editor: rosterEditorSpec }),
  /** `compromised`: distrust every signature by this editor's keys, even one claiming an earlier roster. */
  z.strictObject({ ...later, type: z.literal("revoke-editor"), editor: id, compromised: z.boolean() }),
  z.strictObject({
    ...later,
    type: z.literal("rotate-keys"),
    editor: id,
    ageRecipient: z.nullable(ageRecipient),
    signPublicKey: z.nullable(signingKey),
    /** Distrust every signature by the signing key replaced here. */
    compromised: z.boolean(),
  }),
  z.strictObject({ ...later, type: z.literal("set-desks"), editor: id, desks: deskList }),
  z.strictObject({ ...later, type: z.literal("set-role"), editor: id, role: z.enum(ROLES) }),
  z.strictObject({ ...later, type: z.literal("add-desk"), desk: deskSpec }),
  z.strictObject({ ...later, type: z.literal("rename-desk"), desk: rosterDeskId, names: deskNames }),
  z.strictObject({ ...later, type: z.literal("rename-newsroom"), names: newsroomNames }),
]);
export type RosterEntryBody = z.infer<typeof rosterEntryBody>;
export type GenesisBody = z.infer<typeof genesisBody>;
export type RosterEntryType = RosterEntryBody["type"];

/** An entry as stored and served: the body (a JSON object) and the Ed25519 signature over its canonical bytes. */
export const rosterEntry = z.strictObject({
  body: z.unknown(),
  signature: z.string().check(z.regex(/^[A-Za-z0-9_-]{86}$/, "expected a base64url Ed25519 signature")),
});
export interface RosterEntry {
  body: RosterEntryBody;
  signature: string;
}

/** The bytes an entry's signer signs: the domain line, then the canonical JSON of the body. */
export const rosterSignedBytes = (body: RosterEntryBody): Uint8Array => concatBytes(utf8(ROSTER_ENTRY_DOMAIN), canonicalBytes(body));

/** An entry's hash, which the next entry names as `prev`: lowercase hex SHA-256 of the signed bytes. */
export const rosterEntryHash = (body: RosterEntryBody): string => toHex(sha256(rosterSignedBytes(body)));

/** Signs a message with a signing key, wherever it lives (libsodium, noble, a hardware token). */
export type SignFn = (message: Uint8Array) => Uint8Array | Promise<Uint8Array>;

/** A SignFn over a raw 32-byte Ed25519 seed, with @noble/curves (pure JS: fine in the page). */
export const nobleSigner = (seed: Uint8Array): SignFn => (message) => ed25519.sign(message, seed);

export async function signRosterEntry(body: RosterEntryBody, sign: SignFn): Promise<RosterEntry> {
  const parsed = rosterEntryBody.parse(body);
  return { body: parsed, signature: toBase64Url(await sign(rosterSignedBytes(parsed))) };
}

export interface RosterHead {
  seq: number;
  hash: string;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** What an entry after the genesis changes: its type and fields, without the chain fields. */
export type RosterChange = DistributiveOmit<Exclude<RosterEntryBody, GenesisBody>, "v" | "seq" | "prev" | "signer">;

/** The body of the first entry; the root signs it. */
export function genesisEntryBody(root: string, names: LocalizedNames, desks: RosterDeskSpec[], editor: RosterEditorSpec): GenesisBody {
  return { v: 1, seq: 0, prev: null, signer: "root", type: "genesis", root, names, desks, editor };
}

/** The body of the entry after `head`, signed by `signer` (an admin's editor id, or "root"). */
export function nextEntryBody(head: RosterHead, signer: string, change: RosterChange): RosterEntryBody {
  return { ...change, v: 1, seq: head.seq + 1, prev: head.hash, signer } as RosterEntryBody;
}
