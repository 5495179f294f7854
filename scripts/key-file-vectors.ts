// The root key file, editor key file and join request vectors of docs/FORMAT.md, built from fixed seeds,
// salts, nonces and a fixed passphrase (printed by scripts/format-vectors.ts; checked by
// tests/core/key-file-vectors.test.ts). The Argon2id limits are the format's minimum-ish ones so the test
// runs fast; real files use libsodium's MODERATE or INTERACTIVE limits.
import { sha256 } from "@noble/hashes/sha2.js";
import { bech32 } from "@scure/base";
import { identityToRecipient } from "age-encryption";
import sodium from "libsodium-wrappers-sumo";
import { fromUtf8, toBase64, toBase64Url, toHex } from "../src/core/bytes.js";
import { canonicalBytes } from "../src/core/canonical.js";
import { rootFingerprint } from "../src/core/fingerprint.js";
import { encodeJoinRequest, joinCheckCode, type JoinRequest } from "../src/cli/join-request.js";
import { sealKeyFile } from "../src/cli/keyfile.js";
import type { SealParams } from "../src/cli/passphrase-seal.js";
import { sealRootKey } from "../src/cli/root-key.js";

const filled = (length: number, byte: number) => new Uint8Array(length).fill(byte);
/** "é" written as e + U+0301: sealing normalizes the passphrase to NFC first. */
export const VECTOR_PASSPHRASE = "Cafe\u0301 on the border, 7 a.m.";
const LIMITS = { opslimit: 2, memlimit: 65536 };
const params = (saltByte: number, nonceByte: number): SealParams => ({
  kdf: { alg: "argon2id13", ...LIMITS, salt: toBase64(filled(16, saltByte)) },
  nonce: toBase64(filled(24, nonceByte)),
});
const ageIdentityOf = (byte: number) => bech32.encode("AGE-SECRET-KEY-", bech32.toWords(filled(32, byte)), false).toUpperCase();
const keyPair = (seedByte: number) => {
  const pair = sodium.crypto_sign_seed_keypair(filled(32, seedByte));
  return { seedHex: toHex(filled(32, seedByte)), secretKey: pair.privateKey, publicKey: toBase64Url(pair.publicKey) };
};

export async function keyFileVectors() {
  await sodium.ready;
  const root = keyPair(0x01);
  const rootFile = await sealRootKey({ publicKey: root.publicKey, fingerprint: rootFingerprint(root.publicKey), secretKey: root.secretKey }, "Border Desk Daily", VECTOR_PASSPHRASE, LIMITS, params(0xa1, 0xb1));
  const rootKeyFile = {
    seedHex: root.seedHex,
    passphrase: VECTOR_PASSPHRASE,
    associatedData: JSON.stringify([rootFile.sealdrop, rootFile.publicKey, rootFile.fingerprint, rootFile.newsroom, rootFile.kdf.alg, rootFile.kdf.opslimit, rootFile.kdf.memlimit, rootFile.kdf.salt, rootFile.nonce]),
    plaintext: JSON.stringify({ signSecretKey: toBase64(root.secretKey) }),
    file: rootFile,
  };

  const alice = keyPair(0x11);
  const identity = "AGE-SECRET-KEY-1ZYG3YG3YG3YG3YG3YG3YG3YG3YG3YG3YG3YG3YG3YG3YG3YG3YGSP83TRP";
  const retired = "AGE-SECRET-KEY-1XVENXVENXVENXVENXVENXVENXVENXVENXVENXVENXVENXVENXVESDZWZ8G";
  const header = { editorId: "11111111111111111111111111111111", name: "Alice", server: "http://example.onion", newsroom: "Border Desk Daily" };
  const secrets = { ageIdentity: identity, signSecretKey: alice.secretKey, signPublicKey: alice.publicKey, retiredAgeIdentities: [retired] };
  const editorFile = await sealKeyFile(header, secrets, VECTOR_PASSPHRASE, LIMITS, params(0xa2, 0xb2));
  const editorKeyFile = {
    seedHex: alice.seedHex,
    passphrase: VECTOR_PASSPHRASE,
    associatedData: JSON.stringify([editorFile.sealdrop, editorFile.editorId, editorFile.name, editorFile.server, editorFile.newsroom, editorFile.kdf.alg, editorFile.kdf.opslimit, editorFile.kdf.memlimit, editorFile.kdf.salt, editorFile.nonce]),
    plaintext: JSON.stringify({ ageIdentity: identity, signSecretKey: toBase64(alice.secretKey), signPublicKey: alice.publicKey, retiredAgeIdentities: [retired] }),
    file: editorFile,
  };

  const bob = keyPair(0x22);
  const request: JoinRequest = {
    v: 1,
    fingerprint: rootFingerprint(root.publicKey),
    id: "22222222222222222222222222222222",
    name: "Bob 밥",
    ageRecipient: await identityToRecipient(ageIdentityOf(0x22)),
    signPublicKey: bob.publicKey,
  };
  const joinRequest = {
    request,
    canonicalJson: fromUtf8(canonicalBytes(request)),
    canonicalSha256: toHex(sha256(canonicalBytes(request))),
    line: encodeJoinRequest(request),
    checkCode: joinCheckCode(request),
  };
  return { rootKeyFile, editorKeyFile, joinRequest };
}
