// `sealdrop note` and `sealdrop notes`: the desk's shared picture of its sources. A note is sealed to every
// active editor of the newsroom; notes are never edited, later ones add to (or regrade) earlier ones.
import { z } from "zod";
import { toBase64 } from "../../core/bytes.js";
import { CREDIBILITY, type Note, noteSchema, RELIABILITY, sealJson } from "../../core/messages.js";
import { coarseDay } from "../../core/time.js";
import { HOME_OPTIONS, parseCommand } from "../args.js";
import { CliError, UsageError } from "../errors.js";
import { resolveHome } from "../home.js";
import type { Io } from "../io.js";
import { terminalSafe } from "../text.js";
import { anonymousPseudonym, type DeskPicture, findSubject, noteSourceOf, type OpenedNote } from "../network.js";
import { editorApi, printJson, withVault } from "./common.js";
import { editorNewsroom } from "./editor.js";
import { describeNote, noteJson, openDeskSession } from "./sources.js";

export const NOTE_HELP = `Usage: sealdrop note (PSEUDONYM | SUBMISSION_ID) [--tag KEY:VALUE]... [--reliability A-F]
                    [--credibility 1-6] [--text TEXT] [--corroborates ID]... [--contradicts ID]...
                    [--related ID]... [options]

Adds a desk note about a source (pseudonym or unique prefix, any case) or one submission (id or
unique prefix). The note is encrypted to every active editor of the newsroom and stored on the
server, which cannot read it; colleagues see it after \`sealdrop pull\`. Notes are never changed:
a later grade replaces an earlier one, tags accumulate, texts are kept in order.

  --tag KEY:VALUE         e.g. region:Hyesan, role:trader, access:port (repeatable; KEY is a-z)
  --reliability A-F       Admiralty grade of the source: A reliable … E unreliable, F cannot be judged
  --credibility 1-6       Admiralty grade of the information: 1 confirmed … 5 improbable, 6 cannot be judged
  --text TEXT             free text
  --corroborates ID       a submission this one (or this source) corroborates (repeatable)
  --contradicts ID        a submission it contradicts (repeatable)
  --related ID            a related submission (repeatable)
  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --server URL            talk to this server instead of the one in your key
  --json                  print {id, day, subject}
`;

export const NOTES_HELP = `Usage: sealdrop notes [PSEUDONYM | SUBMISSION_ID] [--home DIR] [--json]

Lists the desk notes in your vault, in the order they combine (by day, then as they arrived): all of
them, or those about one source (and its submissions) or one submission (or linking to it).
Decrypts locally; run \`sealdrop pull\` first for colleagues' latest notes.

  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --json                  print an array of {id, day, author, subject, tags, reliability, credibility,
                          text, links: [{submission, relation, source}]}
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
} as const;
const TAG = /^[a-z]+:[^\s].{0,80}$/u;
const MAX_TEXT_CHARS = 50_000;

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

function resolveLink(text: string, desk: DeskPicture): string {
  if (!/^[0-9a-f]{1,32}$/.test(text)) throw new UsageError(`sealdrop note: ${JSON.stringify(text)} is not a submission id (lowercase hex)`);
  const ids = desk.submissionIds.filter((id) => id.startsWith(text));
  if (ids.length === 0) throw new CliError(`no submission ${text} in the vault; run \`sealdrop pull\` first`);
  if (ids.length > 1) throw new CliError(`${text} matches more than one submission; give more of the id`);
  return ids[0]!;
}

