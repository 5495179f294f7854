// Every catalogue in src/i18n is complete: the same keys as English, no empty text, the same placeholders.
import { describe, expect, it } from "vitest";
import { CATALOGUES, chooseLanguage, format, LANGUAGES } from "../../src/i18n/index.js";
import { en } from "../../src/i18n/en.js";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe.each(LANGUAGES.filter((l) => l !== "en"))("the %s catalogue", (lang) => {
  const catalogue = CATALOGUES[lang];

  it("has exactly the English keys", () => {
    expect(Object.keys(catalogue).sort()).toEqual(Object.keys(en).sort());
  });

  it("has no empty or untrimmed strings", () => {
    for (const [key, value] of Object.entries(catalogue)) {
      expect(value.trim(), key).not.toBe("");
      expect(value, key).toBe(value.trim());
    }
  });

  it("uses the same placeholders as English in every message", () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) expect(placeholders(catalogue[key]), key).toEqual(placeholders(en[key]));
  });

  it("is actually translated, not English copied over", () => {
    // Messages made only of placeholders and units ("{name} ({size})", "{n} MB", "{n} KB") may stay as they are.
    const hasWords = (s: string) => /\p{L}/u.test(s.replace(/\{\w+\}/g, "").replace(/\b[KMG]B\b/g, ""));
    const same = (Object.keys(en) as (keyof typeof en)[]).filter((k) => catalogue[k] === en[k] && hasWords(en[k]));
    expect(same).toEqual([]);
  });
});

describe("the English catalogue", () => {
  it("has no empty strings", () => {
    for (const [key, value] of Object.entries(en)) expect(value.trim(), key).not.toBe("");
  });
});

describe("choosing the page language", () => {
  it("follows ?lang= over the browser's preference", () => {
    expect(chooseLanguage("?lang=ko", ["zh-CN"])).toBe("ko");
  });

  it("ignores an unknown ?lang= and falls back to the browser's preferences", () => {
    expect(chooseLanguage("?lang=xx", ["fr-FR", "zh-CN", "ko"])).toBe("zh");
  });

  it("defaults to English", () => {
    expect(chooseLanguage("", ["fr-FR"])).toBe("en");
  });
});

describe("format", () => {
  it("fills placeholders and leaves unknown ones visible", () => {
    expect(format("{n} of {total} {x}", { n: 1, total: 2 })).toBe("1 of 2 {x}");
  });
});
