// The editor key file: sealed under a passphrase, with its header bound to the ciphertext.
import { execFile } from "node:child_process";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { identityToRecipient } from "age-encryption";
import sodium from "libsodium-wrappers-sumo";
import { describe, expect, it } from "vitest";
import { fromBase64, toBase64 } from "../../src/core/bytes.js";
import { createEditor, saveEditor, unlockEditor } from "../../src/cli/editor.js";
import { editorHome } from "../../src/cli/home.js";
import type { Io } from "../../src/cli/io.js";
import { kdfLimits, openKeyFile, parseKeyFile, sealKeyFile } from "../../src/cli/keyfile.js";
import { PASSPHRASE, tempDir, testEnv } from "./helpers.js";

const io = (env: Record<string, string | undefined> = testEnv()): Io => ({ out: () => {}, err: () => {}, env, cwd: process.cwd(), interactive: false });

async function sealedEditor(classic = false) {
  const editor = await createEditor("Alice", "http://127.0.0.1:8787", "Test News", classic);
  const file = await sealKeyFile(editor.header, editor.secrets, PASSPHRASE, await kdfLimits({ SEALDROP_KDF: "interactive" }));
  return { editor, file };
}

describe("editor key file", () => {
  it("opens with the passphrase it was sealed with and returns the same keys", async () => {
    const { editor, file } = await sealedEditor();
    const secrets = await openKeyFile(parseKeyFile(JSON.stringify(file), "editor.key"), PASSPHRASE);
    expect(secrets.ageIdentity).toBe(editor.secrets.ageIdentity);
    expect(secrets.ageIdentity).toMatch(/^AGE-SECRET-KEY-PQ-1/);
    expect(await identityToRecipient(secrets.ageIdentity)).toMatch(/^age1pq1/);
    expect(Array.from(secrets.signSecretKey)).toEqual(Array.from(editor.secrets.signSecretKey));
    expect(secrets.signPublicKey).toBe(editor.secrets.signPublicKey);
  });

  it("records the header fields, the Argon2id parameters, and no plaintext key", async () => {
    const { editor, file } = await sealedEditor(true);
    await sodium.ready;
    expect(file).toMatchObject({ sealdrop: "editor-key-v1", editorId: editor.header.editorId, name: "Alice", server: "http://127.0.0.1:8787", newsroom: "Test News" });
    expect(file.kdf).toEqual({ alg: "argon2id13", opslimit: sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE, memlimit: sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE, salt: expect.any(String) });
    expect(fromBase64(file.kdf.salt)).toHaveLength(16);
    expect(fromBase64(file.nonce)).toHaveLength(24);
    expect(JSON.stringify(file)).not.toContain(editor.secrets.ageIdentity.slice(20));
  });

  it("uses the MODERATE limits unless SEALDROP_KDF=interactive", async () => {
    await sodium.ready;
    expect(await kdfLimits({})).toEqual({ opslimit: sodium.crypto_pwhash_OPSLIMIT_MODERATE, memlimit: sodium.crypto_pwhash_MEMLIMIT_MODERATE });
    await expect(kdfLimits({ SEALDROP_KDF: "fast" })).rejects.toThrow(/SEALDROP_KDF/);
  });

  it("refuses a wrong passphrase", async () => {
    const { file } = await sealedEditor();
    await expect(openKeyFile(file, "not the passphrase")).rejects.toThrow("wrong passphrase or damaged key file");
  });

  it.each([
    ["name", { name: "Mallory" }],
    ["server", { server: "http://evil.example" }],
    ["newsroom", { newsroom: "Other News" }],
    ["editor id", { editorId: "0".repeat(32) }],
  ])("refuses a key file whose %s was changed", async (_, change) => {
    const { file } = await sealedEditor();
    await expect(openKeyFile({ ...file, ...change }, PASSPHRASE)).rejects.toThrow("wrong passphrase or damaged key file");
  });

  it("refuses a key file whose ciphertext was changed", async () => {
    const { file } = await sealedEditor();
    const bytes = fromBase64(file.ciphertext);
    bytes[10]! ^= 1;
    await expect(openKeyFile({ ...file, ciphertext: toBase64(bytes) }, PASSPHRASE)).rejects.toThrow("wrong passphrase or damaged key file");
  });

  it("refuses files that are not key files, naming the problem", () => {
    expect(() => parseKeyFile("not json", "k")).toThrow(/not a sealdrop key file/);
    expect(() => parseKeyFile(JSON.stringify({ sealdrop: "other" }), "k")).toThrow(/not a sealdrop key file/);
    expect(() => parseKeyFile(JSON.stringify({ sealdrop: "editor-key-v1", editorId: "x" }), "k")).toThrow(/damaged key file/);
  });

  it("is written with mode 0600, never replaces an existing key, and unlocks from the home", async () => {
    const home = editorHome(join(await tempDir(), "home"));
    const editor = await createEditor("Alice", "http://127.0.0.1:8787", "Test News", false);
    await saveEditor(home, editor, PASSPHRASE, io());
    expect((await stat(home.keyFile)).mode & 0o777).toBe(0o600);
    const before = await readFile(home.keyFile, "utf8");
    await expect(saveEditor(home, editor, PASSPHRASE, io())).rejects.toThrow(/already exists/);
    expect(await readFile(home.keyFile, "utf8")).toBe(before);
    const unlocked = await unlockEditor(home, io(), undefined);
    expect(unlocked.ageRecipient).toBe(editor.ageRecipient);
    expect(unlocked.header.editorId).toBe(editor.header.editorId);
  });

  it("takes the passphrase from --passphrase-file before the environment", async () => {
    const dir = await tempDir();
    const home = editorHome(join(dir, "home"));
    await saveEditor(home, await createEditor("Alice", "http://127.0.0.1:8787", "N", false), PASSPHRASE, io());
    await writeFile(join(dir, "pass"), `${PASSPHRASE}\n`);
    await expect(unlockEditor(home, io(testEnv({ SEALDROP_PASSPHRASE: "wrong one" })), join(dir, "pass"))).resolves.toBeDefined();
    await expect(unlockEditor(home, io(testEnv({ SEALDROP_PASSPHRASE: "wrong one" })), undefined)).rejects.toThrow("wrong passphrase");
  });

  it("fails clearly when there is no passphrase and no terminal", async () => {
    const home = editorHome(join(await tempDir(), "home"));
    await saveEditor(home, await createEditor("Alice", "http://127.0.0.1:8787", "N", false), PASSPHRASE, io());
    await expect(unlockEditor(home, io(testEnv({ SEALDROP_PASSPHRASE: undefined })), undefined)).rejects.toThrow(/no passphrase: set SEALDROP_PASSPHRASE/);
  });

  it("derives the key on a thread that has ended: the unlocking process keeps none of Argon2id's memory", async () => {
    const { editor, file } = await sealedEditor(true);
    const path = join(await tempDir(), "editor.key");
    await writeFile(path, JSON.stringify(file));
    // A process of its own, so nothing else this file runs has grown its libsodium memory.
    const script = `
      import { readFileSync } from "node:fs";
      import { openKeyFile, parseKeyFile } from ${JSON.stringify(pathToFileURL(join(process.cwd(), "src/cli/keyfile.ts")).href)};
      const secrets = await openKeyFile(parseKeyFile(readFileSync(process.env.KEY_PATH, "utf8"), "editor.key"), process.env.KEY_PASSPHRASE);
      console.log(JSON.stringify({ identity: secrets.ageIdentity, external: process.memoryUsage().external }));`;
    const scriptFile = join(await tempDir(), "unlock.mts");
    await writeFile(scriptFile, script);
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", scriptFile], { env: { ...process.env, KEY_PATH: path, KEY_PASSPHRASE: PASSPHRASE } });
    const opened = JSON.parse(stdout) as { identity: string; external: number };
    expect(opened.identity).toBe(editor.secrets.ageIdentity);
    // Argon2id under these limits needs 64 MiB of WebAssembly memory; on this thread it would stay, counted as external.
    expect(file.kdf.memlimit).toBe(64 << 20);
    expect(opened.external).toBeLessThan(32 << 20);
  });
});
