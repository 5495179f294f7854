// A source's codename on the page without JavaScript: typed in any of the word lists (or made here for a
// new source), turned into its keys for this one request and forgotten with it; the replies those keys
// open, decrypted for that answer only.
import { wordlist as english } from "@scure/bip39/wordlists/english.js";
import { wordlist as chinese } from "@scure/bip39/wordlists/simplified-chinese.js";
import { fromBase64 } from "../../core/bytes.js";
import { type CodenameError, codenameToPhrase, newCodenameEntropy, phraseToCodename, phraseWords } from "../../core/codename.js";
import { deriveSourceKeys, keyKindOf, type SourceKeys } from "../../core/derive.js";
import { openJson, type Reply, replySchema } from "../../core/messages.js";
import type { Language } from "../../i18n/index.js";
import type { Deps } from "../deps.js";
import { mailboxReplies } from "../routes/mailbox.js";
import { bip39Korean, sharedKorean } from "../../core/wordlists/korean.js";
import type { PageContext } from "./pages.js";

const WORDLISTS: Record<Language, readonly string[]> = { en: english, ko: sharedKorean, zh: chinese };
/** What a typed phrase may be in: the lists codenames are given in, and BIP39's Korean of earlier codenames. */
const DECODE_LISTS: readonly (readonly string[])[] = [...Object.values(WORDLISTS), bip39Korean];
/** Each list's words as typed input is compared (NFKD), to tell which list a phrase is in. */
const WORD_SETS = DECODE_LISTS.map((list) => ({ list, words: new Set(list.map((w) => w.normalize("NFKD"))) }));

export interface Keys {
  keys: SourceKeys;
  /** The codename in the words of its own list, as the follow-up form carries it back. */
  phrase: string;
}

/** The key kind of the newsroom's desks (the first recipient's): the source's keys follow it. */
const kindOf = (ctx: PageContext) => keyKindOf(ctx.newsroom.desks.find((d) => d.recipients.length > 0)?.recipients[0] ?? "");

/** Decodes a typed codename in any of the lists and derives its keys (of the newsroom's kind); CodenameError if it is not one. */
export async function keysOf(phrase: string, ctx: PageContext): Promise<Keys> {
  const entropy = phraseToCodename(phrase, DECODE_LISTS);
  try {
    const words = phraseWords(phrase);
    const list = WORD_SETS.find((s) => words.every((w) => s.words.has(w)))?.list ?? WORDLISTS[ctx.lang];
    return { keys: await deriveSourceKeys(entropy, kindOf(ctx)), phrase: codenameToPhrase(entropy, list) };
  } finally {
    entropy.fill(0);
  }
}

/** A new codename in the page's language, with its keys of the kind `recipient` is. */
export async function newKeys(lang: Language, recipient: string): Promise<Keys> {
  const entropy = newCodenameEntropy();
  try {
    return { keys: await deriveSourceKeys(entropy, keyKindOf(recipient)), phrase: codenameToPhrase(entropy, WORDLISTS[lang]) };
  } finally {
    entropy.fill(0);
  }
}

/** The replies the keys open; those that do not decrypt are counted, not shown. */
export async function openMailbox(deps: Deps, keys: Keys): Promise<{ replies: Reply[]; unreadable: number }> {
  const found = await mailboxReplies(deps, keys.keys.mailboxId, keys.keys.mailboxCredential);
  const replies: Reply[] = [];
  let unreadable = 0;
  for (const item of found) {
    try {
      replies.push(await openJson(replySchema, fromBase64(item.ciphertext), [keys.keys.replyIdentity]));
    } catch {
      unreadable++;
    }
  }
  return { replies, unreadable };
}

/** What is wrong with a typed codename, in the page's words. */
export function codenameProblem(ctx: PageContext, phrase: string, e: CodenameError): string {
  switch (e.reason) {
    case "word_count":
      return ctx.t("codenameWordCount", { n: phraseWords(phrase).length });
    case "unknown_word":
      return ctx.t("codenameUnknownWords", { positions: e.positions.join(", ") });
    case "checksum":
      return ctx.t("codenameChecksum");
  }
}
