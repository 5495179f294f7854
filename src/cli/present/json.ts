// The --json view. JSON.stringify escapes C0 controls but writes DEL, C1 controls (U+0080–U+009F, which
// some terminals obey: U+009B is CSI) and bidi controls raw; here they leave as \uXXXX escapes too, so a
// script reads the same strings while a terminal that shows the output obeys none of them.
import type { Io } from "../io.js";

const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** `value` as indented JSON in which every control character is escaped. */
export function toJson(value: unknown): string {
  // Outside strings JSON holds only ASCII punctuation, digits, letters and whitespace, so every match is
  // inside a string, where an escape means the same character.
  return JSON.stringify(value, null, 2).replace(UNSAFE_IN_JSON, escape);
}

export function printJson(io: Io, value: unknown): void {
  io.out(toJson(value));
}
