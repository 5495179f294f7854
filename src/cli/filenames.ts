// Safe local names for attachments. A file name comes from the source's envelope, so it is untrusted: it
// must not escape the output folder, hide as a dotfile, smuggle control or bidi-override characters (which
// can disguise "gpj.exe" as "exe.jpg"), or collide with another attachment's name.

const MAX_NAME_BYTES = 200;
// C0 and C1 controls, DEL, and the Unicode format characters that reorder or hide text.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
const SEPARATORS = /[/\\:*?"<>|]/g;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

function truncateUtf8(s: string, maxBytes: number): string {
  let out = "";
  for (const ch of s) {
    if (utf8Length(out + ch) > maxBytes) break;
    out += ch;
  }
  return out;
}

/** One attachment name made safe to create inside a folder; `fallback` is used when nothing is left. */
export function sanitizeFileName(name: string, fallback: string): string {
  let s = name.normalize("NFC").replace(UNSAFE, "").replace(SEPARATORS, "_").trim();
  // No leading dots (hidden files, "..") and no trailing dots or spaces (Windows drops them).
  s = s.replace(/^[.\s]+/, "").replace(/[.\s]+$/, "");
  if (WINDOWS_RESERVED.test(s)) s = `_${s}`;
  if (utf8Length(s) > MAX_NAME_BYTES) {
    const dot = s.lastIndexOf(".");
    const ext = dot > 0 && s.length - dot <= 16 ? s.slice(dot) : "";
    s = truncateUtf8(s.slice(0, s.length - ext.length), MAX_NAME_BYTES - utf8Length(ext)) + ext;
  }
  return s === "" ? fallback : s;
}

/** Adds " (2)", " (3)", … before the extension until the name is not in `taken` (compared case-insensitively). */
export function dedupeFileName(name: string, taken: Set<string>): string {
  const key = (n: string) => n.toLowerCase();
  if (!taken.has(key(name))) {
    taken.add(key(name));
    return name;
  }
  const dot = name.lastIndexOf(".");
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
  for (let i = 2; ; i++) {
    const candidate = `${stem} (${i})${ext}`;
    if (!taken.has(key(candidate))) {
      taken.add(key(candidate));
      return candidate;
    }
  }
}

/** Safe, distinct names for a list of attachment names, in order. */
export function attachmentFileNames(names: readonly string[], taken: Set<string> = new Set()): string[] {
  return names.map((n, i) => dedupeFileName(sanitizeFileName(n, `attachment-${i + 1}`), taken));
}
