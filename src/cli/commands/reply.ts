// `sealdrop reply`: answers a source through the mailbox its codename opens (services/replies.ts).
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { HOME_OPTIONS, parseCommand } from "../args.js";
import { CliError, UsageError } from "../errors.js";
import type { Io } from "../io.js";
import { printJson } from "../present/json.js";
import { printUnreadable } from "../present/sources.js";
import { openDeskView } from "../services/desk.js";
import { checkReplyMessage, sendReply } from "../services/replies.js";
import { fromUtf8 } from "../../core/bytes.js";
import { composeInEditor } from "../compose.js";
import { resolveHome } from "../home.js";
import { inlineSafe } from "../text.js";
import { printOutboxed } from "../present/outbox.js";
import { connect, unlockHome } from "../unlock.js";

export const REPLY_HELP = `Usage: sealdrop reply (SUBMISSION_ID | PSEUDONYM) [--message TEXT | --message-file FILE|-] [options]

Sends a reply the source reads when they come back with their codename. Given a pseudonym (or a
unique prefix, any case), answers that source's latest submission that carries a reply channel;
given a submission id (or unique prefix), answers that submission. Signed with your key and
encrypted to the source and to the editors of the submission's desk; the server stores it under the source's mailbox without being
able to read it or link it to the submission. Run \`sealdrop pull\` first so the vault is current.

  --message TEXT          the reply (it stays in your shell's history: prefer the editor or a file)
  --message-file FILE     read the reply from FILE (UTF-8); - reads standard input
                          with neither, $VISUAL (else $EDITOR) opens on a private file in your home,
                          removed afterwards; an empty reply sends nothing (reply_empty)
  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --server URL            talk to this server instead of the one in your key
  --json                  print {id, day, to, inReplyTo} (and outbox: true on the reading half)

On the reading half of a split home (\`sealdrop home split\`) the reply is sealed into the outbox instead,
for the online half to post (\`sealdrop export --outbox\`).
`;

const OPTIONS = { ...HOME_OPTIONS, server: { type: "string" }, message: { type: "string" }, "message-file": { type: "string" }, json: { type: "boolean" } } as const;

async function replyText(io: Io, values: { home?: string | undefined; message?: string | undefined; "message-file"?: string | undefined }): Promise<string> {
  if (values.message !== undefined && values["message-file"] !== undefined) {
    throw new UsageError("sealdrop reply: give at most one of --message and --message-file\nRun `sealdrop reply --help` for usage.");
  }
  if (values.message !== undefined) return values.message;
  const given = values["message-file"];
  if (given === undefined) return composeInEditor(io, resolveHome(values.home, io), "reply");
  if (given === "-") {
    if (!io.readStdin) throw new CliError("there is no standard input to read the reply from", 1, "no_stdin");
    return fromUtf8(await io.readStdin());
  }
  const file = resolve(io.cwd, given);
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export async function replyCommand(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("reply", argv, OPTIONS, { min: 1, max: 1 });
  if (help) return io.out(REPLY_HELP);
  const message = await replyText(io, values);
  checkReplyMessage(message);
  const unlocked = await unlockHome(io, values);
  const view = await openDeskView(unlocked);
  printUnreadable(io, view);
  // On the reading half of a split home the session is its outbox: the reply is sealed here, posted by the online half.
  const session = connect(io, unlocked, values.server);
  const sent = await sendReply(session, view, { to: positionals[0]!, message });

  if (values.json) return printJson(io, { id: sent.id, day: sent.day, to: sent.to, inReplyTo: sent.inReplyTo.id, ...(session.outbox ? { outbox: true } : {}) });
  if (session.outbox) return printOutboxed(io, `reply ${sent.id} to ${inlineSafe(sent.to)}`);
  io.out(`Sent reply ${sent.id} to ${inlineSafe(sent.to)}, answering ${sent.inReplyTo.id.slice(0, 12)} (${inlineSafe(sent.inReplyTo.day)}).`);
  io.out("The source reads it when they return with their codename.");
}
