import { wordlist as english } from "@scure/bip39/wordlists/english.js";
import { wordlist as korean } from "@scure/bip39/wordlists/korean.js";
import { wordlist as chinese } from "@scure/bip39/wordlists/simplified-chinese.js";
import { Decrypter, Encrypter } from "age-encryption";
import { describe, expect, it } from "vitest";
import { fromHex } from "../../src/core/bytes.js";
import { CodenameError, codenameToPhrase, newCodenameEntropy, phraseToCodename } from "../../src/core/codename.js";
import { credentialHash, deriveSourceKeys } from "../../src/core/derive.js";
import { pseudonymFor } from "../../src/core/pseudonym.js";

const lists = [english, korean, chinese];

describe("codename phrases", () => {
  it("are 12 words in the chosen language", () => {
    const entropy = newCodenameEntropy();
    expect(codenameToPhrase(entropy, english).split(" ")).toHaveLength(12);
    expect(codenameToPhrase(entropy, korean)).toMatch(/[\uac00-\ud7a3]/u);
    expect(codenameToPhrase(entropy, chinese)).toMatch(/[\u4e00-\u9fff]/u);
  });

  it("decode to the same entropy from any supported list", () => {
    for (let i = 0; i < 20; i++) {
      const entropy = newCodenameEntropy();
      for (const list of lists) expect(phraseToCodename(codenameToPhrase(entropy, list), lists)).toEqual(entropy);
    }
  });

  it("tolerate case, extra spaces, ideographic spaces and Chinese typed without spaces", () => {
    const entropy = newCodenameEntropy();
    const en = codenameToPhrase(entropy, english);
    expect(phraseToCodename(`  ${en.toUpperCase().replaceAll(" ", "   ")} `, lists)).toEqual(entropy);
    expect(phraseToCodename(codenameToPhrase(entropy, korean).replaceAll(" ", "\u3000"), lists)).toEqual(entropy);
    expect(phraseToCodename(codenameToPhrase(entropy, chinese).replaceAll(" ", ""), lists)).toEqual(entropy);
  });

  it("say which words are unknown", () => {
    const words = codenameToPhrase(newCodenameEntropy(), english).split(" ");
    words[4] = "xylophonez";
    const error = (() => {
      try {
        phraseToCodename(words.join(" "), lists);
      } catch (e) {
        return e as CodenameError;
      }
    })();
    expect(error).toBeInstanceOf(CodenameError);
    expect(error!.reason).toBe("unknown_word");
    expect(error!.positions).toEqual([5]);
  });

  it("catch a swapped or mistyped word with the checksum, and a wrong count", () => {
    const entropy = fromHex("00112233445566778899aabbccddeeff");
    const words = codenameToPhrase(entropy, english).split(" ");
    [words[0], words[1]] = [words[1]!, words[0]!];
    expect(() => phraseToCodename(words.join(" "), lists)).toThrow(expect.objectContaining({ reason: "checksum" }));
    expect(() => phraseToCodename(words.slice(0, 11).join(" "), lists)).toThrow(expect.objectContaining({ reason: "word_count" }));
  });
});

describe("derivations from a codename", () => {
  it("are deterministic, distinct, and give a working age key of the newsroom's kind", async () => {
    const entropy = newCodenameEntropy();
    for (const kind of ["pq", "x25519"] as const) {
      const a = await deriveSourceKeys(entropy, kind);
      const b = await deriveSourceKeys(entropy, kind);
      expect(a).toEqual(b);
      expect(a.replyRecipient.startsWith(kind === "pq" ? "age1pq1" : "age1")).toBe(true);
      expect(a.mailboxId).toMatch(/^[0-9a-f]{32}$/);
      expect(a.mailboxCredential).toMatch(/^[0-9a-f]{64}$/);
      expect(a.mailboxCredential.startsWith(a.mailboxId)).toBe(false);
      const e = new Encrypter();
      e.addRecipient(a.replyRecipient);
      const d = new Decrypter();
      d.addIdentity(a.replyIdentity);
      expect(await d.decrypt(await e.encrypt("reply"), "text")).toBe("reply");
    }
    expect((await deriveSourceKeys(newCodenameEntropy(), "pq")).mailboxId).not.toBe((await deriveSourceKeys(entropy, "pq")).mailboxId);
  });

  it("hash the credential for the server", () => {
    expect(credentialHash("00".repeat(32))).toMatch(/^[0-9a-f]{64}$/);
    expect(credentialHash("00".repeat(32))).not.toBe(credentialHash("01".repeat(32)));
  });

  it("give each source a stable pseudonym", async () => {
    const keys = await deriveSourceKeys(newCodenameEntropy(), "pq");
    expect(pseudonymFor(keys.replyRecipient)).toBe(pseudonymFor(keys.replyRecipient));
    expect(pseudonymFor(keys.replyRecipient)).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+ \d{4}$/);
  });
});
