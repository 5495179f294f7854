// The source's codename (docs/FORMAT.md, "Codename"): 128 bits of fresh entropy, shown as a 12-word BIP39
// phrase in the page's language. The words only encode the entropy, so a phrase typed in any supported
// list decodes to the same secret. Word lists are passed in, so the page can load only the one it shows.
import { entropyToMnemonic, mnemonicToEntropy } from "@scure/bip39";
import { randomBytes } from "./bytes.js";

export const CODENAME_ENTROPY_BYTES = 16;
export const CODENAME_WORDS = 12;

export type CodenameErrorReason = "word_count" | "unknown_word" | "checksum";

export class CodenameError extends Error {
  override name = "CodenameError";
  constructor(
    readonly reason: CodenameErrorReason,
    message: string,
    /** For `unknown_word`: the 1-based positions of words found in no list. */
    readonly positions: number[] = [],
  ) {
    super(message);
  }
}

export const newCodenameEntropy = (): Uint8Array => randomBytes(CODENAME_ENTROPY_BYTES);

export function codenameToPhrase(entropy: Uint8Array, wordlist: readonly string[]): string {
  if (entropy.length !== CODENAME_ENTROPY_BYTES) throw new RangeError("codename entropy must be 16 bytes");
  // Korean and Chinese lists are stored NFKD-decomposed; show composed text people can read and type.
  return entropyToMnemonic(entropy, wordlist as string[]).normalize("NFC");
}

/** Splits what a person typed: any whitespace (ideographic space included), any case, any Unicode form. */
export function phraseWords(phrase: string): string[] {
  return phrase
    .normalize("NFKD")
    .toLowerCase()
    .split(/[\s\u3000,.;、，。]+/u)
    .filter((w) => w.length > 0);
}

/**
 * Decodes a phrase typed in any of `wordlists`. Chinese phrases are often typed without spaces, so
 * a phrase of exactly 12 CJK characters is split into characters.
 */
export function phraseToCodename(phrase: string, wordlists: readonly (readonly string[])[]): Uint8Array {
  let words = phraseWords(phrase);
  if (words.length === 1 && [...words[0]!].length === CODENAME_WORDS) words = [...words[0]!];
  if (words.length !== CODENAME_WORDS) {
    throw new CodenameError("word_count", `A codename has ${CODENAME_WORDS} words; this has ${words.length}.`);
  }
  const lists = wordlists.map((l) => new Set(l.map((w) => w.normalize("NFKD"))));
  const best = lists.findIndex((set) => words.every((w) => set.has(w)));
  if (best < 0) {
    // Report words found in no list at all; if every word is known somewhere, the lists are mixed.
    const positions = words.flatMap((w, i) => (lists.some((set) => set.has(w)) ? [] : [i + 1]));
    throw new CodenameError("unknown_word", "Some words are not codename words.", positions.length ? positions : words.map((_, i) => i + 1));
  }
  try {
    return mnemonicToEntropy(words.join(" "), wordlists[best] as string[]);
  } catch {
    throw new CodenameError("checksum", "The words do not fit together: one may be wrong, or two swapped.");
  }
}
