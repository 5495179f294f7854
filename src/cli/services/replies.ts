// Replying to a source: signed by its author and sealed to the source's reply recipient and to the editors
// of the conversation's desk as the verified roster names them (services/seal-message.ts), so that desk can
// read what was said and who said it; stored under the mailbox the source's codename opens. The server can
// neither read the reply nor link it to the submission it answers.
import { toBase64 } from "../../core/bytes.js";
import { credentialHash } from "../../core/derive.js";
import { MESSAGE_LIMITS, type Reply } from "../../core/messages.js";
import { coarseDay } from "../../core/time.js";
import { findDesk, localName } from "../../core/roster.js";
import { itemReceipt } from "../../core/wire.js";
import { CliError } from "../errors.js";
import type { OpenedSubmission, Subject } from "../network.js";
import { type DeskView, resolveSubject } from "./desk.js";
import { requireRoster } from "./recipients.js";
import { messageAuthor, sealMessage } from "./seal-message.js";
import { type EditorSession, withVault } from "./session.js";

export const NO_CODENAME = "this source did not keep a codename; they cannot receive replies";

/** Refuses a reply the source's page could not show: empty, or longer than a reply holds. */
export function checkReplyMessage(message: string): void {
  if (message.trim() === "") throw new CliError("the reply is empty; nothing was sent", 1, "reply_empty");
  if (message.length > MESSAGE_LIMITS.maxReplyChars) throw new CliError(`the reply is ${message.length} characters; at most ${MESSAGE_LIMITS.maxReplyChars} fit`);
}

/** The submission a reply answers: the one named, or a named source's latest that carries a reply channel. */
export function answeredSubmission(found: Subject): OpenedSubmission {
  if (found.type === "submission") {
    if (!found.submission) throw new CliError(`submission ${found.id} is not encrypted to your key; you cannot see where to reply`);
    return found.submission;
  }
  // Every submission of a source carries the same reply channel; answer the latest.
  const withChannel = found.source.submissions.filter((s) => s.envelope.reply !== null);
  if (withChannel.length === 0) {
    throw new CliError(found.source.submissions.length === 0 ? `you hold no submission from ${found.source.pseudonym} that you can read; run \`sealdrop pull\`` : NO_CODENAME);
  }
  return withChannel[withChannel.length - 1]!;
}

export interface SentReply {
  id: string;
  day: string;
  /** The source's pseudonym. */
  to: string;
  inReplyTo: { id: string; day: string };
}

/**
 * Sends `message` to the source `to` names (a pseudonym or submission id, or a prefix of either) and
 * keeps the sealed reply in the sender's vault at once; colleagues get it with their next pull.
 */
export async function sendReply(session: EditorSession, view: DeskView, input: { to: string; message: string }): Promise<SentReply> {
  checkReplyMessage(input.message);
  const answered = answeredSubmission(resolveSubject(input.to, view));
  const channel = answered.envelope.reply;
  if (!channel) throw new CliError(NO_CODENAME);

  const { api, editor } = session;
  const { roster } = await requireRoster(session);
  const desk = answered.desk;
  const deskNames = findDesk(roster.state, desk)?.names;
  if (!deskNames) throw new CliError(`desk ${desk} is not in the newsroom's roster`, 1, "unknown_desk");

  const reply: Reply = { v: 1, kind: "reply", message: input.message, from: localName(deskNames, "en"), to: channel.recipient, inReplyTo: answered.id, day: coarseDay(new Date()) };
  const { ciphertext } = await sealMessage(roster, messageAuthor(editor), reply, desk);
  const stored = await api.post(
    "/api/editor/replies",
    { mailbox: channel.mailbox.id, credentialHash: credentialHash(channel.mailbox.credential), ciphertext: toBase64(ciphertext), desk },
    itemReceipt,
  );
  await withVault(session.home, (vault) => vault.putItem("replies", { id: stored.id, day: stored.day, size: ciphertext.length, data: ciphertext }));
  return { id: stored.id, day: stored.day, to: answered.pseudonym, inReplyTo: { id: answered.id, day: answered.day } };
}
