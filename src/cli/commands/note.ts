// `sealdrop note` and `sealdrop notes`: adding a desk note (services/notes.ts) and listing them
// (services/desk.ts).
import { CREDIBILITY, type Note, RELIABILITY } from "../../core/messages.js";
import { HOME_OPTIONS, parseCommand } from "../args.js";
import { CliError, UsageError } from "../errors.js";
import type { Io } from "../io.js";
import { printJson } from "../present/json.js";
import { printNotes, printUnreadable } from "../present/sources.js";
import { listNotes, openDeskView } from "../services/desk.js";
import { addNote, checkNoteInput, type NoteInput, RELATIONS } from "../services/notes.js";
import { inlineSafe } from "../text.js";
import { findSensitive, SensitiveTextError } from "../../core/network/sensitive-text.js";
import { promptLine } from "../passphrase.js";
import { modelTexts } from "../services/note-model.js";
import { printOutboxed } from "../present/outbox.js";
import { connect, unlockHome } from "../unlock.js";

export const NOTE_HELP = `Usage: sealdrop note (PSEUDONYM | SUBMISSION_ID) [--tag KEY:VALUE]... [--reliability A-F]
                    [--credibility 1-6] [--text TEXT] [--corroborates ID]... [--contradicts ID]...
                    [--related ID]... [options]

Adds a desk note about a source (pseudonym or unique prefix, any case) or one submission (id or
unique prefix). The note is signed with your key and encrypted to the editors of its subject's
desk as the verified roster names them, and stored on the server, which can neither read nor forge
it; colleagues of that desk see it after \`sealdrop pull\`. Notes are never changed:
a later grade replaces an earlier one, tags accumulate, texts are kept in order.

  --tag KEY:VALUE         e.g. region:ryanggang, role:trade, access:witness, topic:markets (repeatable;
                          KEY is a-z; region, role and access take only their vocabulary's terms)
  --reliability A-F       Admiralty grade of the source: A reliable … E unreliable, F cannot be judged
  --credibility 1-6       Admiralty grade of the information: 1 confirmed … 5 improbable, 6 cannot be judged
  --text TEXT             free text
  --corroborates ID       a submission this one (or this source) corroborates (repeatable)
  --contradicts ID        a submission it contradicts (repeatable)
  --related ID            a related submission (repeatable)
  --desk DESK             the desk, for a source who wrote to several

Source-network model (docs/FORMAT.md "Source-network model"; ENTITY is source (the subject's),
source:PSEUDONYM, relay:ID, claim:ID, or relay:new / claim:new for the one this note defines):
  --new-relay LABEL       define a relay (an intermediary; a label, never a real name)
  --new-claim LABEL       define a claim within the subject submission
  --about DAY[..DAY]      the days the new claim is about (never after today)
  --on ENTITY             what --reliability, --credibility, --tag, --untag and --relate are about
                          (default: --credibility the new claim; --relate from the new relay, or
                          the new claim for claim relations, else the source; the rest the source)
  --reliability grades a source or relay only; --credibility a claim only (model_grade_target)
  --tag region:ryanggang  a tag of the controlled vocabularies also enters the model
  --untag TAG             withdraw a model tag (repeatable)
  --relate RELATION:ENTITY  introduced_by, relays_for, same_group, corroborates, contradicts,
                          derived_from, common_upstream (repeatable), e.g. relays_for:source
  --basis BASIS           source_said, relay_said, document, editor_judgement (default), pattern
  --days DAY[..DAY]       the days the relations hold (never after today)
  --upstream LABEL        the common origin, with --relate common_upstream:claim:ID
  --withdraw EVENT_ID     take back a relation (its event id from --json) (repeatable)
  --confirm-sensitive     seal text that looks like a phone number, handle, account or time of day
                          (asked on a terminal; refused otherwise)
  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --server URL            talk to this server instead of the one in your key
  --json                  print {id, day, subject, model: {events, relay, claim, eventIds: [{op, id}]}}
`;

export const NOTES_HELP = `Usage: sealdrop notes [PSEUDONYM | SUBMISSION_ID] [--home DIR] [--json]

Lists the desk notes in your vault, in the order they combine (by day, then as they arrived): all of
them, or those about one source (and its submissions) or one submission (or linking to it).
Each is verified against the roster your home last verified: one that is unsigned, signed by a key
the roster does not name, altered, or claiming another author is shown "unverified (REASON)" and
counts towards no grade or tag. Decrypts locally; run \`sealdrop pull\` first for colleagues' latest notes.

  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --json                  print an array of {id, day, author, subject, tags, reliability, credibility,
                          text, links: [{submission, relation, source}], signature: {verified: true,
                          author: {id, name}, desk} or {verified: false, reason}}
`;

const LINK_OPTIONS = { corroborates: { type: "string", multiple: true }, contradicts: { type: "string", multiple: true }, related: { type: "string", multiple: true } } as const;
const NOTE_OPTIONS = {
  ...HOME_OPTIONS,
  ...LINK_OPTIONS,
  server: { type: "string" },
  tag: { type: "string", multiple: true },
  reliability: { type: "string" },
  credibility: { type: "string" },
  text: { type: "string" },
  json: { type: "boolean" },
  desk: { type: "string" },
  on: { type: "string" },
  "new-relay": { type: "string" },
  "new-claim": { type: "string" },
  about: { type: "string" },
  untag: { type: "string", multiple: true },
  relate: { type: "string", multiple: true },
  basis: { type: "string" },
  days: { type: "string" },
  upstream: { type: "string" },
  withdraw: { type: "string", multiple: true },
  "confirm-sensitive": { type: "boolean" },
} as const;

