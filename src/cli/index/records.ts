// What the vault index keeps of one vault item: its listing (kind, id, arrival number, day, desk, size) and
// what decrypting it gave, or why it did not open. Submissions keep their whole envelope (message, fields,
// attachment list, reply channel: the views and `reply` need them); replies and notes keep their signed
// JSON as it was, because whether a signature counts depends on the roster the reader holds today, so
// they are verified again every time the desk is opened (../network.ts), never taken from the index.
import { createHash } from "node:crypto";
import { fromUtf8 } from "../../core/bytes.js";
import { type Envelope, envelopeFromPlaintext } from "../../core/envelope.js";
import { unpad } from "../../core/padding.js";
import { pseudonymFor } from "../../core/pseudonym.js";
import type { VaultEntry } from "../vault.js";
import type { Decrypted } from "./decrypt-pool.js";

/** `pseudonym`: the source's, for an envelope with a reply channel (named once, when indexed). */
export type SubmissionRecord = VaultEntry & { kind: "submission" } & ({ envelope: Envelope; pseudonym?: string } | { error: string });
/** `raw` is the decrypted JSON, unchecked; null when it did not open (another key, damaged). */
export type MessageRecord = VaultEntry & { kind: "reply" | "note"; raw: unknown };
export type IndexRecord = SubmissionRecord | MessageRecord;

const nativeSha256 = (data: Uint8Array): Uint8Array => createHash("sha256").update(data).digest();

/** A source's pseudonym from its reply recipient (docs/FORMAT.md "Pseudonym"), hashed with Node's SHA-256. */
export const pseudonymOfRecipient = (recipient: string): string => pseudonymFor(recipient, nativeSha256);

/** Why a submission does not open, in the words `list` shows. */
export const NOT_FOR_YOUR_KEY = "not encrypted to your key";

/** The record for a vault item, from what decrypting its ciphertext gave. */
export function recordOf(entry: VaultEntry, decrypted: Decrypted): IndexRecord {
  if (entry.kind === "submission") {
    if (!decrypted.ok) return { ...entry, kind: "submission", error: decrypted.notForKey ? NOT_FOR_YOUR_KEY : `cannot decrypt: ${decrypted.message}` };
    try {
      const envelope = envelopeFromPlaintext(unpad(decrypted.plaintext));
      return { ...entry, kind: "submission", envelope, ...(envelope.reply ? { pseudonym: pseudonymOfRecipient(envelope.reply.recipient) } : {}) };
    } catch (e) {
      return { ...entry, kind: "submission", error: `cannot decrypt: ${(e as Error).message}` };
    }
  }
  let raw: unknown = null;
  if (decrypted.ok) {
    try {
      raw = JSON.parse(fromUtf8(unpad(decrypted.plaintext)));
    } catch {
      raw = null;
    }
  }
  return { ...entry, kind: entry.kind, raw };
}

/** Whether a record still describes the vault's item: same arrival, listing and size (a vault row is never rewritten). */
export const sameItem = (r: VaultEntry, e: VaultEntry): boolean =>
  r.kind === e.kind && r.id === e.id && r.seq === e.seq && r.day === e.day && r.desk === e.desk && r.size === e.size;
