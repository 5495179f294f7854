// The vectors in docs/FORMAT.md are the format's contract: the code must reproduce every one.
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { describe, expect, it } from "vitest";
import { fromBase64, fromHex, fromBase64Url, fromUtf8, toBase64Url, toHex, utf8 } from "../../src/core/bytes.js";
import { openEnvelope } from "../../src/core/envelope.js";
import { newsroomFingerprint } from "../../src/core/fingerprint.js";
import { pad, paddedSize } from "../../src/core/padding.js";
import { signedMessage } from "../../src/core/signing.js";
import { vector } from "./format-doc.js";


describe("docs/FORMAT.md vectors", () => {
  it("padding sizes and bytes", () => {
    const v = vector("padding");
    for (const { length, padded } of v.sizes) expect(paddedSize(length)).toBe(padded);
    const padded = pad(fromHex(v.example.plaintextHex));
    expect(padded.length).toBe(v.example.paddedLength);
    expect(toHex(sha256(padded))).toBe(v.example.paddedSha256);
  });

  it("fingerprint", () => {
    const v = vector("fingerprint");
    expect(newsroomFingerprint(v.recipients)).toBe(v.fingerprint);
    expect(newsroomFingerprint([...v.recipients].reverse())).toBe(v.fingerprint);
  });

  it("signed request", () => {
    const v = vector("signed-request");
    const message = signedMessage({ method: v.method, pathAndQuery: v.pathAndQuery, timestamp: v.timestamp, nonce: v.nonce, body: utf8(v.body) });
    expect(new TextDecoder().decode(message)).toBe(v.message);
    const seed = fromHex(v.ed25519SeedHex);
    expect(toBase64Url(ed25519.getPublicKey(seed))).toBe(v.publicKey);
    expect(toBase64Url(ed25519.sign(message, seed))).toBe(v.signature);
    expect(ed25519.verify(fromBase64Url(v.signature), message, fromBase64Url(v.publicKey))).toBe(true);
  });

  it("envelope", async () => {
    const v = vector("envelope");
    expect(await openEnvelope(fromBase64(v.ciphertextBase64), [v.identity])).toEqual(v.envelope);
  });
});

describe("docs/FORMAT.md codename vector", () => {
  it("phrases in three languages and every derivation", async () => {
    const { codenameToPhrase, phraseToCodename } = await import("../../src/core/codename.js");
    const { credentialHash, deriveSourceKeys } = await import("../../src/core/derive.js");
    const { pseudonymFor } = await import("../../src/core/pseudonym.js");
    const lists = [
      (await import("@scure/bip39/wordlists/english.js")).wordlist,
      (await import("@scure/bip39/wordlists/korean.js")).wordlist,
      (await import("@scure/bip39/wordlists/simplified-chinese.js")).wordlist,
    ];
    const v = vector("codename");
    const entropy = fromHex(v.entropyHex);
    expect([v.phrases.en, v.phrases.ko, v.phrases.zh]).toEqual(lists.map((l) => codenameToPhrase(entropy, l)));
    for (const phrase of Object.values(v.phrases) as string[]) expect(toHex(phraseToCodename(phrase, lists))).toBe(v.entropyHex);
    const pq = await deriveSourceKeys(entropy, "pq");
    const classic = await deriveSourceKeys(entropy, "x25519");
    expect(pq.mailboxId).toBe(v.mailboxId);
    expect(pq.mailboxCredential).toBe(v.mailboxCredential);
    expect(credentialHash(pq.mailboxCredential)).toBe(v.credentialHash);
    expect(pq.replyIdentity).toBe(v.replyIdentityPq);
    expect(classic.replyIdentity).toBe(v.replyIdentityX25519);
    expect(classic.replyRecipient).toBe(v.replyRecipientX25519);
    expect(pseudonymFor(classic.replyRecipient)).toBe(v.pseudonymOfX25519Recipient);
    // The CLI names sources with Node's native SHA-256 (src/cli/network.ts): the same name.
    const { createHash } = await import("node:crypto");
    expect(pseudonymFor(classic.replyRecipient, (d) => createHash("sha256").update(d).digest())).toBe(v.pseudonymOfX25519Recipient);
  });
});

