// docs/FORMAT.md's vectors for the files sealdrop seals with a passphrase (root key, editor key: Argon2id
// + XChaCha20-Poly1305, src/cli/passphrase-seal.ts) and for the join request: from the fixed seed, salt,
// nonce and passphrase each vector gives, the code must make exactly the bytes written there, and open them.
import sodium from "libsodium-wrappers-sumo";
import { beforeAll, describe, expect, it } from "vitest";
import { fromBase64, fromHex, fromUtf8, toBase64, toBase64Url, toHex, utf8 } from "../../src/core/bytes.js";
import { rootFingerprint } from "../../src/core/fingerprint.js";
import { decodeJoinRequest, encodeJoinRequest, joinCheckCode } from "../../src/cli/join-request.js";
import { openKeyFile, parseKeyFile, sealKeyFile, serializeKeyFile } from "../../src/cli/keyfile.js";
import { deriveKeyOffThread } from "../../src/cli/kdf-thread.js";
import { openRootKey, sealRootKey } from "../../src/cli/root-key.js";
import { vector } from "./format-doc.js";

beforeAll(async () => {
  await sodium.ready;
});

/** Opens a vector's ciphertext by the format's own description, without the code under test. */
function openByTheBook(v: { passphrase: string; associatedData: string; file: { kdf: { opslimit: number; memlimit: number; salt: string }; nonce: string; ciphertext: string } }): string {
  const key = sodium.crypto_pwhash(32, utf8(v.passphrase.normalize("NFC")), fromBase64(v.file.kdf.salt), v.file.kdf.opslimit, v.file.kdf.memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13);
  return fromUtf8(sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, fromBase64(v.file.ciphertext), utf8(v.associatedData), fromBase64(v.file.nonce), key));
}

const limitsOf = (kdf: { opslimit: number; memlimit: number }) => ({ opslimit: kdf.opslimit, memlimit: kdf.memlimit });

describe("docs/FORMAT.md passphrase-sealed file vectors", () => {
  it("the passphrase is given decomposed, and sealing keys it by its NFC form", async () => {
    const { passphrase, file } = vector("root-key-file");
    expect(passphrase).not.toBe(passphrase.normalize("NFC"));
    const salt = fromBase64(file.kdf.salt);
    expect(toHex(await deriveKeyOffThread(passphrase, salt, file.kdf))).toBe(toHex(await deriveKeyOffThread(passphrase.normalize("NFC"), salt, file.kdf)));
  });

  it("root key file: sealed from the seed, salt and nonce, byte for byte, and opened", async () => {
    const v = vector("root-key-file");
    const pair = sodium.crypto_sign_seed_keypair(fromHex(v.seedHex));
    const publicKey = toBase64Url(pair.publicKey);
    expect(publicKey).toBe(v.file.publicKey);
    expect(rootFingerprint(publicKey)).toBe(v.file.fingerprint);
    expect(openByTheBook(v)).toBe(v.plaintext);
    expect(JSON.parse(v.plaintext)).toEqual({ signSecretKey: toBase64(pair.privateKey) });
    const sealed = await sealRootKey({ publicKey, fingerprint: v.file.fingerprint, secretKey: pair.privateKey }, v.file.newsroom, v.passphrase, limitsOf(v.file.kdf), { kdf: v.file.kdf, nonce: v.file.nonce });
    expect(sealed).toEqual(v.file);
    const opened = await openRootKey(v.file, v.passphrase);
    expect(toHex(opened.secretKey)).toBe(toHex(pair.privateKey));
    await expect(openRootKey({ ...v.file, newsroom: "Another Desk" }, v.passphrase)).rejects.toThrow(/wrong passphrase or damaged/);
  });

  it("editor key file: sealed from the seed, salt and nonce, byte for byte, and opened with its retired identity", async () => {
    const v = vector("editor-key-file");
    const pair = sodium.crypto_sign_seed_keypair(fromHex(v.seedHex));
    expect(openByTheBook(v)).toBe(v.plaintext);
    const plaintext = JSON.parse(v.plaintext);
    expect(plaintext.signSecretKey).toBe(toBase64(pair.privateKey));
    const { editorId, name, server, newsroom } = v.file;
    const secrets = { ageIdentity: plaintext.ageIdentity, signSecretKey: pair.privateKey, signPublicKey: toBase64Url(pair.publicKey), retiredAgeIdentities: plaintext.retiredAgeIdentities };
    const sealed = await sealKeyFile({ editorId, name, server, newsroom }, secrets, v.passphrase, limitsOf(v.file.kdf), { kdf: v.file.kdf, nonce: v.file.nonce });
    expect(sealed).toEqual(v.file);
    const parsed = parseKeyFile(serializeKeyFile(v.file), "vector");
    expect(await openKeyFile(parsed, v.passphrase)).toEqual(secrets);
    await expect(openKeyFile({ ...parsed, name: "Mallory" }, v.passphrase)).rejects.toThrow(/wrong passphrase or damaged/);
  });
});

describe("docs/FORMAT.md join request vector", () => {
  it("canonical JSON, the line, the check code, and back", () => {
    const v = vector("join-request");
    expect(encodeJoinRequest(v.request)).toBe(v.line);
    expect(fromUtf8(Buffer.from(v.line.slice("sealdrop-join-v1:".length), "base64url"))).toBe(v.canonicalJson);
    expect(toHex(sodium.crypto_hash_sha256(utf8(v.canonicalJson)))).toBe(v.canonicalSha256);
    expect(joinCheckCode(v.request)).toBe(v.checkCode);
    expect(v.checkCode.replaceAll(" ", "")).toBe(v.canonicalSha256.slice(0, 16).toUpperCase());
    expect(decodeJoinRequest(`${v.line}\n`)).toEqual(v.request);
  });
});
