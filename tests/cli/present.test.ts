// The views' two guards against a hostile string: text views strip what a terminal would obey, and the
// --json view escapes it, so a script still reads the string whole.
import { describe, expect, it } from "vitest";
import { toJson } from "../../src/cli/present/json.js";
import { firstLine, inlineSafe, terminalSafe } from "../../src/cli/text.js";

const CONTROLS = "\u001b\u007f\u0085\u009b\u009f\u061c\u200e\u200f\u202a\u202e\u2066\u2069";

describe("views of hostile strings", () => {
  it("--json escapes C0, DEL, C1 and bidi controls and parses back to the same string", () => {
    const value = { name: `a${CONTROLS}b`, list: [`\u2028x\u2029`] };
    const text = toJson(value);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    expect(text).toContain("\\u001b\\u007f\\u0085\\u009b\\u009f\\u061c\\u200e\\u200f\\u202a\\u202e\\u2066\\u2069");
    expect(JSON.parse(text)).toEqual(value);
  });

  it("text views drop bidi marks as well as controls, and a field stays on its line", () => {
    expect(terminalSafe(`a${CONTROLS}b`)).toBe("ab");
    expect(inlineSafe("desk\nforged line\tx\r\ny")).toBe("desk forged line x y");
  });

  it("the first line of a message is the plain definition's, however it is cut: checked on random text", () => {
    // The plain definition, over the whole text: firstLine only strips and counts as much as it shows.
    const plain = (text: string, max: number): string => {
      const strip = (t: string) => t.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, "");
      const line = text.split(/\r\n?|\n/).map((l) => strip(l).replace(/\t/g, " ").trim()).find((l) => l !== "") ?? "";
      const chars = [...line];
      return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : line;
    };
    const pieces = ["a", "b", " ", "\t", "\n", "\r", "\u202e", "\u0007", "é", "😀", "\ud800", "\udc00", "한", "\u0085", "\u00a0"];
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 20_000; i++) {
      const length = Math.floor(random() * (random() < 0.2 ? 700 : 70));
      let text = "";
      for (let k = 0; k < length; k++) text += pieces[Math.floor(random() * pieces.length)];
      const max = [1, 2, 5, 60][i % 4]!;
      expect(firstLine(text, max)).toBe(plain(text, max));
      expect(inlineSafe(text)).toBe(terminalSafe(text).replace(/[\n\t]/g, " "));
    }
  });
});
