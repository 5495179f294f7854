// `sealdrop reply`: answers a source through the mailbox its codename opens. The reply is sealed to the
// source's reply recipient and to the desk's editors, so the whole desk can read what was said.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { z } from "zod";
import { toBase64 } from "../../core/bytes.js";
import { credentialHash, keyKindOf } from "../../core/derive.js";
import { type Reply, replySchema, sealJson } from "../../core/messages.js";
import { coarseDay } from "../../core/time.js";
import { newsroomResponse } from "../../core/wire.js";
import { SealdropApi } from "../api.js";
import { HOME_OPTIONS, parseCommand } from "../args.js";
import { CliError, UsageError } from "../errors.js";
import { resolveHome } from "../home.js";
import type { Io } from "../io.js";
import { findSubject, type OpenedSubmission } from "../network.js";
import { editorApi, printJson, withVault } from "./common.js";
import { openDeskSession } from "./sources.js";

export const REPLY_HELP = `Usage: sealdrop reply (SUBMISSION_ID | PSEUDONYM) (--message TEXT | --message-file FILE) [options]

Sends a reply the source reads when they come back with their codename. Given a pseudonym (or a
unique prefix, any case), answers that source's latest submission that carries a reply channel;
given a submission id (or unique prefix), answers that submission. Encrypted to the source and to
the editors of the submission's desk; the server stores it under the source's mailbox without being
able to read it or link it to the submission. Run \`sealdrop pull\` first so the vault is current.

  --message TEXT          the reply
  --message-file FILE     read the reply from FILE (UTF-8)
  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --server URL            talk to this server instead of the one in your key
  --json                  print {id, day, to, inReplyTo}
`;

const OPTIONS = { ...HOME_OPTIONS, server: { type: "string" }, message: { type: "string" }, "message-file": { type: "string" }, json: { type: "boolean" } } as const;
export const NO_CODENAME = "this source did not keep a codename; they cannot receive replies";
const MAX_REPLY_CHARS = 50_000;

async function replyText(io: Io, values: { message?: string | undefined; "message-file"?: string | undefined }): Promise<string> {
  if ((values.message === undefined) === (values["message-file"] === undefined)) {
    throw new UsageError("sealdrop reply: give exactly one of --message and --message-file\nRun `sealdrop reply --help` for usage.");
  }
  let text = values.message;
  if (text === undefined) {
    const file = resolve(io.cwd, values["message-file"]!);
    try {
      text = await readFile(file, "utf8");
    } catch (e) {
      throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (text.trim() === "") throw new CliError("the reply is empty");
  if (text.length > MAX_REPLY_CHARS) throw new CliError(`the reply is ${text.length} characters; at most ${MAX_REPLY_CHARS} fit`);
  return text;
}

export async function replyCommand(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("reply", argv, OPTIONS, { min: 1, max: 1 });
  if (help) return io.out(REPLY_HELP);
  const message = await replyText(io, values);
  const { editor, desk, sources } = await openDeskSession(io, values);
  const found = findSubject(positionals[0]!, desk, sources);
  if ("error" in found) throw new CliError(found.error);

  let answered: OpenedSubmission;
  if (found.type === "submission") {
    if (!found.submission) throw new CliError(`submission ${found.id} is not encrypted to your key; you cannot see where to reply`);
    answered = found.submission;
  } else {
    // Every submission of a source carries the same reply channel; answer the latest.
    const withChannel = found.source.submissions.filter((s) => s.envelope.reply !== null);
    if (withChannel.length === 0) {
      throw new CliError(found.source.submissions.length === 0 ? `you hold no submission from ${found.source.pseudonym} that you can read; run \`sealdrop pull\`` : NO_CODENAME);
    }
    answered = withChannel[withChannel.length - 1]!;
  }
  const channel = answered.envelope.reply;
  if (!channel) throw new CliError(NO_CODENAME);

  const api = editorApi(editor, io, values.server);
  const newsroom = await new SealdropApi(api.base).get("/api/newsroom", newsroomResponse);
  const deskInfo = newsroom.desks.find((d) => d.id === answered.desk);
  if (!deskInfo) throw new CliError(`the desk ${answered.desk} no longer exists on the server; the reply has no one to share it with`);
  const recipients = [...new Set([channel.recipient, ...deskInfo.recipients, editor.ageRecipient])];
  if (new Set(recipients.map(keyKindOf)).size > 1) {
    throw new CliError(`the source's reply key is ${keyKindOf(channel.recipient) === "pq" ? "post-quantum" : "classic X25519"} but the desk's keys are not; age cannot mix them in one file`);
  }

  const reply: Reply = { v: 1, kind: "reply", message, from: deskInfo.name, to: channel.recipient, inReplyTo: answered.id, day: coarseDay(new Date()) };
  const ciphertext = await sealJson(replySchema, reply, recipients);
  const stored = await api.post(
    "/api/editor/replies",
    { mailbox: channel.mailbox.id, credentialHash: credentialHash(channel.mailbox.credential), ciphertext: toBase64(ciphertext) },
    z.object({ id: z.string().regex(/^[0-9a-f]{32}$/), day: z.string() }),
  );
  // The sender's vault has the reply at once; colleagues get it with their next pull.
  await withVault(resolveHome(values.home, io), (vault) => vault.putItem("replies", { id: stored.id, day: stored.day, size: ciphertext.length, data: ciphertext }));

  if (values.json) return printJson(io, { id: stored.id, day: stored.day, to: answered.pseudonym, inReplyTo: answered.id });
  io.out(`Sent reply ${stored.id} to ${answered.pseudonym}, answering ${answered.id.slice(0, 12)} (${answered.day}).`);
  io.out("The source reads it when they return with their codename.");
}
