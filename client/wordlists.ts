// The codename word lists, loaded only when needed: each is a few kilobytes gzipped, and most visits
// need none. `import()` makes each a same-origin chunk under /assets/, which the CSP allows.
import { CodenameError, phraseToCodename, phraseWords } from "../src/core/codename.js";
import type { Language } from "../src/i18n/index.js";

type Wordlist = readonly string[];

/** Per language, the lists a typed phrase may be in; the first is the one new codenames are shown in. */
const LOADERS: Readonly<Record<Language, () => Promise<readonly Wordlist[]>>> = {
  en: () => import("@scure/bip39/wordlists/english.js").then((m) => [m.wordlist]),
  // Korean: the list both Koreas share, and BIP39's, which earlier codenames were given in (src/core/wordlists/korean.ts).
  ko: () => import("../src/core/wordlists/korean.js").then((m) => m.koreanLists),
  zh: () => import("@scure/bip39/wordlists/simplified-chinese.js").then((m) => [m.wordlist]),
};

/** The word list a codename is shown in on a page of language `lang`. */
export const loadWordlist = async (lang: Language): Promise<Wordlist> => (await LOADERS[lang]())[0]!;

const SCRIPTS: readonly [Language, RegExp][] = [
  ["ko", /\p{Script=Hangul}/u],
  ["zh", /\p{Script=Han}/u],
  ["en", /\p{Script=Latin}/u],
];

/**
 * The one list a typed phrase can be in, by the script most of its words are written in: Hangul is
 * Korean, Han ideographs Simplified Chinese, Latin letters English. A codename's words all come from one
 * list, so words in another script are wrong whichever list is tried, and only one list is ever loaded
 * (each costs kilobytes on a slow link). Nothing recognisable needs no list: no word can match.
 */
export function languageOfPhrase(phrase: string): Language | null {
  const words = phraseWords(phrase);
  let best: { lang: Language; count: number } | null = null;
  for (const [lang, script] of SCRIPTS) {
    const count = words.filter((w) => script.test(w)).length;
    if (count > 0 && (best === null || count > best.count)) best = { lang, count };
  }
  return best?.lang ?? null;
}

/** Decodes a typed phrase, loading only the word list its script calls for. Throws `CodenameError`. */
export async function decodePhrase(phrase: string): Promise<Uint8Array> {
  const lang = languageOfPhrase(phrase);
  return phraseToCodename(phrase, lang === null ? [] : await LOADERS[lang]());
}

export { CodenameError };
