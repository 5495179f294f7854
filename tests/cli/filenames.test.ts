// Attachment names come from sources: they must become harmless local file names.
import { describe, expect, it } from "vitest";
import { attachmentFileNames, sanitizeFileName } from "../../src/cli/filenames.js";
import { firstLine, terminalSafe } from "../../src/cli/text.js";

describe("attachment file names", () => {
  it.each([
    ["report.pdf", "report.pdf"],
    ["../../etc/passwd", "_.._etc_passwd"],
    ["..\\..\\windows\\system32", "_.._windows_system32"],
    ["/absolute/path.txt", "_absolute_path.txt"],
    [".bashrc", "bashrc"],
    ["...hidden", "hidden"],
    ["bad\u0000na\nme\u001b[31m.txt", "badname[31m.txt"],
    ["photo\u202egpj.exe", "photogpj.exe"],
    ["trailing dots...", "trailing dots"],
    ["CON", "_CON"],
    ["nul.txt", "_nul.txt"],
    ["a:b*c?d.doc", "a_b_c_d.doc"],
    ["  spaced  ", "spaced"],
    ["사진.jpg", "사진.jpg"],
  ])("%j becomes %j", (input, expected) => {
    expect(sanitizeFileName(input, "fallback")).toBe(expected);
  });

  it("falls back when nothing usable is left", () => {
    expect(sanitizeFileName("..", "attachment-3")).toBe("attachment-3");
    expect(sanitizeFileName("\u0000\u0001", "attachment-1")).toBe("attachment-1");
  });

  it("shortens long names to 200 bytes, keeping the extension", () => {
    const name = sanitizeFileName(`${"가".repeat(300)}.pdf`, "x");
    expect(new TextEncoder().encode(name).length).toBeLessThanOrEqual(200);
    expect(name.endsWith(".pdf")).toBe(true);
  });

  it("gives colliding names distinct suffixes, ignoring case", () => {
    expect(attachmentFileNames(["a.txt", "a.txt", "A.TXT", "../a.txt", "", ""])).toEqual([
      "a.txt",
      "a (2).txt",
      "A (3).TXT",
      "_a.txt",
      "attachment-5",
      "attachment-6",
    ]);
  });
});

describe("untrusted text on the terminal", () => {
  it("strips escape sequences and control characters but keeps newlines and tabs", () => {
    expect(terminalSafe("a\u001b]0;title\u0007b\r\nc\td\u009b")).toBe("a]0;titleb\nc\td");
  });

  it("shows the first non-empty line, shortened", () => {
    expect(firstLine("\n\n  hello\nworld")).toBe("hello");
    expect(firstLine("x".repeat(100), 10)).toBe(`${"x".repeat(9)}…`);
  });
});
