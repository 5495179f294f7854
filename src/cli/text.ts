// Untrusted text on the terminal. A message from a source, or a name or error the server sends, could carry
// escape sequences that rewrite the screen, set the window title, or worse on some terminals, and bidi
// controls that make text read differently from what it is. Every control character but newline and tab
// is stripped: C0, DEL, C1 and Unicode's Bidi_Control characters.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** Anything terminalSafe or inlineSafe would change (CONTROL, with tab and newline): most text has none. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

export const terminalSafe = (text: string): string => (UNSAFE.test(text) ? text.replace(/\r\n?/g, "\n").replace(CONTROL, "") : text);

/** Terminal-safe text for one field of a line (a name, a desk): newlines and tabs become spaces. */
export const inlineSafe = (text: string): string => (UNSAFE.test(text) ? terminalSafe(text).replace(/[\n\t]/g, " ") : text);

/** The first non-empty line, shortened to `max` characters, on one line. */
export function firstLine(text: string, max = 60): string {
  // Line by line rather than the whole text at once, and of a long line only as much as is shown: `list`
  // takes the first line of every message. Stripping works character by character, so a stripped prefix of
  // a line is a prefix of the stripped line.
  const breaks = /\r\n?|\n/g;
  for (let at = 0; at <= text.length; ) {
    const found = breaks.exec(text);
    const end = found ? found.index : text.length;
    for (let window = 4 * max + 16; ; window *= 4) {
      const whole = at + window >= end;
      const line = terminalSafe(text.slice(at, whole ? end : at + window)).replace(/\t/g, " ").trim();
      if (whole) {
        if (line !== "") return shorten(line, max);
        break;
      }
      // Cut already, so more than `max` characters: the rest of the line would be cut off anyway.
      const shown = shorten(line, max);
      if (shown !== line) return shown;
    }
    if (!found) break;
    at = breaks.lastIndex;
  }
  return "";
}

/** `line` if it has at most `max` characters (code points), else its first `max - 1` and "…". */
function shorten(line: string, max: number): string {
  if (line.length <= max) return line; // never more characters than UTF-16 units
  // Counted as the string iterator counts: a surrogate pair is one character, a lone surrogate one too.
  const next = (at: number) => {
    const c = line.charCodeAt(at);
    const d = line.charCodeAt(at + 1);
    return at + (c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff ? 2 : 1);
  };
  let cut = 0;
  for (let n = 0; n < max - 1 && cut < line.length; n++) cut = next(cut);
  // max - 1 characters end at `cut`; one more ends the line exactly, or the line is longer than max.
  return cut < line.length && next(cut) < line.length ? `${line.slice(0, cut)}…` : line;
}
