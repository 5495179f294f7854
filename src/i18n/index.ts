// Language choice and message lookup. The language comes from `?lang=` (set by the switcher links),
// else from the browser's preferences; nothing is ever stored.
import { en, type Catalogue, type MessageKey } from "./en.js";
import { ko } from "./ko.js";
import { format, type Language } from "./languages.js";
import { zh } from "./zh.js";

export type { Catalogue, MessageKey };
export { chooseLanguage, format, LANGUAGE_TAGS, LANGUAGES, type Language } from "./languages.js";

export const CATALOGUES: Readonly<Record<Language, Catalogue>> = { en, ko, zh };

export type Translate = (key: MessageKey, values?: Readonly<Record<string, string | number>>) => string;

export function translator(lang: Language): Translate {
  const catalogue = CATALOGUES[lang];
  return (key, values) => format(catalogue[key], values);
}
