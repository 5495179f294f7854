// `sealdrop delete`: removes a submission, a reply, a note, or everything of one source from the server;
// with --local, from the vault as well (services/submissions.ts, services/deletions.ts). Deleting a source
// asks first on a terminal, and needs --yes otherwise.
import { HOME_OPTIONS, parseCommand } from "../args.js";
import { CliError, UsageError } from "../errors.js";
import type { Io } from "../io.js";
import { promptLine } from "../passphrase.js";
import { printJson } from "../present/json.js";
import { openDeskView } from "../services/desk.js";
import { deleteItem, deleteSource, fullItemId, planSourceDeletion, type SourceDeletion } from "../services/deletions.js";
import { deleteSubmission, fullSubmissionId } from "../services/submissions.js";
import { connect, unlockHome, unlockSession } from "../unlock.js";

export const DELETE_HELP = `Usage: sealdrop delete ID [--local] [--home DIR]
       sealdrop delete --reply ID [--local] [--home DIR]
       sealdrop delete --note ID [--local] [--home DIR]
       sealdrop delete --source PSEUDONYM [--local] [--yes] [--json] [--home DIR]

Deletes from the server a submission and its attachments (ID), a reply you or a colleague sent
(--reply), a desk note (--note), or everything your vault knows of one source (--source): its
submissions and follow-ups, its mailbox with every reply in it, and the desk's notes about it. Only
items of your own desks can be deleted. Your vault keeps its copies unless you add --local. An ID may
be a unique prefix of one in your vault; otherwise give the full id. PSEUDONYM is as \`sealdrop source\`
takes it (a unique prefix, or a submission id of theirs).

Deleting a source sends the server, in one request, the ids your vault links to that source: at that
moment the server learns they belong together, though it stores nothing of it (docs/THREAT-MODEL.md,
"Retention and deletion"). It asks before deleting; without a terminal, add --yes.

  --reply ID              delete this reply
  --note ID               delete this note
  --source PSEUDONYM      delete everything of this source
  --yes                   do not ask (needed for --source without a terminal)
  --local                 also delete from your vault
  --json                  with --source: print {pseudonym, server: {submissions, replies, notes,
                          mailboxes}, vault: {submissions, replies, notes} | null}
  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --server URL            talk to this server instead of the one in your key
`;

const OPTIONS = {
  ...HOME_OPTIONS,
  server: { type: "string" },
  local: { type: "boolean" },
  reply: { type: "string" },
  note: { type: "string" },
  source: { type: "string" },
  yes: { type: "boolean" },
  json: { type: "boolean" },
} as const;

const usage = (message: string) => new UsageError(`sealdrop delete: ${message}\nRun \`sealdrop delete --help\` for usage.`);

export async function deleteCommand(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("delete", argv, OPTIONS, { min: 0, max: 1 });
  if (help) return io.out(DELETE_HELP);
  const given = [positionals[0], values.reply, values.note, values.source].filter((v) => v !== undefined);
  if (given.length !== 1) throw usage("give one thing to delete: a submission ID, --reply ID, --note ID or --source PSEUDONYM");
  const local = values.local === true;
  if (values.source !== undefined) return deleteSourceCommand(values.source, io, { ...values, local });
  if (values.yes || values.json) throw usage("--yes and --json go with --source");

  for (const [kind, value] of [
    ["replies", values.reply],
    ["notes", values.note],
  ] as const) {
    if (value === undefined) continue;
    const what = kind === "replies" ? "reply" : "note";
    if (!/^[0-9a-f]{1,32}$/.test(value)) throw usage(`${JSON.stringify(value)} is not a ${what} id`);
    const session = await unlockSession(io, values);
    const id = await fullItemId(session, kind, value);
    const { onServer, inVault } = await deleteItem(session, kind, id, local);
    io.out(onServer ? `Deleted ${what} ${id} from the server.` : `${what} ${id} was not on the server.`);
    if (local) io.out(inVault ? "Deleted it from your vault too." : "It was not in your vault.");
    else io.out("Your vault still has a copy (add --local to delete that too).");
    return;
  }

  const value = positionals[0]!;
  if (!/^[0-9a-f]{1,32}$/.test(value)) throw new UsageError(`sealdrop delete: ${JSON.stringify(value)} is not a submission id`);
  const session = await unlockSession(io, values);
  const id = await fullSubmissionId(session, value);
  const { onServer, inVault } = await deleteSubmission(session, id, local);
  io.out(onServer ? `Deleted ${id} from the server.` : `${id} was not on the server.`);
  if (local) io.out(inVault ? "Deleted it from your vault too." : "It was not in your vault.");
  else io.out("Your vault still has a copy (add --local to delete that too).");
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function describePlan(plan: SourceDeletion): string {
  return [
    plural(plan.submissions.length, "submission"),
    plan.mailboxes.length === 0 ? "no mailbox (no codename kept)" : `${plural(plan.mailboxes.length, "mailbox", "mailboxes")} with every reply in it`,
    plural(plan.notes.length, "note"),
  ].join(", ");
}

/** Asks on the terminal; true only for "yes". */
async function confirmed(question: string): Promise<boolean> {
  return (await promptLine(question)).trim().toLowerCase() === "yes";
}

async function deleteSourceCommand(named: string, io: Io, values: { local: boolean; yes?: boolean | undefined; json?: boolean | undefined; home?: string | undefined; "passphrase-file"?: string | undefined; server?: string | undefined }): Promise<void> {
  const unlocked = await unlockHome(io, values);
  const plan = planSourceDeletion(await openDeskView(unlocked), named);
  if (plan.submissions.length === 0 && plan.mailboxes.length === 0 && plan.notes.length === 0) {
    throw new CliError(`your vault holds nothing of ${plan.pseudonym} to delete from the server`);
  }
  const where = values.local ? "the server and your vault" : "the server";
  if (!values.yes) {
    if (!io.interactive) throw usage(`deleting ${plan.pseudonym} (${describePlan(plan)}) needs --yes when not run on a terminal`);
    io.err(`This deletes from ${where} everything of ${plan.pseudonym} your vault knows: ${describePlan(plan)}.`);
    io.err("The server will see, for this one request, that these belong to one source. It cannot be undone.");
    if (!(await confirmed(`Type yes to delete ${plan.pseudonym}: `))) throw new CliError("nothing was deleted");
  }
  const session = connect(io, unlocked, values.server);
  const result = await deleteSource(session, plan, values.local);
  if (values.json) return printJson(io, { pseudonym: plan.pseudonym, ...result });
  const s = result.server;
  io.out(
    `Deleted ${plan.pseudonym} from the server: ${plural(s.submissions, "submission")}, ${plural(s.mailboxes, "mailbox", "mailboxes")}, ${plural(s.replies, "reply", "replies")}, ${plural(s.notes, "note")}.`,
  );
  if (result.vault) {
    const v = result.vault;
    io.out(`Deleted from your vault: ${plural(v.submissions, "submission")}, ${plural(v.replies, "reply", "replies")}, ${plural(v.notes, "note")}.`);
  } else io.out("Your vault still has its copies (add --local to delete those too).");
}