/**
 * The gate before sealing (core/network/sensitive-text.ts): free text that holds a phone number, handle,
 * account, device id, address or time of day is sealed only after the editor confirms, on the terminal
 * or with --confirm-sensitive; otherwise nothing is unlocked, sealed or sent.
 */
async function confirmSensitive(io: Io, texts: string[], confirmed: boolean): Promise<void> {
  const found = texts.flatMap((t) => findSensitive(t).map((f) => ({ kind: f.kind, excerpt: t.slice(f.index, f.index + f.length) })));
  if (found.length === 0 || confirmed) return;
  io.err("warning: what you wrote may identify or locate a person; the desk's model should not keep it (docs/THREAT-MODEL.md):");
  for (const f of found) io.err(`  ${f.kind}: ${inlineSafe(f.excerpt)}`);
  if (io.interactive && (await promptLine("Type yes to seal it anyway: ")).trim().toLowerCase() === "yes") return;
  throw new CliError(
    io.interactive ? "nothing was sealed" : "nothing was sealed: remove it, or confirm with --confirm-sensitive that it must be kept",
    1,
    new SensitiveTextError(findSensitive(texts.join("\n"))).code,
  );
}

function parseGrades(values: { reliability?: string | undefined; credibility?: string | undefined }): Pick<Note, "reliability" | "credibility"> {
  let reliability: Note["reliability"] = null;
  let credibility: Note["credibility"] = null;
  if (values.reliability !== undefined) {
    const r = values.reliability.toUpperCase();
    if (!(RELIABILITY as readonly string[]).includes(r)) throw new UsageError(`sealdrop note: --reliability is a letter A to F, not ${JSON.stringify(values.reliability)}`);
    reliability = r as Note["reliability"];
  }
  if (values.credibility !== undefined) {
    const c = Number(values.credibility);
    if (!/^[1-6]$/.test(values.credibility) || !(CREDIBILITY as readonly number[]).includes(c)) {
      throw new UsageError(`sealdrop note: --credibility is a digit 1 to 6, not ${JSON.stringify(values.credibility)}`);
    }
    credibility = c as Note["credibility"];
  }
  return { reliability, credibility };
}

export async function noteCommand(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("note", argv, NOTE_OPTIONS, { min: 1, max: 1 });
  if (help) return io.out(NOTE_HELP);
  const input: NoteInput = {
    about: positionals[0]!,
    tags: values.tag ?? [],
    ...parseGrades(values),
    text: values.text ?? "",
    links: RELATIONS.flatMap((relation) => (values[relation] ?? []).map((submission) => ({ submission, relation }))),
    desk: values.desk,
    model: {
      on: values.on,
      newRelay: values["new-relay"],
      newClaim: values["new-claim"],
      about: values.about,
      untags: values.untag ?? [],
      relate: values.relate ?? [],
      basis: values.basis,
      days: values.days,
      upstream: values.upstream,
      withdraw: values.withdraw ?? [],
    },
  };
  // Checked before the key is unlocked: a mistyped note costs no passphrase.
  try {
    checkNoteInput(input);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`sealdrop note: ${e.message}\nRun \`sealdrop note --help\` for usage.`, e.code);
    throw e;
  }
  await confirmSensitive(io, [input.text, ...input.tags, ...modelTexts(input.model!)], values["confirm-sensitive"] === true);
  const unlocked = await unlockHome(io, values);
  const view = await openDeskView(unlocked);
  printUnreadable(io, view);
  // On the reading half of a split home the session is its outbox: the note is sealed here, posted by the online half.
  const session = connect(io, unlocked, values.server);
  const added = await addNote(session, view, input);

  if (values.json) return printJson(io, { id: added.id, day: added.day, subject: added.subject, model: added.model, ...(session.outbox ? { outbox: true } : {}) });
  if (added.model.relay) io.err(`New relay: relay:${added.model.relay}`);
  if (added.model.claim) io.err(`New claim: claim:${added.model.claim}`);
  const about = added.subject.type === "source" ? inlineSafe(added.subject.pseudonym) : `submission ${added.subject.id}`;
  if (session.outbox) return printOutboxed(io, `note ${added.id} about ${about}, encrypted to ${added.recipients} editor key(s)`);
  io.out(`Added note ${added.id} about ${about}, encrypted to ${added.recipients} editor key(s).`);
}

export async function notesCommand(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("notes", argv, { ...HOME_OPTIONS, json: { type: "boolean" } } as const, { min: 0, max: 1 });
  if (help) return io.out(NOTES_HELP);
  const view = await openDeskView(await unlockHome(io, values));
  printUnreadable(io, view);
  const rows = listNotes(view, positionals[0]);
  if (values.json) return printJson(io, rows.map(({ about: _, ...row }) => row));
  printNotes(io, rows);
}
