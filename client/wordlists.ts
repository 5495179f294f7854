// The codename word lists, loaded only when needed: each is a few kilobytes gzipped, and most visits
// need none. `import()` makes each a same-origin chunk under /assets/, which the CSP allows.
import { CodenameError, phraseToCodename } from "../src/core/codename.js";
import type { Language } from "./i18n/index.js";

type Wordlist = readonly string[];

const LOADERS: Readonly<Record<Language, () => Promise<Wordlist>>> = {
  en: () => import("@scure/bip39/wordlists/english.js").then((m) => m.wordlist),
  ko: () => import("@scure/bip39/wordlists/korean.js").then((m) => m.wordlist),
  zh: () => import("@scure/bip39/wordlists/simplified-chinese.js").then((m) => m.wordlist),
};

/** The word list a codename is shown in on a page of language `lang`. */
export const loadWordlist = (lang: Language): Promise<Wordlist> => LOADERS[lang]();

/**
 * Which lists a typed phrase may be in, by the scripts it uses: Hangul is Korean, Han ideographs are
 * Simplified Chinese, Latin letters English. Nothing recognisable (or a mix) tries them all.
 */
export function languagesOfPhrase(phrase: string): Language[] {
  const found: Language[] = [];
  if (/\p{Script=Hangul}/u.test(phrase)) found.push("ko");
  if (/\p{Script=Han}/u.test(phrase)) found.push("zh");
  if (/\p{Script=Latin}/u.test(phrase)) found.push("en");
  return found.length === 1 ? found : ["en", "ko", "zh"];
}

/** Decodes a typed phrase, loading only the word lists its script calls for. Throws `CodenameError`. */
export async function decodePhrase(phrase: string): Promise<Uint8Array> {
  const langs = languagesOfPhrase(phrase);
  const lists = await Promise.all(langs.map(loadWordlist));
  return phraseToCodename(phrase, lists);
}

export { CodenameError };
