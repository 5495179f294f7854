// One source's conversation in the order it happened. The server keeps only days, so within a day the
// order is the one `sealdrop source` shows (services/desk.ts inConversationOrder): the order items reached
// this vault, by its local arrival number (vault v4), with a day's follow-ups after its first submissions
// (network.ts). A submission, the reply written to it and a follow-up pulled later on the same day appear
// as they happened, whatever the reply answers.
import type { OpenedSubmission, SourceView } from "../network.js";
import { inConversationOrder } from "../services/desk.js";
import type { AttachmentRow, ConversationItem } from "./wire.js";

/** Raster types a preview can show; never SVG or anything else that can carry script or links. */
export const PREVIEW_TYPES: Readonly<Record<string, string>> = { "image/png": "image/png", "image/jpeg": "image/jpeg", "image/gif": "image/gif", "image/webp": "image/webp" };

export const attachmentRows = (s: OpenedSubmission): AttachmentRow[] =>
  s.envelope.attachments.map((a, position) => ({ position, name: a.name, type: a.type, size: a.size, sha256: a.sha256 ?? null, previewable: a.type.toLowerCase() in PREVIEW_TYPES }));

export function conversationOf(source: SourceView, pseudonymOf: (submissionId: string) => string | null): ConversationItem[] {
  const items: ConversationItem[] = [
    ...source.submissions.map((s): ConversationItem => ({
      type: s.envelope.kind,
      id: s.id,
      day: s.day,
      desk: s.desk,
      message: s.envelope.message,
      fields: s.envelope.fields,
      attachments: attachmentRows(s),
      canReply: s.envelope.reply !== null,
    })),
    ...source.replies.map((r): ConversationItem => ({
      type: "reply",
      id: r.id,
      day: r.day,
      from: r.reply.from,
      message: r.reply.message,
      author: r.signature.verified ? r.signature.author.name : null,
      verified: r.signature.verified,
      inReplyTo: r.reply.inReplyTo,
    })),
    ...source.notes.map((n): ConversationItem => {
      const { tags, reliability, credibility, text, links } = n.note;
      return {
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
      };
    }),
  ];
  return inConversationOrder(source, items);
}
