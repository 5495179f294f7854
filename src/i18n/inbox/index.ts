// The inbox's languages: English, Korean and Simplified Chinese. The page picks `?lang=`, else the
// browser's first preferred language it has, else English; the switcher changes it in memory only.
import { en, type InboxCatalogue, type InboxKey } from "./en.js";
import { ko } from "./ko.js";
import { zh } from "./zh.js";
import { chooseLanguage, format, LANGUAGE_TAGS, LANGUAGES, type Language } from "../languages.js";

export type { InboxCatalogue, InboxKey };
export const INBOX_LANGUAGES = LANGUAGES;
export type InboxLanguage = Language;
export const INBOX_CATALOGUES: Readonly<Record<InboxLanguage, InboxCatalogue>> = { en, ko, zh };
export const INBOX_LANGUAGE_TAGS = LANGUAGE_TAGS;
/** As the source page chooses (../languages.ts): `?lang=`, else the browser's first preferred language we have. */
export const chooseInboxLanguage = chooseLanguage;

export type InboxTranslate = (key: InboxKey, values?: Readonly<Record<string, string | number>>) => string;

/** Fills `{name}` placeholders; a placeholder with no value stays visible rather than vanishing. */
export function inboxTranslator(lang: InboxLanguage): InboxTranslate {
  const catalogue = INBOX_CATALOGUES[lang];
  return (key, values) => format(catalogue[key], values);
}
