// The inbox's languages: English, Korean and Simplified Chinese. The page picks `?lang=`, else the
// browser's first preferred language it has, else English; the switcher changes it in memory only.
import { en, type InboxCatalogue, type InboxKey } from "./en.js";
import { ko } from "./ko.js";
import { zh } from "./zh.js";

export type { InboxCatalogue, InboxKey };
export const INBOX_LANGUAGES = ["en", "ko", "zh"] as const;
export type InboxLanguage = (typeof INBOX_LANGUAGES)[number];
export const INBOX_CATALOGUES: Readonly<Record<InboxLanguage, InboxCatalogue>> = { en, ko, zh };
export const INBOX_LANGUAGE_TAGS: Readonly<Record<InboxLanguage, string>> = { en: "en", ko: "ko", zh: "zh-Hans" };

const isLanguage = (s: string): s is InboxLanguage => (INBOX_LANGUAGES as readonly string[]).includes(s);

export function chooseInboxLanguage(search: string, preferred: readonly string[]): InboxLanguage {
  const requested = new URLSearchParams(search).get("lang");
  if (requested !== null && isLanguage(requested)) return requested;
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split("-")[0] ?? "";
    if (isLanguage(primary)) return primary;
  }
  return "en";
}

export type InboxTranslate = (key: InboxKey, values?: Readonly<Record<string, string | number>>) => string;

/** Fills `{name}` placeholders; a placeholder with no value stays visible rather than vanishing. */
export function inboxTranslator(lang: InboxLanguage): InboxTranslate {
  const catalogue = INBOX_CATALOGUES[lang];
  return (key, values = {}) => catalogue[key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
