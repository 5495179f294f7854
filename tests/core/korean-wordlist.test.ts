// The Korean codename list both Koreas share (src/core/wordlists/korean.ts, docs/FORMAT.md "Korean codename
// words"): 2,048 distinct words, BIP39's with 302 replaced in place; the vectors of FORMAT.md; every
// codename given in BIP39's list still decodes to the same secret.
import { wordlist as bip39 } from "@scure/bip39/wordlists/korean.js";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/core/bytes.js";
import { codenameToPhrase, newCodenameEntropy, phraseToCodename } from "../../src/core/codename.js";
import { LOANWORDS, MARKED, NORTHERN_SPELLINGS } from "../../src/core/wordlists/korean-data.js";
import { KOREAN_REPLACEMENTS, koreanLists, sharedKorean } from "../../src/core/wordlists/korean.js";
import { vector } from "./format-doc.js";

const fromHex = (h: string) => Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));
const nfc = (w: string) => w.normalize("NFC");

describe("the shared Korean codename list", () => {
  const doc = vector("korean-codename") as { replaced: number; cases: { entropyHex: string; bip39: string; shared: string }[] };

  it("is BIP39's list with the replaced words, and only those, changed in place", () => {
    expect(sharedKorean).toHaveLength(2048);
    expect(new Set(sharedKorean).size).toBe(2048);
    const changed = sharedKorean.flatMap((w, i): [string, string][] => (w === bip39[i] ? [] : [[nfc(bip39[i]!), nfc(w)]]));
    expect(changed).toHaveLength(doc.replaced);
    expect(new Map(changed)).toEqual(new Map(KOREAN_REPLACEMENTS.map(([at, shared]) => [nfc(bip39[at]!), shared])));
    // The counts FORMAT.md's table gives, and a few of its examples in their groups.
    expect([LOANWORDS, NORTHERN_SPELLINGS, MARKED].map((g) => g.at.length)).toEqual([134, 85, 83]);
    const group = (g: typeof LOANWORDS) => g.at.map((at) => nfc(bip39[at]!));
    expect(group(LOANWORDS)).toEqual(expect.arrayContaining(["팝송", "웨이터", "알코올", "컴퓨터", "아파트"]));
    expect(group(NORTHERN_SPELLINGS)).toEqual(expect.arrayContaining(["노동", "여행", "역사", "햇살", "숫자", "내일", "연습", "이용", "바닷가"]));
    expect(group(MARKED)).toEqual(expect.arrayContaining(["서울", "국회", "대한민국", "북한", "경찰", "비밀", "도망", "여권", "하느님"]));
  });

  it("replaces with Hangul words of two or three syllables, none in BIP39's list", () => {
    const old = new Set(bip39.map(nfc));
    for (const [, shared] of KOREAN_REPLACEMENTS) {
      expect(shared, shared).toMatch(/^[\uac00-\ud7a3]{2,3}$/u);
      expect(old.has(shared), shared).toBe(false);
    }
  });

  it("gives FORMAT.md's vectors, and decodes both phrases of each to the same secret", () => {
    for (const c of doc.cases) {
      const entropy = fromHex(c.entropyHex);
      expect(codenameToPhrase(entropy, bip39)).toBe(c.bip39);
      expect(codenameToPhrase(entropy, sharedKorean)).toBe(c.shared);
      expect(toHex(phraseToCodename(c.bip39, koreanLists))).toBe(c.entropyHex);
      expect(toHex(phraseToCodename(c.shared, koreanLists))).toBe(c.entropyHex);
      expect(toHex(phraseToCodename(c.shared.normalize("NFD"), koreanLists))).toBe(c.entropyHex);
    }
  });

  it("still accepts every codename given in BIP39's list (random secrets)", () => {
    for (let i = 0; i < 300; i++) {
      const entropy = newCodenameEntropy();
      expect(phraseToCodename(codenameToPhrase(entropy, bip39), koreanLists)).toEqual(entropy);
      expect(phraseToCodename(codenameToPhrase(entropy, sharedKorean), koreanLists)).toEqual(entropy);
    }
  });
});
