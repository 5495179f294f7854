// `sealdrop triage`: the desk's shared read marks, stars, statuses and assignees (services/triage.ts).
import { findEditor, type VerifiedRoster } from "../../core/roster.js";
import { type TriageChange, type TriageState, TRIAGE_STATUSES, type TriageStatus, type TriageTarget, triageOf, sourceReadBy, sourceReadChanges } from "../../core/triage.js";
import { HOME_OPTIONS, parseCommand } from "../args.js";
import { CliError, UsageError } from "../errors.js";
import type { Io } from "../io.js";
import { printJson } from "../present/json.js";
import { printUnreadable } from "../present/sources.js";
import { readPin } from "../roster-pin.js";
import { type DeskView, openDeskView, resolveSubject } from "../services/desk.js";
import { deskOf } from "../services/notes.js";
import { flushTriage, pendingTriage, queueTriage, targetDesks, triageState } from "../services/triage.js";
import type { UnlockedHome } from "../services/session.js";
import { inlineSafe } from "../text.js";
import { connect, unlockHome } from "../unlock.js";

export const TRIAGE_HELP = `Usage: sealdrop triage star|unstar|read|unread ITEM... [options]
       sealdrop triage status (${TRIAGE_STATUSES.join("|")}) ITEM... [options]
       sealdrop triage assign EDITOR ITEM... [options]
       sealdrop triage unassign ITEM... [options]
       sealdrop triage flush [options]
       sealdrop triage show [ITEM...] [--json]

The desk's shared triage of sources and submissions: star, status, assignee, and read marks (a read
mark is yours; the desk sees who has read what). ITEM is a pseudonym (or a unique prefix, any case)
or a submission id (or a unique prefix). EDITOR is an editor's name or id in the verified roster, on
the item's desk.

Changes are queued in your home, sealed to your own key, and sent together as one signed triage
note per desk, encrypted to that desk's editors and padded like every note: the server cannot tell
it from other notes, sees one note however many changes it holds, and no source ever sees it.
Colleagues see the changes after \`sealdrop pull\`. Each command sends the queue when it is done
(with what an earlier --later left in it), unless given --later; \`flush\` sends it alone. \`show\`
works offline and counts what is queued as done.

  --later                 queue only: send with the next triage command or \`triage flush\`
  --desk DESK             the desk, for a source who wrote to several
  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --server URL            talk to this server instead of the one in your key
  --json                  change commands print {queued, sent: [{id, desk, changes, clock}]};
                          show prints {items: [{target, desks, starred, status, assignee, readBy,
                          readByMe}], pending, unverified: [{id, day, reason}], problems}
`;

const OPTIONS = { ...HOME_OPTIONS, server: { type: "string" }, desk: { type: "string" }, later: { type: "boolean" }, json: { type: "boolean" } } as const;
const ACTIONS = ["star", "unstar", "read", "unread", "status", "assign", "unassign", "flush", "show"] as const;
type Action = (typeof ACTIONS)[number];

const usage = (message: string) => new UsageError(`sealdrop triage: ${message}\nRun \`sealdrop triage --help\` for usage.`);

/** Which target and desk an ITEM names. */
function resolveItem(view: DeskView, text: string, desk: string | undefined): { target: TriageTarget; desk: string; submissions?: { id: string; desk: string }[] } {
  const found = resolveSubject(text, view);
  if (found.type === "submission") {
    if (!found.submission) throw new CliError(`submission ${found.id.slice(0, 12)} is not encrypted to your key; you cannot triage it`);
    return { target: { type: "submission", id: found.id }, desk: deskOf([found.submission.desk], desk, `submission ${found.id.slice(0, 12)}`) };
  }
  const chosen = deskOf(found.source.submissions.map((s) => s.desk), desk, found.source.pseudonym);
  return { target: { type: "source", pseudonym: found.source.pseudonym }, desk: chosen, submissions: found.source.submissions.filter((s) => s.desk === chosen).map((s) => ({ id: s.id, desk: s.desk })) };
}

/** An editor named by name (any case) or id, who must be an active editor of `desk`. */
function resolveEditor(roster: VerifiedRoster | null, text: string, desk: string): string {
  if (!roster) throw new CliError("your home has no verified roster, so it cannot tell who is on the desk; run `sealdrop pull` first", 1, "roster_missing");
  const byId = findEditor(roster.state, text);
  const named = byId ? [byId] : roster.state.editors.filter((e) => e.name.toLowerCase() === text.toLowerCase());
  const active = named.filter((e) => !e.revoked);
  if (active.length === 0) throw new CliError(`no active editor ${JSON.stringify(text)} in the newsroom's roster`, 1, "unknown_editor");
  if (active.length > 1) throw new CliError(`${active.length} editors are named ${JSON.stringify(text)}; give the editor id`);
  if (!active[0]!.desks.includes(desk)) throw new CliError(`${active[0]!.name} is not on desk ${desk}`, 1, "outside_desk");
  return active[0]!.id;
}

function changeFor(action: Exclude<Action, "flush" | "show">, target: TriageTarget, arg: { status?: TriageStatus; editor?: string }): TriageChange {
  switch (action) {
    case "status":
      return { op: "status", target, status: arg.status! };
    case "assign":
      return { op: "assign", target, editor: arg.editor! };
    case "unassign":
      return { op: "assign", target, editor: null };
    default:
      return { op: action, target };
  }
}

