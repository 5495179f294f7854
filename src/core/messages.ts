// Plaintexts of replies and desk notes (docs/FORMAT.md, "Replies" and "Desk notes"). Like envelopes, each
// is padded JSON inside one age file; the server stores them without being able to read them.
import * as z from "zod/mini";
import { fromUtf8, ID_PATTERN, utf8 } from "./bytes.js";
import { openBytes, sealBytes } from "./envelope.js";
import { RELIABILITY } from "./grades.js";

const hexId = z.string().check(z.regex(ID_PATTERN));
const text = (max: number, min = 0) => z.string().check(z.minLength(min), z.maxLength(max));

/** How long a reply's message and a note's text may be, in UTF-16 code units (JavaScript's string length). */
export const MESSAGE_LIMITS = { maxReplyChars: 50_000, maxNoteTextChars: 50_000 } as const;
/** A note's tag: KEY:VALUE, KEY in a-z, a value of 1 to 81 characters that starts with no space. */
export const NOTE_TAG = /^[a-z]+:[^\s].{0,80}$/u;

export const replySchema = z.object({
  v: z.literal(1),
  kind: z.literal("reply"),
  message: text(MESSAGE_LIMITS.maxReplyChars, 1),
  /** Desk display name the source sees as the sender. */
  from: text(100),
  /** The source's reply recipient: lets editors place the reply on the right timeline. */
  to: z.string().check(z.startsWith("age1"), z.maxLength(4000)),
  /** The submission answered, if any (editors' bookkeeping; inside the ciphertext only). */
  inReplyTo: z.nullable(hexId),
  day: text(10),
});
export type Reply = z.infer<typeof replySchema>;

export { CREDIBILITY, RELIABILITY } from "./grades.js";

export const noteSchema = z.object({
  v: z.literal(1),
  kind: z.literal("note"),
  /** A source (by pseudonym) or one submission. */
  subject: z.discriminatedUnion("type", [
    z.object({ type: z.literal("source"), pseudonym: text(100, 1) }),
    z.object({ type: z.literal("submission"), id: hexId }),
  ]),
  tags: z.array(z.string().check(z.regex(NOTE_TAG))).check(z.maxLength(50)),
  /** Admiralty scale: source reliability A–F, information credibility 1–6. */
  reliability: z.nullable(z.enum(RELIABILITY)),
  credibility: z.nullable(z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5), z.literal(6)])),
  text: text(MESSAGE_LIMITS.maxNoteTextChars),
  links: z.array(z.object({ submission: hexId, relation: z.enum(["corroborates", "contradicts", "related"]) })).check(z.maxLength(100)),
  author: text(100),
  day: text(10),
  /**
   * When the author wrote it (ISO 8601, the editor's clock). An editor's time, not a source's, and only
   * inside the ciphertext: it orders same-day notes the same way on every editor's machine.
   */
  written: z.optional(text(40)),
  /**
   * Source-network model events (docs/FORMAT.md, "Source-network model"); absent in older notes. Each is
   * checked when the model is built (src/core/network/events.ts), so one bad event is reported, not fatal,
   * and the source page never loads the model's code.
   */
  model: z.optional(z.array(z.unknown()).check(z.maxLength(200))),
});
export type Note = z.infer<typeof noteSchema>;

export async function sealJson<T>(schema: z.ZodMiniType<T>, value: T, recipients: readonly string[]): Promise<Uint8Array> {
  return sealBytes(utf8(JSON.stringify(schema.parse(value))), recipients);
}

/** The decrypted JSON as it is, unchecked (a signature covers fields a schema would drop). */
export async function openRawJson(ciphertext: Uint8Array, identities: readonly string[]): Promise<unknown> {
  return JSON.parse(fromUtf8(await openBytes(ciphertext, identities)));
}

export async function openJson<T>(schema: z.ZodMiniType<T>, ciphertext: Uint8Array, identities: readonly string[]): Promise<T> {
  return schema.parse(await openRawJson(ciphertext, identities));
}
