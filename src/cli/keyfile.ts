// The editor key file (`editor.key`, docs/FORMAT.md "Editor key file"): the editor's age identity and
// Ed25519 signing key, sealed with XChaCha20-Poly1305 under an Argon2id key derived from a passphrase.
// The readable header is bound as associated data, so no field can be changed or swapped between files.
// The online half of a split home (docs/NEWSROOM.md "Split homes") keeps a signing-only key file: the same
// sealing, format `editor-signing-key-v1`, holding the signing key and the age *recipient*, never the identity.
import sodium from "libsodium-wrappers-sumo";
import { z } from "zod";
import { fromBase64, fromBase64Url, fromUtf8, toBase64, toBase64Url, utf8 } from "../core/bytes.js";
import { id } from "../core/wire.js";
import { CliError } from "./errors.js";
import { base64Text as b64, kdfSchema, type KdfLimits, newSealParams, type Opener, openWithPassphrase, type SealParams, sealWithPassphrase } from "./passphrase-seal.js";

export type { KdfLimits } from "./passphrase-seal.js";

export const KEY_FILE_FORMAT = "editor-key-v1";
/** The online half's key file: the signing key only, so nothing on that machine can decrypt. */
export const SIGNING_KEY_FILE_FORMAT = "editor-signing-key-v1";

export interface KeyFileHeader {
  editorId: string;
  name: string;
  /** Base URL of the newsroom's sealdrop server. */
  server: string;
  /** The newsroom's name, for people telling key files apart. */
  newsroom: string;
}

/** What signs requests (and, inside the ciphertext, notes and replies): all the online half holds. */
export interface SigningSecrets {
  /** libsodium's 64-byte Ed25519 secret key (seed ‖ public key). */
  signSecretKey: Uint8Array;
  /** The 32-byte Ed25519 public key, base64url without padding. */
  signPublicKey: string;
}

export interface EditorSecrets extends SigningSecrets {
  /** AGE-SECRET-KEY-PQ-1… (hybrid) or AGE-SECRET-KEY-1… (classic X25519). */
  ageIdentity: string;
  /**
   * Age identities this editor held before `editor rotate --age`, newest first: what was sealed to them
   * still opens. Absent (not empty) in a key that was never rotated.
   */
  retiredAgeIdentities?: string[];
}

const keyFileSchema = z
  .object({
    sealdrop: z.enum([KEY_FILE_FORMAT, SIGNING_KEY_FILE_FORMAT]),
    editorId: id,
    name: z.string().min(1).max(100),
    server: z.string().max(2000),
    newsroom: z.string().max(200),
    kdf: kdfSchema,
    nonce: b64,
    ciphertext: b64,
  })
  .strict();
export type KeyFile = z.infer<typeof keyFileSchema>;

const ageIdentityText = z.string().regex(/^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/);
const secretsSchema = z
  .object({
    ageIdentity: ageIdentityText,
    signSecretKey: b64,
    signPublicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
    retiredAgeIdentities: z.array(ageIdentityText).min(1).max(100).optional(),
  })
  .strict();

const signingSecretsSchema = z
  .object({
    signSecretKey: b64,
    signPublicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
    ageRecipient: z.string().regex(/^age1[0-9a-z]+$/),
  })
  .strict();

/** MODERATE by default; SEALDROP_KDF=interactive picks the faster INTERACTIVE limits (tests, slow machines). */
export async function kdfLimits(env: Record<string, string | undefined>): Promise<KdfLimits> {
  await sodium.ready;
  const choice = env.SEALDROP_KDF ?? "moderate";
  if (choice === "interactive") return { opslimit: sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE, memlimit: sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE };
  if (choice === "moderate") return { opslimit: sodium.crypto_pwhash_OPSLIMIT_MODERATE, memlimit: sodium.crypto_pwhash_MEMLIMIT_MODERATE };
  throw new CliError(`SEALDROP_KDF must be "moderate" or "interactive", not ${JSON.stringify(choice)}`);
}

/** The associated data: every header field, in a fixed order, as a JSON array. */
function associatedData(f: Omit<KeyFile, "ciphertext">): Uint8Array {
  return utf8(JSON.stringify([f.sealdrop, f.editorId, f.name, f.server, f.newsroom, f.kdf.alg, f.kdf.opslimit, f.kdf.memlimit, f.kdf.salt, f.nonce]));
}

/** Seals `secrets` (JSON) under the passphrase, behind the header for `format`; `params` (salt and nonce) are fresh unless given, as only the format's test vectors do. */
async function seal(format: KeyFile["sealdrop"], header: KeyFileHeader, secrets: Record<string, unknown>, passphrase: string, limits: KdfLimits, params?: SealParams): Promise<KeyFile> {
  await sodium.ready;
  const unsealed = {
    sealdrop: format,
    editorId: header.editorId,
    name: header.name,
    server: header.server,
    newsroom: header.newsroom,
    ...(params ?? (await newSealParams(limits))),
  } as const;
  const ciphertext = await sealWithPassphrase(utf8(JSON.stringify(secrets)), associatedData(unsealed), passphrase, unsealed);
  return keyFileSchema.parse({ ...unsealed, ciphertext });
}

