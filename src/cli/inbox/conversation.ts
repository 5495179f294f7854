// One source's conversation in the order it happened. The server keeps only days, so within a day the
// order comes from what the vault knows: a follow-up follows the submission it follows up (network.ts), and
// a reply answers the source's latest submission the editor held when writing it (services/replies.ts), so
// it comes right after that submission and before anything the source sent later that day. Notes close the
// day, in the order they combine.
import type { OpenedSubmission, SourceView } from "../network.js";
import type { AttachmentRow, ConversationItem } from "./wire.js";

/** Raster types a preview can show; never SVG or anything else that can carry script or links. */
export const PREVIEW_TYPES: Readonly<Record<string, string>> = { "image/png": "image/png", "image/jpeg": "image/jpeg", "image/gif": "image/gif", "image/webp": "image/webp" };

export const attachmentRows = (s: OpenedSubmission): AttachmentRow[] =>
  s.envelope.attachments.map((a, position) => ({ position, name: a.name, type: a.type, size: a.size, sha256: a.sha256 ?? null, previewable: a.type.toLowerCase() in PREVIEW_TYPES }));

export function conversationOf(source: SourceView, pseudonymOf: (submissionId: string) => string | null): ConversationItem[] {
  const index = new Map(source.submissions.map((s, i) => [s.id, i]));
  const ranked: { day: string; rank: number; item: ConversationItem }[] = [];
  for (const [i, s] of source.submissions.entries()) {
    ranked.push({
      day: s.day,
      rank: 2 * i + 1,
      item: { type: s.envelope.kind, id: s.id, day: s.day, desk: s.desk, message: s.envelope.message, fields: s.envelope.fields, attachments: attachmentRows(s), canReply: s.envelope.reply !== null },
    });
  }
  for (const r of source.replies) {
    const answered = r.reply.inReplyTo === null ? undefined : index.get(r.reply.inReplyTo);
    const sameDay = answered !== undefined && source.submissions[answered]!.day === r.day;
    ranked.push({
      day: r.day,
      // Right after the submission it answers; a reply to an earlier day's submission opens its own day.
      rank: sameDay ? 2 * answered + 2 : 0,
      item: { type: "reply", id: r.id, day: r.day, from: r.reply.from, message: r.reply.message, author: r.signature.verified ? r.signature.author.name : null, verified: r.signature.verified, inReplyTo: r.reply.inReplyTo },
    });
  }
  for (const n of source.notes) {
    const { tags, reliability, credibility, text, links } = n.note;
    ranked.push({
      day: n.day,
      rank: Number.MAX_SAFE_INTEGER,
      item: {
        type: "note",
        id: n.id,
        day: n.day,
        author: n.signature.verified ? n.signature.author.name : null,
        verified: n.signature.verified,
        tags,
        reliability,
        credibility,
        text,
        links: links.map((l) => ({ ...l, source: pseudonymOf(l.submission) })),
      },
    });
  }
  // Stable: items of equal day and rank (replies to one submission, notes) keep the vault's order.
  return ranked.sort((a, b) => a.day.localeCompare(b.day) || a.rank - b.rank).map((r) => r.item);
}
