// Text views of `pull`: one progress line per submission fetched, and the summary.
import type { PullStep, PullSummary } from "../services/sync.js";
import { inlineSafe } from "../text.js";

export function pullStepLine(s: PullStep): string {
  const what = `${s.envelope ? "envelope" : ""}${s.envelope && s.attachments ? " + " : ""}${s.attachments ? `${s.attachments} attachment(s)` : ""}`;
  return `[${s.index}/${s.of}] ${inlineSafe(s.id.slice(0, 8))} ${inlineSafe(s.desk)} ${inlineSafe(s.day)}: ${what}`;
}

export function pullSummaryText(s: PullSummary): string {
  return `${s.newSubmissions} new submission(s), ${s.newAttachments} new attachment(s), ${s.newReplies} new reply(s) to sources, ${s.newNotes} new desk note(s) (${s.bytes} bytes of ciphertext); ${s.onServer} submission(s) on the server.`;
}
