// Text views of submissions: the vault's list, and one submission in full. Everything shown that came from
// a source, the server or a file passes through ../text.ts first.
import type { Envelope } from "../../core/envelope.js";
import { pseudonymFor } from "../../core/pseudonym.js";
import type { Io } from "../io.js";
import type { ReadSubmission, SavedAttachment } from "../services/attachments.js";
import type { SubmissionRow } from "../index/query.js";
import { inlineSafe, terminalSafe } from "../text.js";

export function printSubmissionList(io: Io, rows: SubmissionRow[]): void {
  if (rows.length === 0) return io.out("The vault is empty. Run `sealdrop pull` to fetch submissions.");
  // One write for the whole list (see printSources).
  io.out(
    rows
      .map((r) => {
        const text = r.firstLine ?? `(${r.error})`;
        const source = (r.source ?? "(no reply channel)").padEnd(20);
        return `${inlineSafe(r.id.slice(0, 12))}  ${inlineSafe(r.day)}  ${inlineSafe(r.desk).padEnd(14)} ${inlineSafe(source)} ${String(r.attachments).padStart(2)} att.  ${inlineSafe(text) || "(no message)"}`;
      })
      .join("\n"),
  );
  io.err(`${rows.length} submission(s). \`sealdrop read ID\` shows one (an id prefix is enough).`);
}

/** The --json view of `read`: never the mailbox credential. */
export function submissionJson({ submission, envelope, attachments }: ReadSubmission) {
  return {
    id: submission.id,
    desk: submission.desk,
    day: submission.day,
    kind: envelope.kind,
    lang: envelope.lang,
    client: envelope.client,
    message: envelope.message,
    fields: envelope.fields,
    source: envelope.reply ? pseudonymFor(envelope.reply.recipient) : null,
    reply: envelope.reply ? { recipient: envelope.reply.recipient, mailbox: envelope.reply.mailbox.id } : null,
    attachments,
  };
}

export function printSubmission(io: Io, { submission: s, envelope: e, attachments }: ReadSubmission): void {
  io.out(`Submission ${inlineSafe(s.id)}`);
  io.out(`Desk: ${inlineSafe(s.desk)}   Day: ${inlineSafe(s.day)}   Kind: ${inlineSafe(e.kind)}   Language: ${inlineSafe(e.lang) || "-"}`);
  io.out(e.reply ? `Source: ${pseudonymFor(e.reply.recipient)} (replies possible)` : "Source: unknown (no reply channel, replies not possible)");
  const fields = Object.entries(e.fields);
  if (fields.length > 0) {
    io.out("Fields:");
    for (const [k, v] of fields) io.out(`  ${inlineSafe(k)}: ${terminalSafe(v).replace(/\n/g, "\n    ")}`);
  }
  if (attachments.length > 0) {
    io.out("Attachments:");
    for (const a of attachments) io.out(`  ${a.position + 1}. ${attachmentLine(a)}`);
  }
  io.out("Message:");
  io.out(terminalSafe(e.message) || "(empty)");
}

function attachmentLine(a: SavedAttachment): string {
  const where = a.savedAs ? `saved as ${terminalSafe(a.savedAs)}` : `NOT SAVED: ${inlineSafe(a.error ?? "")}`;
  return `${inlineSafe(a.name)} (${inlineSafe(a.type) || "unknown type"}, ${a.size} bytes): ${where}`;
}

/** The failure `read` ends with when some attachments could not be saved. */
export function unsavedSummary(attachments: SavedAttachment[]): string | null {
  const failed = attachments.filter((a) => a.error !== undefined);
  if (failed.length === 0) return null;
  return `${failed.length} attachment(s) not saved: ${failed.map((a) => `#${a.position + 1} ${a.error}`).join("; ")}`;
}
