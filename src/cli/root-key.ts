// The newsroom root key file (`root.key`, docs/FORMAT.md "Root key file"): the Ed25519 key that signs the
// roster's genesis and can sign any later entry. Sealed like an editor key (Argon2id + XChaCha20-Poly1305,
// keyfile.ts), with its public key and fingerprint readable in the header and bound as associated data.
// It belongs offline: `sealdrop root export` copies it out, `init --root-out` never puts it in the home.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import sodium from "libsodium-wrappers-sumo";
import { z } from "zod";
import { fromBase64, fromUtf8, toBase64, toBase64Url, utf8 } from "../core/bytes.js";
import { rootFingerprint } from "../core/fingerprint.js";
import type { SignFn } from "../core/roster.js";
import { CliError } from "./errors.js";
import { writeFileAtomic } from "./files.js";
import { resolveHome } from "./home.js";
import type { Io } from "./io.js";
import { obtainPassphrase, obtainRootPassphrase } from "./passphrase.js";
import { base64Text as b64, kdfSchema, type KdfLimits, newSealParams, openWithPassphrase, type SealParams, sealWithPassphrase } from "./passphrase-seal.js";

export const ROOT_KEY_FORMAT = "root-key-v1";

const rootKeySchema = z
  .object({
    sealdrop: z.literal(ROOT_KEY_FORMAT),
    publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
    fingerprint: z.string().max(60),
    newsroom: z.string().max(200),
    kdf: kdfSchema,
    nonce: b64,
    ciphertext: b64,
  })
  .strict();
export type RootKeyFile = z.infer<typeof rootKeySchema>;

export interface RootKey {
  /** base64url, 32 bytes. */
  publicKey: string;
  fingerprint: string;
  /** libsodium's 64-byte secret key (seed ‖ public key). */
  secretKey: Uint8Array;
}

export async function generateRootKey(): Promise<RootKey> {
  await sodium.ready;
  const pair = sodium.crypto_sign_keypair();
  const publicKey = toBase64Url(pair.publicKey);
  return { publicKey, fingerprint: rootFingerprint(publicKey), secretKey: pair.privateKey };
}

/** Signs with the root key through libsodium (the roster builders take any SignFn). */
export const rootSigner = (root: RootKey): SignFn => (message) => sodium.crypto_sign_detached(message, root.secretKey);

function associatedData(f: Omit<RootKeyFile, "ciphertext">): Uint8Array {
  return utf8(JSON.stringify([f.sealdrop, f.publicKey, f.fingerprint, f.newsroom, f.kdf.alg, f.kdf.opslimit, f.kdf.memlimit, f.kdf.salt, f.nonce]));
}

/** Seals the root key; `params` (salt and nonce) are fresh unless given, as only the format's test vectors do. */
export async function sealRootKey(root: RootKey, newsroom: string, passphrase: string, limits: KdfLimits, params?: SealParams): Promise<RootKeyFile> {
  await sodium.ready;
  const header = {
    sealdrop: ROOT_KEY_FORMAT,
    publicKey: root.publicKey,
    fingerprint: root.fingerprint,
    newsroom: [...newsroom].slice(0, 200).join(""),
    ...(params ?? (await newSealParams(limits))),
  } as const;
  const plaintext = utf8(JSON.stringify({ signSecretKey: toBase64(root.secretKey) }));
  const ciphertext = await sealWithPassphrase(plaintext, associatedData(header), passphrase, header);
  return rootKeySchema.parse({ ...header, ciphertext });
}

export const serializeRootKey = (file: RootKeyFile): string => `${JSON.stringify(file, null, 2)}\n`;

export async function writeRootKey(path: string, file: RootKeyFile): Promise<void> {
  await writeFileAtomic(path, serializeRootKey(file), { mode: 0o600, exclusive: true });
}

export async function readRootKeyFile(path: string): Promise<RootKeyFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new CliError(`no root key at ${path}; give --root-key FILE where you keep it`);
    throw new CliError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(`${path} is not a sealdrop root key (not JSON)`);
  }
  const parsed = rootKeySchema.safeParse(json);
  if (!parsed.success) throw new CliError(`${path} is not a sealdrop root key (or it is damaged)`);
  if (rootFingerprint(parsed.data.publicKey) !== parsed.data.fingerprint) throw new CliError(`${path} is a damaged root key: its fingerprint does not match its key`);
  return parsed.data;
}

export async function openRootKey(file: RootKeyFile, passphrase: string): Promise<RootKey> {
  await sodium.ready;
  const plaintext = await openWithPassphrase(file, associatedData(file), passphrase, "wrong passphrase or damaged root key file");
  try {
    const { signSecretKey } = z.object({ signSecretKey: b64 }).strict().parse(JSON.parse(fromUtf8(plaintext)));
    const secretKey = fromBase64(signSecretKey);
    if (secretKey.length !== 64 || toBase64Url(secretKey.subarray(32)) !== file.publicKey) throw new Error("mismatch");
    // The stored public half must be the one the seed makes, or signatures would not verify.
    if (toBase64Url(sodium.crypto_sign_seed_keypair(secretKey.subarray(0, 32)).publicKey) !== file.publicKey) throw new Error("mismatch");
    return { publicKey: file.publicKey, fingerprint: file.fingerprint, secretKey };
  } catch {
    throw new CliError("the root key file decrypted but its contents are not a sealdrop root key");
  } finally {
    sodium.memzero(plaintext);
  }
}

/** The options a command that uses an existing root key takes (`root export`, `release sign --as-root`). */
export interface RootKeyOptions {
  home?: string;
  "root-key"?: string;
  "root-passphrase-file"?: string;
  "passphrase-file"?: string;
}

/** The root key file --root-key names, else home/root.key. */
export const rootKeyPath = (io: Io, values: RootKeyOptions): string =>
  values["root-key"] === undefined ? resolveHome(values.home, io).rootKeyFile : resolve(io.cwd, values["root-key"]);

/**
 * The root key --root-key names (else home/root.key), opened with its passphrase: --root-passphrase-file,
 * else $SEALDROP_ROOT_PASSPHRASE, else asked; a script that gives neither uses the editor's passphrase.
 */
export async function openRootKeyOption(io: Io, values: RootKeyOptions): Promise<{ path: string; file: RootKeyFile; root: RootKey }> {
  const path = rootKeyPath(io, values);
  const file = await readRootKeyFile(path);
  const { passphrase } = await obtainRootPassphrase(io, {
    file: values["root-passphrase-file"],
    fallback: () => obtainPassphrase(io, { envVar: "SEALDROP_PASSPHRASE", file: values["passphrase-file"], prompt: "Passphrase" }),
  });
  return { path, file, root: await openRootKey(file, passphrase) };
}
