// Starting the key derivation before a command has loaded what it needs next. Argon2id runs on a thread of
// its own (kdf-thread.ts) for a few hundred milliseconds, while the main thread would otherwise wait; a
// command that decrypts calls startUnlocking as soon as its options are parsed, then loads its modules
// (the index, the desk model, the inbox's server) while the key is being derived. This module loads
// nothing heavy itself: no zod, no libsodium, no age.
//
// It only starts work that the command's own unlock (editor.ts) then takes over: the passphrase, from the
// same place and asked at most once (passphrase.ts), and the derivation for the key file's own salt and
// limits (kdf-thread.ts). Anything unusual (no key file, a damaged one, limits out of bounds) starts
// nothing here: the command's unlock finds it again and says what is wrong, as it always did.
import { readFile } from "node:fs/promises";
import { agentKeyEarly } from "./agent.js";
import type { EditorHome } from "./home.js";
import { resolveHome } from "./home.js";
import type { Io } from "./io.js";
import { KDF_BOUNDS, primeKey } from "./kdf-thread.js";
import { editorPassphraseSource, obtainPassphraseEarly } from "./passphrase.js";

const within = (n: unknown, b: { min: number; max: number }): n is number => Number.isInteger(n) && (n as number) >= b.min && (n as number) <= b.max;

/** The key file's Argon2id parameters, or null when it is not a key file this would derive for. */
async function kdfOf(home: EditorHome): Promise<{ salt: Uint8Array; saltText: string; opslimit: number; memlimit: number } | null> {
  try {
    const file = JSON.parse(await readFile(home.keyFile, "utf8")) as { sealdrop?: unknown; kdf?: { alg?: unknown; opslimit?: unknown; memlimit?: unknown; salt?: unknown } } | null;
    // Only a whole key (keyfile.ts KEY_FILE_FORMAT): the online half's is refused before any prompt.
    if (file?.sealdrop !== "editor-key-v1") return null;
    const kdf = file.kdf;
    if (kdf?.alg !== "argon2id13" || !within(kdf.opslimit, KDF_BOUNDS.opslimit) || !within(kdf.memlimit, KDF_BOUNDS.memlimit)) return null;
    if (typeof kdf.salt !== "string" || !/^[A-Za-z0-9+/]+={0,2}$/.test(kdf.salt)) return null;
    return { salt: new Uint8Array(Buffer.from(kdf.salt, "base64")), saltText: kdf.salt, opslimit: kdf.opslimit, memlimit: kdf.memlimit };
  } catch {
    return null;
  }
}

/**
 * Asks the home's unlock agent for its key, else obtains the passphrase for the home's key file and
 * starts deriving its key, returning once the derivation has started (after the prompt, if there is
 * one). Never throws: what fails here fails again, with its message, in the command's unlock.
 */
export async function startUnlocking(io: Io, values: { home?: string | undefined; "passphrase-file"?: string | undefined }): Promise<void> {
  try {
    const home = resolveHome(values.home, io);
    const kdf = await kdfOf(home);
    if (kdf === null) return;
    // With an unlock agent running for this key file (agent.ts) there is nothing to ask or derive.
    if ((await agentKeyEarly(home, kdf.saltText, io.env)) !== null) return;
    const passphrase = await obtainPassphraseEarly(io, editorPassphraseSource(home, values["passphrase-file"]));
    primeKey(passphrase, kdf.salt, kdf);
  } catch {
    // reported by the command's own unlock
  }
}
