// Decoding a typed codename on the page: the script picks the one word list to load, and the vector in
// docs/FORMAT.md decodes the same in every language, typed as people type.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { CodenameError, decodePhrase, languageOfPhrase } from "../../client/wordlists.js";
import { toHex } from "../../src/core/bytes.js";

const FORMAT = await readFile(new URL("../../docs/FORMAT.md", import.meta.url), "utf8");
const vector = JSON.parse(/```json vector:codename\n([\s\S]*?)```/.exec(FORMAT)![1]!) as { entropyHex: string; phrases: Record<"en" | "ko" | "zh", string> };

describe("a typed codename on the page", () => {
  it("chooses the word list by script: Hangul Korean, Han Chinese, Latin English", () => {
    expect(languageOfPhrase(vector.phrases.ko)).toBe("ko");
    expect(languageOfPhrase(vector.phrases.zh)).toBe("zh");
    expect(languageOfPhrase(vector.phrases.zh.replace(/ /g, ""))).toBe("zh");
    expect(languageOfPhrase(vector.phrases.en.toUpperCase())).toBe("en");
  });

  it("takes the script most words are in when scripts are mixed, and none when none is recognisable", () => {
    const ko = vector.phrases.ko.split(" ");
    expect(languageOfPhrase([...ko.slice(0, 10), "left", "spare"].join(" "))).toBe("ko");
    expect(languageOfPhrase("12 34 56 ?? !!")).toBeNull();
  });

  it("decodes the FORMAT.md vector in every language, as people type it", async () => {
    for (const phrase of [
      vector.phrases.en,
      ` ${vector.phrases.en.toUpperCase().replace(/ /g, "  ")}\n`,
      vector.phrases.ko,
      vector.phrases.ko.normalize("NFD").replace(/ /g, "\u3000"),
      vector.phrases.zh,
      vector.phrases.zh.replace(/ /g, ""),
    ]) {
      expect(toHex(await decodePhrase(phrase)), phrase).toBe(vector.entropyHex);
    }
  });

  it("says which words are wrong, including words of another language", async () => {
    const ko = vector.phrases.ko.split(" ");
    const mixed = [...ko.slice(0, 10), "left", "spare"].join(" ");
    await expect(decodePhrase(mixed)).rejects.toMatchObject({ reason: "unknown_word", positions: [11, 12] });
    await expect(decodePhrase(Array(12).fill("1234").join(" "))).rejects.toBeInstanceOf(CodenameError);
    await expect(decodePhrase(ko.slice(1).join(" "))).rejects.toMatchObject({ reason: "word_count" });
  });
});
