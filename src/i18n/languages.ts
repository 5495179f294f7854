// The languages sealdrop speaks and how a page picks one, shared by the source page and the inbox; no
// catalogue is loaded here.
export const LANGUAGES = ["en", "ko", "zh"] as const;
export type Language = (typeof LANGUAGES)[number];

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
