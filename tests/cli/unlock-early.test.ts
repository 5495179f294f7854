// Deriving the key while a command loads (src/cli/unlock-early.ts): what is started early is taken by the
// command's own unlock, the passphrase is obtained once, and anything the early start cannot use is left
// for the unlock to report as it always did; the derivation's thread, started before the command loads,
// derives what libsodium derives and never keeps a process alive on its own.
import { execFile } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import sodium from "libsodium-wrappers-sumo";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toHex, utf8 } from "../../src/core/bytes.js";
import { createEditor, saveEditor, unlockEditor, unlockSigner } from "../../src/cli/editor.js";
import { editorHome } from "../../src/cli/home.js";
import type { Io } from "../../src/cli/io.js";
import { deriveKeyOffThread, primeKey, warmKdfThread } from "../../src/cli/kdf-thread.js";
import { kdfLimits, sealSigningKeyFile, serializeKeyFile } from "../../src/cli/keyfile.js";
import { startUnlocking } from "../../src/cli/unlock-early.js";
import { PASSPHRASE, tempDir } from "./helpers.js";

const io = (env: Record<string, string | undefined> = {}): Io => ({ out: () => {}, err: () => {}, env: { SEALDROP_KDF: "interactive", ...env }, cwd: process.cwd(), interactive: false });

async function home() {
  const dir = await tempDir("sealdrop-early-");
  const editor = await createEditor("Alice", "http://127.0.0.1:8787", "Test News", true);
  await saveEditor(editorHome(dir), editor, PASSPHRASE, io());
  return { dir, editor };
}

describe("unlocking while the command loads", () => {
  it("hands a primed derivation to the one call with the same inputs, and derives anew after", async () => {
    const salt = new Uint8Array(16).fill(7);
    const limits = await kdfLimits({ SEALDROP_KDF: "interactive" });
    primeKey(PASSPHRASE, salt, limits);
    const other = deriveKeyOffThread(`${PASSPHRASE}!`, salt, limits); // not the primed one
    const taken = deriveKeyOffThread(PASSPHRASE, salt, limits);
    const again = deriveKeyOffThread(PASSPHRASE, salt, limits);
    expect(again).not.toBe(taken);
    const [a, b, c] = await Promise.all([taken, again, other]);
    expect(toHex(a)).toBe(toHex(b));
    expect(toHex(c)).not.toBe(toHex(a));
  });

  it("derives on a thread started early what libsodium derives here, and on a fresh thread after it", async () => {
    const salt = new Uint8Array(16).fill(9);
    const limits = await kdfLimits({ SEALDROP_KDF: "interactive" });
    await sodium.ready;
    const expected = toHex(sodium.crypto_pwhash(32, utf8(PASSPHRASE), salt, limits.opslimit, limits.memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13));
    warmKdfThread();
    warmKdfThread(); // one thread, however often asked
    expect(toHex(await deriveKeyOffThread(PASSPHRASE, salt, limits))).toBe(expected);
    expect(toHex(await deriveKeyOffThread(PASSPHRASE, salt, limits))).toBe(expected);
  });

  it("lets a process end that started a thread early and never derived", async () => {
    const script = `import(${JSON.stringify(new URL("../../src/cli/kdf-thread.ts", import.meta.url).href)}).then((m) => { m.warmKdfThread(); console.log("started"); })`;
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "-e", script]);
    expect(stdout.trim()).toBe("started");
  }, 60_000);

  it("reads a passphrase file once: the unlock that follows takes what was read", async () => {
    const { dir, editor } = await home();
    const file = join(dir, "pass.txt");
    await writeFile(file, `${PASSPHRASE}\n`);
    const values = { home: dir, "passphrase-file": file };
    await startUnlocking(io(), values);
    await rm(file); // the unlock below would fail to read it
    const unlocked = await unlockEditor(editorHome(dir), io(), file);
    expect(unlocked.secrets.ageIdentity).toBe(editor.secrets.ageIdentity);
    // Taken once: a second unlock reads the file again, and it is gone.
    await expect(unlockEditor(editorHome(dir), io(), file)).rejects.toThrow(/cannot read passphrase file/);
  });

  it("leaves a wrong passphrase for the unlock to refuse, with its usual message", async () => {
    const { dir } = await home();
    const env = { SEALDROP_PASSPHRASE: "not the passphrase at all" };
    await startUnlocking(io(env), { home: dir });
    await expect(unlockEditor(editorHome(dir), io(env), undefined)).rejects.toThrow("wrong passphrase or damaged key file");
  });

  it("starts nothing for a missing key file or the online half's signing-only key", async () => {
    const missing = await tempDir("sealdrop-early-");
    const file = join(missing, "pass.txt");
    await writeFile(file, PASSPHRASE);
    await startUnlocking(io(), { home: missing, "passphrase-file": file });
    await expect(unlockEditor(editorHome(missing), io(), file)).rejects.toThrow(/no editor key at/);

    const { dir, editor } = await home();
    const keyFile = editorHome(dir).keyFile;
    const signing = await sealSigningKeyFile(editor.header, editor.secrets, editor.ageRecipient, PASSPHRASE, await kdfLimits({ SEALDROP_KDF: "interactive" }));
    await writeFile(keyFile, serializeKeyFile(signing));
    await startUnlocking(io(), { home: dir, "passphrase-file": file });
    await rm(file);
    // Nothing was read early: the signer's own unlock looks for the file, which is gone.
    await expect(unlockSigner(editorHome(dir), io(), file)).rejects.toThrow(/cannot read passphrase file/);
  });
});