describe("docs/FORMAT.md roster and signed-note vectors", () => {
  it("roster entries: signed bytes, hashes, signatures and the verified state", async () => {
    const { rootFingerprint } = await import("../../src/core/fingerprint.js");
    const { deskRecipients, rosterEntryHash, rosterSignedBytes, verifyRoster } = await import("../../src/core/roster.js");
    const v = vector("roster");
    expect(toBase64Url(ed25519.getPublicKey(fromHex(v.rootSeedHex)))).toBe(v.rootPublicKey);
    expect(rootFingerprint(v.rootPublicKey)).toBe(v.rootFingerprint);
    const seeds: Record<string, string> = { root: v.rootSeedHex, [v.editors.alice.spec.id]: v.editors.alice.seedHex };
    for (const { entry, signedText, hash } of v.entries) {
      const bytes = rosterSignedBytes(entry.body);
      expect(new TextDecoder().decode(bytes)).toBe(signedText);
      expect(rosterEntryHash(entry.body)).toBe(hash);
      expect(toHex(sha256(bytes))).toBe(hash);
      expect(toBase64Url(ed25519.sign(bytes, fromHex(seeds[entry.body.signer]!)))).toBe(entry.signature);
    }
    const result = verifyRoster(v.rootPublicKey, v.entries.map((e: { entry: unknown }) => e.entry));
    if (!result.ok) throw result.error;
    expect(result.head).toEqual(v.head);
    expect({ news: deskRecipients(result.state, "news"), inv: deskRecipients(result.state, "inv") }).toEqual(v.deskRecipients);
  });

  it("signed note: signed bytes, signature, and verification against the roster vector", async () => {
    const { verifyRoster } = await import("../../src/core/roster.js");
    const { messageSignedBytes, verifyMessage } = await import("../../src/core/signed-message.js");
    const v = vector("signed-note");
    const roster = verifyRoster(vector("roster").rootPublicKey, vector("roster").entries.map((e: { entry: unknown }) => e.entry));
    if (!roster.ok) throw roster.error;
    const bytes = messageSignedBytes(v.note);
    expect(new TextDecoder().decode(bytes)).toBe(v.signedText);
    expect(toBase64Url(ed25519.sign(bytes, fromHex(v.authorSeedHex)))).toBe(v.note.sig.signature);
    expect(verifyMessage(v.note, roster)).toMatchObject({ status: "verified", desk: "inv", author: { name: "Alice" } });
  });
});

describe("docs/FORMAT.md triage-note vector", () => {
  it("signed bytes, signature, verification, padding and the reduced state", async () => {
    const { verifyRoster } = await import("../../src/core/roster.js");
    const { messageSignedBytes, verifyMessage } = await import("../../src/core/signed-message.js");
    const { reduceTriage, triageNoteSchema } = await import("../../src/core/triage.js");
    const v = vector("signed-triage");
    const roster = verifyRoster(vector("roster").rootPublicKey, vector("roster").entries.map((e: { entry: unknown }) => e.entry));
    if (!roster.ok) throw roster.error;
    const bytes = messageSignedBytes(v.note);
    expect(new TextDecoder().decode(bytes)).toBe(v.signedText);
    expect(toBase64Url(ed25519.sign(bytes, fromHex(vector("roster").editors.alice.seedHex)))).toBe(v.note.sig.signature);
    const verified = verifyMessage(v.note, roster);
    expect(verified).toMatchObject({ status: "verified", desk: "inv", author: { name: "Alice" }, message: { kind: "triage" } });
    expect(paddedSize(utf8(JSON.stringify(v.note)).length)).toBe(v.paddedLength);
    const note = triageNoteSchema.parse(v.note);
    const { state } = reduceTriage([{ noteId: "f".repeat(32), author: v.note.sig.author, desk: v.note.sig.desk, note }]);
    expect(Object.fromEntries(state)).toEqual(v.state);
  });
});

describe("docs/FORMAT.md vault index vector", () => {
  it("key derivation, identities digest and a sealed index file", async () => {
    const { indexKey, identitiesDigest, openIndex, sealIndex } = await import("../../src/cli/index/index-file.js");
    const v = vector("vault-index");
    const key = await indexKey(v.identity);
    expect(toHex(key)).toBe(v.indexKeyHex);
    expect(await identitiesDigest([v.identity])).toBe(v.identitiesDigest);
    const file = fromBase64(v.fileBase64);
    expect(await openIndex(key, file)).toEqual(v.lines);
    expect(await openIndex(key, await sealIndex(key, v.lines))).toEqual(v.lines);
    expect(toHex(await sealIndex(key, v.lines, fromHex(v.nonceHex)))).toBe(toHex(file));
    // Checked again with other implementations (@noble's HKDF and ChaCha20-Poly1305) than the CLI's (Node's):
    // one message, so its nonce is 0 with the last-message flag.
    const { hkdf } = await import("@noble/hashes/hkdf.js");
    const { chacha20poly1305 } = await import("@noble/ciphers/chacha.js");
    const magic = file.subarray(0, 24);
    expect(fromUtf8(magic)).toBe("sealdrop-vault-index-v2\n");
    const fileKey = hkdf(sha256, key, file.subarray(24, 40), utf8("sealdrop vault index v2 payload"), 32);
    const length = new DataView(file.buffer, file.byteOffset).getUint32(40);
    expect(44 + length).toBe(file.length);
    const nonce = new Uint8Array(12);
    nonce[11] = 1;
    const lines = fromUtf8(chacha20poly1305(fileKey, nonce, magic).decrypt(file.subarray(44)));
    expect(lines.split("\n").map((l) => JSON.parse(l))).toEqual(v.lines);
  });
});

describe("docs/FORMAT.md model events written by the CLI", () => {
  it("sealdrop note builds exactly the documented events, and each is a valid model event", async () => {
    const { cliModelEvents } = await import("../../scripts/desk-note-vectors.js");
    const { modelEvent } = await import("../../src/core/network/events.js");
    const v = vector("cli-model-events");
    expect(cliModelEvents()).toEqual(v);
    for (const { events } of v) for (const e of events) expect(modelEvent.parse(e)).toEqual(e);
  });
});
