// An editor's keys: creating them, storing them in a home, and unlocking them for a command.
import { readFile } from "node:fs/promises";
import { generateHybridIdentity, generateX25519Identity, identityToRecipient } from "age-encryption";
import sodium from "libsodium-wrappers-sumo";
import { randomId, toBase64Url } from "../core/bytes.js";
import { agentKey } from "./agent.js";
import type { EditorPublicKeys } from "../core/wire.js";
import { CliError } from "./errors.js";
import { writeFileAtomic } from "./files.js";
import type { EditorHome } from "./home.js";
import type { Io } from "./io.js";
import {
  type EditorSecrets,
  type KeyFile,
  type KeyFileHeader,
  isSigningOnly,
  kdfLimits,
  noDecryptionKey,
  openKeyFile,
  openSigningKey,
  parseKeyFile,
  sealKeyFile,
  serializeKeyFile,
  type SigningSecrets,
} from "./keyfile.js";
import { editorPassphraseSource, obtainPassphrase } from "./passphrase.js";
import type { Opener } from "./passphrase-seal.js";

/** An editor as far as signing goes: all that the online half of a split home can unlock. */
export interface SigningEditor {
  header: KeyFileHeader;
  secrets: SigningSecrets;
  ageRecipient: string;
}

/** An editor who can also decrypt: a whole home, or the reading half of a split one. */
export interface Editor extends SigningEditor {
  secrets: EditorSecrets;
}

/** The editor with their age identity, or `no_decryption_key` on the online half of a split home. */
export function requireFullKey(editor: SigningEditor, keyFile: string): Editor {
  if (!("ageIdentity" in editor.secrets)) throw noDecryptionKey(keyFile);
  return editor as Editor;
}

export async function generateEditorSecrets(classic: boolean): Promise<EditorSecrets> {
  await sodium.ready;
  const ageIdentity = classic ? await generateX25519Identity() : await generateHybridIdentity();
  const pair = sodium.crypto_sign_keypair();
  return { ageIdentity, signSecretKey: pair.privateKey, signPublicKey: toBase64Url(pair.publicKey) };
}

export async function createEditor(name: string, server: string, newsroom: string, classic: boolean): Promise<Editor> {
  const secrets = await generateEditorSecrets(classic);
  return { header: { editorId: randomId(), name, server, newsroom }, secrets, ageRecipient: await identityToRecipient(secrets.ageIdentity) };
}

/** Every age identity the editor can decrypt with: the current one first, then those retired by `editor rotate --age`. */
export const editorIdentities = (editor: Pick<Editor, "secrets">): string[] => [editor.secrets.ageIdentity, ...(editor.secrets.retiredAgeIdentities ?? [])];

export function editorPublicKeys(editor: Editor, desks: string[]): EditorPublicKeys {
  return { id: editor.header.editorId, name: editor.header.name, ageRecipient: editor.ageRecipient, signPublicKey: editor.secrets.signPublicKey, desks };
}

/** Seals the editor's keys under a passphrase and writes `home/editor.key`, refusing to replace one. */
export async function saveEditor(home: EditorHome, editor: Editor, passphrase: string, io: Io | Pick<Io, "env">): Promise<KeyFile> {
  const file = await sealKeyFile(editor.header, editor.secrets, passphrase, await kdfLimits(io.env));
  await writeFileAtomic(home.keyFile, serializeKeyFile(file), { mode: 0o600, exclusive: true });
  return file;
}

export async function readKeyFile(home: EditorHome): Promise<KeyFile> {
  let text: string;
  try {
    text = await readFile(home.keyFile, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
      throw new CliError(`no editor key at ${home.keyFile}: run \`sealdrop init\`, or pass --home or set SEALDROP_HOME`);
    }
    throw new CliError(`cannot read ${home.keyFile}: ${(e as Error).message}`);
  }
  return parseKeyFile(text, home.keyFile);
}

/**
 * Opens the home's key file with the key a running unlock agent holds for it (agent.ts: `sealdrop
 * unlock`), else with the passphrase from SEALDROP_PASSPHRASE, --passphrase-file or a prompt. An agent
 * whose key does not open the file (it was unlocked for another file) is said on stderr and passed over.
 */
async function openHomeKey<T>(home: EditorHome, io: Io, file: KeyFile, passphraseFile: string | undefined, open: (opener: Opener) => Promise<T>): Promise<T> {
  const key = await agentKey(home, file.kdf.salt, io.env);
  if (key !== null) {
    try {
      return await open({ key });
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      io.err(`warning: the unlock agent's key does not open ${home.keyFile}; asking for the passphrase (\`sealdrop lock\` ends that agent)`);
    } finally {
      key.fill(0);
    }
  }
  return open(await obtainPassphrase(io, editorPassphraseSource(home, passphraseFile)));
}

const headerOf = ({ editorId, name, server, newsroom }: KeyFile): KeyFileHeader => ({ editorId, name, server, newsroom });

/**
 * Reads the key file and unlocks it (openHomeKey: the unlock agent, else the passphrase). For commands
 * that decrypt: a signing-only key (the online half) is refused before any prompt.
 */
export async function unlockEditor(home: EditorHome, io: Io, passphraseFile: string | undefined): Promise<Editor> {
  const file = await readKeyFile(home);
  if (isSigningOnly(file)) throw noDecryptionKey(home.keyFile);
  const secrets = await openHomeKey(home, io, file, passphraseFile, (opener) => openKeyFile(file, opener, home.keyFile));
  return { header: headerOf(file), secrets, ageRecipient: await identityToRecipient(secrets.ageIdentity) };
}

/** As unlockEditor, always with the passphrase, and hands it back (for sealing a new key file under it: `home split`). */
export async function unlockEditorKeepingPassphrase(home: EditorHome, io: Io, passphraseFile: string | undefined): Promise<{ editor: Editor; passphrase: string }> {
  const file = await readKeyFile(home);
  if (isSigningOnly(file)) throw noDecryptionKey(home.keyFile);
  const passphrase = await obtainPassphrase(io, editorPassphraseSource(home, passphraseFile));
  const secrets = await openKeyFile(file, passphrase, home.keyFile);
  return { editor: { header: headerOf(file), secrets, ageRecipient: await identityToRecipient(secrets.ageIdentity) }, passphrase };
}

/** Unlocks either kind of key file, for commands that only sign (pull, delete, roster changes, posting an outbox). */
export async function unlockSigner(home: EditorHome, io: Io, passphraseFile: string | undefined): Promise<SigningEditor> {
  const file = await readKeyFile(home);
  const opened = await openHomeKey(home, io, file, passphraseFile, (opener) => openSigningKey(file, opener));
  const ageRecipient = opened.ageIdentity !== null ? await identityToRecipient(opened.ageIdentity) : opened.ageRecipient!;
  return { header: headerOf(file), secrets: opened.secrets, ageRecipient };
}