export async function noteCommand(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("note", argv, NOTE_OPTIONS, { min: 1, max: 1 });
  if (help) return io.out(NOTE_HELP);
  const tags = [...new Set(values.tag ?? [])];
  const bad = tags.find((t) => !TAG.test(t));
  if (bad !== undefined) throw new UsageError(`sealdrop note: a tag is KEY:VALUE with KEY in a-z and a value of 1 to 81 characters, like region:Hyesan; not ${JSON.stringify(bad)}`);
  const grades = parseGrades(values);
  const text = values.text ?? "";
  if (text.length > MAX_TEXT_CHARS) throw new UsageError(`sealdrop note: --text holds at most ${MAX_TEXT_CHARS} characters`);
  const relations = ["corroborates", "contradicts", "related"] as const;
  if (tags.length === 0 && grades.reliability === null && grades.credibility === null && text.trim() === "" && relations.every((r) => !values[r]?.length)) {
    throw new UsageError("sealdrop note: nothing to note; give --tag, --reliability, --credibility, --text or a link\nRun `sealdrop note --help` for usage.");
  }

  const { editor, desk, sources } = await openDeskSession(io, values);
  const found = findSubject(positionals[0]!, desk, sources);
  if ("error" in found) throw new CliError(found.error);
  let subject: Note["subject"];
  if (found.type === "submission") subject = { type: "submission", id: found.id };
  else {
    // A source without a codename is one submission; note it by id, which every editor can place.
    const only = found.source.submissions[0];
    subject = !found.source.canReply && only && found.source.pseudonym === anonymousPseudonym(only.id) ? { type: "submission", id: only.id } : { type: "source", pseudonym: found.source.pseudonym };
  }
  const links: Note["links"] = [];
  for (const relation of relations) for (const id of values[relation] ?? []) links.push({ submission: resolveLink(id, desk), relation });

  const api = editorApi(editor, io, values.server);
  const newsroom = await api.get("/api/editor/newsroom", editorNewsroom);
  const recipients = [...new Set([...newsroom.editors.filter((e) => !e.revoked).map((e) => e.ageRecipient), editor.ageRecipient])];
  const note: Note = { v: 1, kind: "note", subject, tags, ...grades, text, links, author: editor.header.name, day: coarseDay(new Date()), written: new Date().toISOString() };
  const ciphertext = await sealJson(noteSchema, note, recipients);
  const stored = await api.post("/api/editor/notes", { ciphertext: toBase64(ciphertext) }, z.object({ id: z.string().regex(/^[0-9a-f]{32}$/), day: z.string() }));
  await withVault(resolveHome(values.home, io), (vault) => vault.putItem("notes", { id: stored.id, day: stored.day, size: ciphertext.length, data: ciphertext }));

  if (values.json) return printJson(io, { id: stored.id, day: stored.day, subject });
  const about = subject.type === "source" ? subject.pseudonym : `submission ${subject.id}`;
  io.out(`Added note ${stored.id} about ${about}, encrypted to ${recipients.length} editor key(s).`);
}

export async function notesCommand(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("notes", argv, { ...HOME_OPTIONS, json: { type: "boolean" } } as const, { min: 0, max: 1 });
  if (help) return io.out(NOTES_HELP);
  const { desk, sources } = await openDeskSession(io, values);
  let notes: OpenedNote[] = desk.notes;
  if (positionals[0] !== undefined) {
    const found = findSubject(positionals[0], desk, sources);
    if ("error" in found) throw new CliError(found.error);
    if (found.type === "source") notes = found.source.notes;
    else notes = notes.filter((n) => (n.note.subject.type === "submission" && n.note.subject.id === found.id) || n.note.links.some((l) => l.submission === found.id));
  }
  const bySubmission = new Map(desk.submissions.map((s) => [s.id, s]));
  const pseudonymOfSubmission = (id: string) => bySubmission.get(id)?.pseudonym ?? null;
  const rows = notes.map((n) => noteJson(n, pseudonymOfSubmission));
  if (values.json) return printJson(io, rows);
  if (rows.length === 0) return io.out("No notes. `sealdrop note` adds one; `sealdrop pull` fetches colleagues' notes.");
  for (const [i, r] of rows.entries()) {
    const about = noteSourceOf(notes[i]!.note, bySubmission) ?? (r.subject.type === "submission" ? `submission ${r.subject.id.slice(0, 12)}` : "");
    io.out(`${r.day}  ${r.id.slice(0, 12)}  ${terminalSafe(about)}  by ${terminalSafe(r.author)}: ${describeNote(r)}`);
  }
}