/** Seals an editor key; `params` (salt and nonce) are fresh unless given, as only the format's test vectors do. */
export function sealKeyFile(header: KeyFileHeader, secrets: EditorSecrets, passphrase: string, limits: KdfLimits, params?: SealParams): Promise<KeyFile> {
  const plain = {
    ageIdentity: secrets.ageIdentity,
    signSecretKey: toBase64(secrets.signSecretKey),
    signPublicKey: secrets.signPublicKey,
    ...(secrets.retiredAgeIdentities?.length ? { retiredAgeIdentities: secrets.retiredAgeIdentities } : {}),
  };
  return seal(KEY_FILE_FORMAT, header, plain, passphrase, limits, params);
}

/**
 * Seals the online half's key file: the signing key and the age recipient (public), never the identity.
 * The format string is the associated data's first member, so a full and a signing-only file never open as each other.
 */
export function sealSigningKeyFile(header: KeyFileHeader, secrets: SigningSecrets, ageRecipient: string, passphrase: string, limits: KdfLimits): Promise<KeyFile> {
  return seal(SIGNING_KEY_FILE_FORMAT, header, { signSecretKey: toBase64(secrets.signSecretKey), signPublicKey: secrets.signPublicKey, ageRecipient }, passphrase, limits);
}

/** Whether the file holds only a signing key (the online half of a split home). */
export const isSigningOnly = (file: KeyFile): boolean => file.sealdrop === SIGNING_KEY_FILE_FORMAT;

/** The refusal of every command that must decrypt, on the online half of a split home. */
export function noDecryptionKey(path: string): CliError {
  return new CliError(
    `${path} holds only a signing key (the online half of a split home): it cannot decrypt. Export the vault (\`sealdrop export\`) and read it on the reading machine`,
    1,
    "no_decryption_key",
  );
}

export function parseKeyFile(text: string, path: string): KeyFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(`${path} is not a sealdrop key file (not JSON)`);
  }
  const parsed = keyFileSchema.safeParse(json);
  if (!parsed.success) {
    const format = (json as { sealdrop?: unknown } | null)?.sealdrop;
    if (format !== KEY_FILE_FORMAT && format !== SIGNING_KEY_FILE_FORMAT) throw new CliError(`${path} is not a sealdrop key file (format ${JSON.stringify(format ?? null)})`);
    throw new CliError(`${path} is a damaged key file: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}

export function serializeKeyFile(file: KeyFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

function signingPair(secrets: { signSecretKey: string; signPublicKey: string }): SigningSecrets {
  const signSecretKey = fromBase64(secrets.signSecretKey);
  const publicKey = fromBase64Url(secrets.signPublicKey);
  if (signSecretKey.length !== 64 || publicKey.length !== 32 || toBase64Url(signSecretKey.subarray(32)) !== secrets.signPublicKey) {
    throw new Error("signing key pair does not match");
  }
  return { signSecretKey, signPublicKey: secrets.signPublicKey };
}

/** Opens a full key file (`editor-key-v1`); a signing-only one is refused with `no_decryption_key`. */
export async function openKeyFile(file: KeyFile, opener: Opener, path = "the key file"): Promise<EditorSecrets> {
  if (isSigningOnly(file)) throw noDecryptionKey(path);
  const plaintext = await openWithPassphrase(file, associatedData(file), opener, "wrong passphrase or damaged key file");
  try {
    const secrets = secretsSchema.parse(JSON.parse(fromUtf8(plaintext)));
    const retired = secrets.retiredAgeIdentities ? { retiredAgeIdentities: secrets.retiredAgeIdentities } : {};
    return { ageIdentity: secrets.ageIdentity, ...signingPair(secrets), ...retired };
  } catch {
    throw new CliError("the key file decrypted but its contents are not a sealdrop editor key");
  } finally {
    sodium.memzero(plaintext);
  }
}

/**
 * Opens either kind of key file for signing: a full one (whose `ageIdentity` comes along) or the online
 * half's, which holds the age recipient instead.
 */
export async function openSigningKey(file: KeyFile, opener: Opener): Promise<{ secrets: SigningSecrets; ageIdentity: string | null; ageRecipient: string | null }> {
  if (!isSigningOnly(file)) {
    const secrets = await openKeyFile(file, opener);
    return { secrets, ageIdentity: secrets.ageIdentity, ageRecipient: null };
  }
  const plaintext = await openWithPassphrase(file, associatedData(file), opener, "wrong passphrase or damaged key file");
  try {
    const parsed = signingSecretsSchema.parse(JSON.parse(fromUtf8(plaintext)));
    return { secrets: signingPair(parsed), ageIdentity: null, ageRecipient: parsed.ageRecipient };
  } catch {
    throw new CliError("the key file decrypted but its contents are not a sealdrop signing key");
  } finally {
    sodium.memzero(plaintext);
  }
}
