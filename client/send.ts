// The heavy half of sending a tip: codenames, key derivation and encryption (age, ML-KEM, the word
// lists). Loaded by the form with import() once it is on screen, so a slow link shows the form first.
import { codenameToPhrase, newCodenameEntropy } from "../src/core/codename.js";
import { deriveSourceKeys, keyKindOf } from "../src/core/derive.js";
import type { ReplyChannel } from "../src/core/envelope.js";
import type { Language } from "../src/i18n/index.js";
import type { Desk } from "./tip.js";
import { loadWordlist } from "./wordlists.js";

export { submitTip } from "./submit.js";

/** The reply channel a codename gives, and the words that show it (only for a new codename). */
export interface Channel {
  reply: ReplyChannel;
  words: string[] | null;
}

/**
 * A new codename for a first submission: fresh entropy, the keys it derives (of the kind the desk's
 * keys are: age cannot mix them) and its words in the page's language. The word list is loaded before
 * anything is sent, so a failed load can never leave a stored tip whose codename the page cannot show.
 */
export async function newChannel(lang: Language, desk: Desk): Promise<Channel> {
  const entropy = newCodenameEntropy();
  const [keys, wordlist] = await Promise.all([deriveSourceKeys(entropy, keyKindOf(desk.recipients[0] ?? "")), loadWordlist(lang)]);
  const words = codenameToPhrase(entropy, wordlist).split(" ");
  entropy.fill(0);
  return { reply: { recipient: keys.replyRecipient, mailbox: { id: keys.mailboxId, credential: keys.mailboxCredential } }, words };
}
