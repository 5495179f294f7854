// Language choice and message lookup. The language comes from `?lang=` (set by the switcher links),
// else from the browser's preferences; nothing is ever stored.
import { en, type Catalogue, type MessageKey } from "./en.js";
import { ko } from "./ko.js";
import { zh } from "./zh.js";

export type { Catalogue, MessageKey };

export const LANGUAGES = ["en", "ko", "zh"] as const;
export type Language = (typeof LANGUAGES)[number];

export const CATALOGUES: Readonly<Record<Language, Catalogue>> = { en, ko, zh };

/** The BCP 47 tag for the `lang` attribute: the Chinese catalogue is Simplified script. */
export const LANGUAGE_TAGS: Readonly<Record<Language, string>> = { en: "en", ko: "ko", zh: "zh-Hans" };

const isLanguage = (s: string): s is Language => (LANGUAGES as readonly string[]).includes(s);

/** `?lang=` wins; otherwise the first of the browser's preferred languages we have a catalogue for. */
export function chooseLanguage(search: string, preferred: readonly string[]): Language {
  const requested = new URLSearchParams(search).get("lang");
  if (requested !== null && isLanguage(requested)) return requested;
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split("-")[0] ?? "";
    if (isLanguage(primary)) return primary;
  }
  return "en";
}

/** Fills `{name}` placeholders; a placeholder with no value is left visible rather than dropped. */
export function format(template: string, values: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

export type Translate = (key: MessageKey, values?: Readonly<Record<string, string | number>>) => string;

export function translator(lang: Language): Translate {
  const catalogue = CATALOGUES[lang];
  return (key, values) => format(catalogue[key], values);
}
