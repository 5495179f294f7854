// What the source-network model refuses to keep, even encrypted (docs/THREAT-MODEL.md, "What the desk's
// model does not keep"): free text an editor writes into a note or a model event is checked for the
// patterns that identify or locate a person — phone numbers, handles, e-mail addresses, account or
// device ids, web addresses, times of day — before it is sealed. A finding is not proof (a year is four
// digits too); the editor sees each one and must confirm, and `assertSealable` is the gate every writer
// (CLI, inbox) goes through.

export const SENSITIVE_KINDS = ["phone", "email", "handle", "url", "account_id", "device_id", "time_of_day"] as const;
export type SensitiveKind = (typeof SENSITIVE_KINDS)[number];

export interface SensitiveFinding {
  kind: SensitiveKind;
  /** UTF-16 offset and length in the text, for highlighting. */
  index: number;
  length: number;
}

interface Pattern {
  kind: SensitiveKind;
  regex: RegExp;
  /** Extra check on the match (e.g. enough digits to be a phone number rather than a date). */
  accept?: (match: string) => boolean;
}

const digitCount = (s: string): number => (s.match(/\d/g) ?? []).length;
/** 2026-12-02, 2026.12.02, 12/02/2026: dates are allowed (days are the model's unit). */
const looksLikeDate = (s: string): boolean => /^\d{4}[-./]\d{1,2}[-./]\d{1,2}$|^\d{1,2}[-./]\d{1,2}[-./]\d{4}$/.test(s.trim());

// Order matters only for overlaps: earlier kinds win (an e-mail address is not also reported as a handle).
const PATTERNS: readonly Pattern[] = [
  { kind: "email", regex: /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu },
  { kind: "url", regex: /\b(?:https?:\/\/|www\.)\S+|\b[a-z0-9-]{2,}\.(?:onion|com|net|org|cn|kr|kp|ru|me|io)\b(?:\/\S*)?/giu },
  { kind: "account_id", regex: /\b(?:wxid_[a-z0-9_-]{4,}|qq\s*[:：]?\s*\d{5,11}|(?:wechat|weixin|kakao|telegram|signal|line|微信|카톡|카카오톡)\s*(?:id)?\s*[:：]\s*\S+)/giu },
  { kind: "handle", regex: /(?<![\p{L}\p{N}_])@[\p{L}\p{N}_.]{2,}/gu },
  // IMEI (15 digits), MAC addresses, long hex serials.
  { kind: "device_id", regex: /\b(?:\d{15}|(?:[0-9a-f]{2}[:-]){5}[0-9a-f]{2}|[0-9a-f]{16,})\b/giu },
  {
    kind: "phone",
    regex: /(?<![\p{N}])\+?\d[\d\s().-]{5,}\d(?![\p{N}])/gu,
    accept: (m) => digitCount(m) >= 7 && !looksLikeDate(m),
  },
  { kind: "time_of_day", regex: /(?<![\p{N}:])(?:[01]?\d|2[0-3])[:：h][0-5]\d(?![\p{N}])|\d{1,2}\s*시\s*\d{1,2}\s*분|\d{1,2}\s*[点點时時]\s*(?:\d{1,2}\s*分|半|钟|鐘)?|(?:새벽|아침|저녁|밤)\s*\d{1,2}\s*시|(?:凌晨|早上|晚上|夜里)\s*\d{1,2}/gu },
];

export function findSensitive(text: string): SensitiveFinding[] {
  const found: SensitiveFinding[] = [];
  const overlaps = (index: number, length: number) => found.some((f) => index < f.index + f.length && f.index < index + length);
  for (const pattern of PATTERNS) {
    for (const match of text.matchAll(pattern.regex)) {
      const value = match[0];
      const index = match.index ?? 0;
      if (pattern.accept && !pattern.accept(value)) continue;
      if (overlaps(index, value.length)) continue;
      found.push({ kind: pattern.kind, index, length: value.length });
    }
  }
  return found.sort((a, b) => a.index - b.index);
}

export class SensitiveTextError extends Error {
  readonly code = "sensitive_text_unconfirmed";
  constructor(readonly findings: SensitiveFinding[]) {
    super(`the text holds what may identify or locate a person (${[...new Set(findings.map((f) => f.kind))].join(", ")}): remove it, or confirm that it must be kept`);
    this.name = "SensitiveTextError";
  }
}

/**
 * The gate before sealing: throws unless the text has no finding or the editor confirmed these very
 * findings (the caller shows them, then passes `confirmed: true`).
 */
export function assertSealable(text: string, options: { confirmed?: boolean } = {}): SensitiveFinding[] {
  const findings = findSensitive(text);
  if (findings.length > 0 && options.confirmed !== true) throw new SensitiveTextError(findings);
  return findings;
}
