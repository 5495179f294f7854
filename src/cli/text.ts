// Untrusted text on the terminal. A message from a source, or a name or error the server sends, could carry
// escape sequences that rewrite the screen, set the window title, or worse on some terminals, and bidi
// controls that make text read differently from what it is. Every control character but newline and tab
// is stripped: C0, DEL, C1 and Unicode's Bidi_Control characters.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export const terminalSafe = (text: string): string => text.replace(/\r\n?/g, "\n").replace(CONTROL, "");

/** Terminal-safe text for one field of a line (a name, a desk): newlines and tabs become spaces. */
export const inlineSafe = (text: string): string => terminalSafe(text).replace(/[\n\t]/g, " ");

/** The first non-empty line, shortened to `max` characters, on one line. */
export function firstLine(text: string, max = 60): string {
  // Line by line rather than the whole text at once: `list` takes the first line of every message.
  const breaks = /\r\n?|\n/g;
  let line = "";
  for (let at = 0; at <= text.length; ) {
    const found = breaks.exec(text);
    const end = found ? found.index : text.length;
    const candidate = terminalSafe(text.slice(at, end));
    if (candidate.trim() !== "") {
      line = candidate.replace(/\t/g, " ").trim();
      break;
    }
    if (!found) break;
    at = breaks.lastIndex;
  }
  if (line.length <= max) return line; // never more characters than UTF-16 units
  const chars = [...line];
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : line;
}
