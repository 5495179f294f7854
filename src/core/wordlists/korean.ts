// The two Korean codename lists (docs/FORMAT.md, "Korean codename words"): BIP39's, which codenames were
// given in before, and the shared list new codenames are given in: BIP39's with the words of
// korean-data.ts replaced in place. Both decode (../codename.ts takes several lists), and
// since unchanged words keep their positions, a phrase of unchanged words is the same codename in either.
import { wordlist as bip39 } from "@scure/bip39/wordlists/korean.js";
import { LOANWORDS, MARKED, NORTHERN_SPELLINGS, type Replaced } from "./korean-data.js";

/** BIP39's Korean list, as @scure/bip39 stores it (NFKD). */
export const bip39Korean: readonly string[] = bip39;

/** Every replacement: a position in BIP39's list and the shared word (NFC, as written) that takes it. */
export const KOREAN_REPLACEMENTS: readonly (readonly [position: number, shared: string])[] = [LOANWORDS, NORTHERN_SPELLINGS, MARKED].flatMap((group: Replaced) => {
  const words = group.words.split(" ");
  if (words.length !== group.at.length) throw new Error("the Korean codename list is inconsistent");
  return group.at.map((at, i) => [at, words[i]!] as const);
});

function sharedList(): readonly string[] {
  const list = [...bip39];
  for (const [at, shared] of KOREAN_REPLACEMENTS) {
    if (list[at] !== bip39[at]) throw new Error(`the Korean codename list replaces position ${at} twice`);
    list[at] = shared.normalize("NFKD");
  }
  if (new Set(list).size !== list.length) throw new Error("the Korean codename list repeats a word");
  return list;
}

/** The Korean list new codenames are shown in (NFKD, like @scure/bip39's lists). */
export const sharedKorean: readonly string[] = sharedList();

/** Both Korean lists, the shared one first: what a typed Korean phrase is decoded with. */
export const koreanLists: readonly (readonly string[])[] = [sharedKorean, bip39Korean];
