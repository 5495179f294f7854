// The views' two guards against a hostile string: text views strip what a terminal would obey, and the
// --json view escapes it, so a script still reads the string whole.
import { describe, expect, it } from "vitest";
import { toJson } from "../../src/cli/present/json.js";
import { inlineSafe, terminalSafe } from "../../src/cli/text.js";

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
});
