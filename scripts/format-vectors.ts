// Prints the test vectors of docs/FORMAT.md. Run with `npx tsx scripts/format-vectors.ts`; paste the
// output into the document only when a format changes (tests/core/format-vectors.test.ts checks them).
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { fromHex, toBase64, toBase64Url, toHex, utf8 } from "../src/core/bytes.js";
import { sealEnvelope, type Envelope } from "../src/core/envelope.js";
import { newsroomFingerprint } from "../src/core/fingerprint.js";
import { pad, paddedSize } from "../src/core/padding.js";
import { signedMessage } from "../src/core/signing.js";
import { identityToRecipient } from "age-encryption";

// Combining marks are written escaped, so no editor's normalization can change a vector's bytes.
const print = (name: string, value: unknown) => console.log(`\`\`\`json vector:${name}\n${JSON.stringify(value, null, 2).replace(/\u0301/g, "\\u0301")}\n\`\`\`\n`);

print("padding", {
  sizes: [0, 1, 4095, 4096, 5000, 70_000, 1_000_000, 123_456_789, 4 * 2 ** 30].map((length) => ({ length, padded: paddedSize(length) })),
  example: { plaintextHex: toHex(utf8("hi")), paddedLength: pad(utf8("hi")).length, paddedSha256: toHex(sha256(pad(utf8("hi")))) },
});

print("fingerprint", {
  recipients: [
    "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj",
    "age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg",
  ],
  fingerprint: newsroomFingerprint([
    "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj",
    "age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg",
  ]),
});

const seed = fromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
const request = { method: "POST", pathAndQuery: "/api/editor/editors?x=1", timestamp: 1767225600, nonce: "AAECAwQFBgcICQoLDA0ODw", body: utf8('{"hello":"world"}') };
const message = signedMessage(request);
print("signed-request", {
  method: request.method,
  pathAndQuery: request.pathAndQuery,
  timestamp: request.timestamp,
  nonce: request.nonce,
  body: '{"hello":"world"}',
  ed25519SeedHex: toHex(seed),
  publicKey: toBase64Url(ed25519.getPublicKey(seed)),
  message: new TextDecoder().decode(message),
  signature: toBase64Url(ed25519.sign(message, seed)),
});

const identity = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX";
const envelope: Envelope = {
  v: 1,
  kind: "submission",
  desk: "news",
  message: "The ferry leaves at dawn.",
  fields: {},
  attachments: [{ name: "harbour.jpg", type: "image/jpeg", size: 3, sha256: toHex(sha256(new Uint8Array([1, 2, 3]))) }],
  reply: null,
  client: "sealdrop-web/0.1.0",
  lang: "en",
};
print("envelope", { identity, recipient: await identityToRecipient(identity), envelope, ciphertextBase64: toBase64(await sealEnvelope(envelope, [await identityToRecipient(identity)])) });

const { codenameToPhrase } = await import("../src/core/codename.js");
const { credentialHash, deriveSourceKeys } = await import("../src/core/derive.js");
const { pseudonymFor } = await import("../src/core/pseudonym.js");
const { wordlist: english } = await import("@scure/bip39/wordlists/english.js");
const { wordlist: korean } = await import("@scure/bip39/wordlists/korean.js");
const { wordlist: chinese } = await import("@scure/bip39/wordlists/simplified-chinese.js");
const entropy = fromHex("7f3a0c1e5b9d2486a1c3e5f708192a3b");
const pq = await deriveSourceKeys(entropy, "pq");
const classic = await deriveSourceKeys(entropy, "x25519");
print("codename", {
  entropyHex: toHex(entropy),
  phrases: { en: codenameToPhrase(entropy, english), ko: codenameToPhrase(entropy, korean), zh: codenameToPhrase(entropy, chinese) },
  mailboxId: pq.mailboxId,
  mailboxCredential: pq.mailboxCredential,
  credentialHash: credentialHash(pq.mailboxCredential),
  replyIdentityPq: pq.replyIdentity,
  replyIdentityX25519: classic.replyIdentity,
  replyRecipientX25519: classic.replyRecipient,
  pseudonymOfX25519Recipient: pseudonymFor(classic.replyRecipient),
});

const { rosterVectors } = await import("./roster-vectors.js");
const { roster, signedNote } = await rosterVectors();
print("roster", roster);
print("signed-note", signedNote);

const { keyFileVectors } = await import("./key-file-vectors.js");
const keyFiles = await keyFileVectors();
print("root-key-file", keyFiles.rootKeyFile);
print("editor-key-file", keyFiles.editorKeyFile);
print("join-request", keyFiles.joinRequest);

const { deskNoteVectors } = await import("./desk-note-vectors.js");
const deskNotes = await deskNoteVectors();
print("signed-triage", deskNotes.signedTriage);
const { indexKey, identitiesDigest, sealIndex } = await import("../src/cli/index/index-file.js");
const indexIdentity = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX";
const indexLines = [
  { v: 1, identities: await identitiesDigest([indexIdentity]) },
  { kind: "reply", id: "0123456789abcdef0123456789abcdef", seq: 2, day: "2026-11-30", desk: "", size: 1234, raw: null },
];
print("vault-index", {
  identity: indexIdentity,
  indexKeyHex: toHex(await indexKey(indexIdentity)),
  identitiesDigest: await identitiesDigest([indexIdentity]),
  lines: indexLines,
  fileBase64: toBase64(await sealIndex(await indexKey(indexIdentity), indexLines)),
});
print("cli-model-events", deskNotes.cliModelEvents);
