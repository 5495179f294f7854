// Replying to a source: sealed to the source's reply recipient and to the desk's editors, so the whole desk
// can read what was said, and stored under the mailbox the source's codename opens. The server can neither
// read the reply nor link it to the submission it answers.
import { toBase64 } from "../../core/bytes.js";
import { assertOneKeyKind, KEY_KIND_NAMES, keyKindOf, MixedKeyKindsError } from "../../core/age.js";
import { credentialHash } from "../../core/derive.js";
import { MESSAGE_LIMITS, type Reply, replySchema, sealJson } from "../../core/messages.js";
import { coarseDay } from "../../core/time.js";
import { itemReceipt, newsroomResponse } from "../../core/wire.js";
import { SealdropApi } from "../api.js";
import { CliError } from "../errors.js";
import type { OpenedSubmission, Subject } from "../network.js";
import { type DeskView, resolveSubject } from "./desk.js";
import { type EditorSession, withVault } from "./session.js";

export const NO_CODENAME = "this source did not keep a codename; they cannot receive replies";

/** Refuses a reply the source's page could not show: empty, or longer than a reply holds. */
export function checkReplyMessage(message: string): void {
  if (message.trim() === "") throw new CliError("the reply is empty");
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
  const newsroom = await new SealdropApi(api.base).get("/api/newsroom", newsroomResponse);
  const desk = newsroom.desks.find((d) => d.id === answered.desk);
  if (!desk) throw new CliError(`the desk ${answered.desk} no longer exists on the server; the reply has no one to share it with`);
  const recipients = [...new Set([channel.recipient, ...desk.recipients, editor.ageRecipient])];
  try {
    assertOneKeyKind(recipients);
  } catch (e) {
    if (!(e instanceof MixedKeyKindsError)) throw e;
    throw new CliError(`the source's reply key is ${KEY_KIND_NAMES[keyKindOf(channel.recipient)]} but the desk's keys are not; age cannot mix them in one file`);
  }

  const reply: Reply = { v: 1, kind: "reply", message: input.message, from: desk.name, to: channel.recipient, inReplyTo: answered.id, day: coarseDay(new Date()) };
  const ciphertext = await sealJson(replySchema, reply, recipients);
  const stored = await api.post(
    "/api/editor/replies",
    { mailbox: channel.mailbox.id, credentialHash: credentialHash(channel.mailbox.credential), ciphertext: toBase64(ciphertext) },
    itemReceipt,
  );
  await withVault(session.home, (vault) => vault.putItem("replies", { id: stored.id, day: stored.day, size: ciphertext.length, data: ciphertext }));
  return { id: stored.id, day: stored.day, to: answered.pseudonym, inReplyTo: { id: answered.id, day: answered.day } };
}