export async function triageCommand(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("triage", argv, OPTIONS, { min: 0, max: 10_000 });
  if (help || positionals.length === 0) {
    if (help) return io.out(TRIAGE_HELP);
    throw usage("give an action: " + ACTIONS.join(", "));
  }
  const action = positionals[0] as Action;
  if (!ACTIONS.includes(action)) throw usage(`unknown action ${JSON.stringify(positionals[0])}`);
  let items = positionals.slice(1);
  let status: TriageStatus | undefined;
  let editorName: string | undefined;
  if (action === "status") {
    status = items.shift() as TriageStatus;
    if (!TRIAGE_STATUSES.includes(status)) throw usage(`a status is one of ${TRIAGE_STATUSES.join(", ")}, not ${JSON.stringify(status ?? "")}`);
  }
  if (action === "assign") {
    editorName = items.shift();
    if (editorName === undefined) throw usage("assign needs an EDITOR and at least one ITEM");
  }
  if (action === "flush" && items.length > 0) throw usage("flush takes no ITEM");
  if (action !== "flush" && action !== "show" && items.length === 0) throw usage(`${action} needs at least one ITEM`);
  items = [...new Set(items)];

  const unlocked = await unlockHome(io, values);
  const view = await openDeskView(unlocked);
  printUnreadable(io, view);
  const roster = (await readPin(unlocked.home))?.roster ?? null;
  if (action === "show") return show(io, unlocked, view, roster, items, values);

  let queued = (await pendingTriage(unlocked)).length;
  if (action !== "flush") {
    const changes = items.flatMap((text) => {
      const { target, desk, submissions } = resolveItem(view, text, values.desk);
      // A source is read as of now: a mark per submission, so what it sends later arrives unread.
      if ((action === "read" || action === "unread") && target.type === "source") return sourceReadChanges(action, target.pseudonym, submissions ?? []);
      const editor = editorName === undefined ? undefined : resolveEditor(roster, editorName, desk);
      return [{ desk, change: changeFor(action, target, { ...(status ? { status } : {}), ...(editor ? { editor } : {}) }) }];
    });
    queued = await queueTriage(unlocked, changes);
  }
  if (values.later) {
    if (values.json) return printJson(io, { queued, sent: [] });
    return io.out(`Queued ${items.length} change(s); ${queued} wait to be sent (\`sealdrop triage flush\`).`);
  }
  const session = connect(io, unlocked, values.server);
  const sent = await flushTriage(session, unlocked, view.desk);
  if (values.json) return printJson(io, { queued: 0, sent, ...(session.outbox ? { outbox: true } : {}) });
  if (sent.length === 0) return io.out("Nothing to send: the triage queue is empty.");
  const total = sent.reduce((n, s) => n + s.changes, 0);
  io.out(`Sent ${total} triage change(s) in ${sent.length} note(s)${session.outbox ? " to the outbox" : ""}: ${sent.map((s) => `${s.id} (desk ${s.desk})`).join(", ")}.`);
}

async function show(io: Io, unlocked: UnlockedHome, view: DeskView, roster: VerifiedRoster | null, items: string[], values: { desk?: string | undefined; json?: boolean | undefined }): Promise<void> {
  const me = unlocked.editor.header.editorId;
  const pending = await pendingTriage(unlocked);
  const { state, unverified, problems } = triageState(view.desk, roster, { author: me, changes: pending });
  const targets: TriageTarget[] =
    items.length > 0
      ? items.map((text) => resolveItem(view, text, values.desk).target)
      : [
          ...view.sources.map((s): TriageTarget => ({ type: "source", pseudonym: s.pseudonym })),
          ...view.desk.submissions.filter((s) => state.has(`submission:${s.id}`)).map((s): TriageTarget => ({ type: "submission", id: s.id })),
        ];
  const nameOf = (id: string) => (roster ? findEditor(roster.state, id)?.name : undefined) ?? id.slice(0, 12);
  const rows = targets.map((target) => {
    const s: TriageState = triageOf(state, target);
    // A source is read by whoever has read each of its submissions (core/triage.ts sourceReadBy).
    const readBy = target.type === "source" ? sourceReadBy(state, target.pseudonym, view.desk.submissions.filter((x) => x.pseudonym === target.pseudonym).map((x) => x.id)) : s.readBy;
    return { target, desks: targetDesks(view.desk, target) ?? [], ...s, assignee: s.assignee === null ? null : { id: s.assignee, name: nameOf(s.assignee) }, readBy: readBy.map((id) => ({ id, name: nameOf(id) })), readByMe: readBy.includes(me) };
  });
  if (values.json) return printJson(io, { items: rows, pending: pending.length, unverified, problems });
  for (const r of rows) {
    const what = r.target.type === "source" ? inlineSafe(r.target.pseudonym) : `submission ${r.target.id.slice(0, 12)}`;
    const parts = [r.status, r.starred ? "starred" : null, r.assignee ? `assigned to ${inlineSafe(r.assignee.name)}` : null, r.readByMe ? "read" : "unread", r.readBy.length > 0 ? `read by ${r.readBy.map((e) => inlineSafe(e.name)).join(", ")}` : null];
    io.out(`${what}  ${parts.filter(Boolean).join("; ")}`);
  }
  if (pending.length > 0) io.out(`${pending.length} change(s) queued, not yet sent (\`sealdrop triage flush\`).`);
  if (unverified.length > 0) io.err(`${unverified.length} triage note(s) did not verify and were not applied: ${unverified.map((u) => `${u.id.slice(0, 12)} (${u.reason})`).join(", ")}.`);
  for (const p of problems) io.err(`triage note ${p.noteId.slice(0, 12)}: ${inlineSafe(p.message)}`);
}
