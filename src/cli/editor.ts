// An editor's keys: creating them, storing them in a home, and unlocking them for a command.
import { readFile } from "node:fs/promises";
import { generateHybridIdentity, generateX25519Identity, identityToRecipient } from "age-encryption";
import sodium from "libsodium-wrappers-sumo";
import { randomId, toBase64Url } from "../core/bytes.js";
import type { EditorPublicKeys } from "../core/wire.js";
import { CliError } from "./errors.js";
import { writeFileAtomic } from "./files.js";
import type { EditorHome } from "./home.js";
import type { Io } from "./io.js";
import { type EditorSecrets, type KeyFile, type KeyFileHeader, kdfLimits, openKeyFile, parseKeyFile, sealKeyFile, serializeKeyFile } from "./keyfile.js";
import { obtainPassphrase } from "./passphrase.js";

export interface Editor {
  header: KeyFileHeader;
  secrets: EditorSecrets;
  ageRecipient: string;
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

/** Reads the key file and unlocks it with the passphrase from SEALDROP_PASSPHRASE, --passphrase-file or a prompt. */
export async function unlockEditor(home: EditorHome, io: Io, passphraseFile: string | undefined): Promise<Editor> {
  const file = await readKeyFile(home);
  const passphrase = await obtainPassphrase(io, { envVar: "SEALDROP_PASSPHRASE", file: passphraseFile, prompt: `Passphrase for ${home.keyFile}` });
  const secrets = await openKeyFile(file, passphrase);
  const { editorId, name, server, newsroom } = file;
  return { header: { editorId, name, server, newsroom }, secrets, ageRecipient: await identityToRecipient(secrets.ageIdentity) };
}
