// Desk notes: the desk's shared picture of its sources. A note is signed by its author and sealed to the
// editors of its subject's desk as the verified roster names them (services/seal-message.ts), never to the
// server's key list; notes are never edited, later ones add to (or regrade) earlier ones.
import { toBase64 } from "../../core/bytes.js";
import { MESSAGE_LIMITS, type Note, NOTE_TAG } from "../../core/messages.js";
import { reservedTagProblem } from "../../core/network/vocabulary.js";
import { coarseDay } from "../../core/time.js";
import { itemReceipt } from "../../core/wire.js";
import { CliError, UsageError } from "../errors.js";
import { anonymousPseudonym, type DeskPicture } from "../network.js";
import { type DeskView, resolveSubject } from "./desk.js";
import { requireRoster } from "./recipients.js";
import { messageAuthor, sealMessage } from "./seal-message.js";
import { type EditorSession, withVault } from "./session.js";
import { buildModelEvents, type ModelNoteInput } from "./note-model.js";

export const RELATIONS = ["corroborates", "contradicts", "related"] as const;

/** What an editor notes: each part optional, but not all empty. Links name submissions by id or prefix. */
export interface NoteInput {
  about: string;
  tags: string[];
  reliability: Note["reliability"];
  credibility: Note["credibility"];
  text: string;
  links: { submission: string; relation: Note["links"][number]["relation"] }[];
  /** The subject's desk, when the vault cannot tell (a source who wrote to several desks). */
  desk?: string | undefined;
  /** Source-network model options (services/note-model.ts). */
  model?: ModelNoteInput;
}

/** Refuses a note that says nothing or breaks a rule of the note format, before anything is decrypted. */
export function checkNoteInput(input: Omit<NoteInput, "about">): void {
  const bad = input.tags.find((t) => !NOTE_TAG.test(t));
  if (bad !== undefined) throw new UsageError(`a tag is KEY:VALUE with KEY in a-z and a value of 1 to 81 characters, like region:ryanggang or topic:markets; not ${JSON.stringify(bad)}`);
  for (const tag of input.tags) {
    const problem = reservedTagProblem(tag);
    if (problem !== null) throw new UsageError(problem, "note_tag_not_in_vocabulary");
  }
  if (input.text.length > MESSAGE_LIMITS.maxNoteTextChars) throw new UsageError(`a note's text holds at most ${MESSAGE_LIMITS.maxNoteTextChars} characters`);
  const model = input.model && (input.model.newRelay !== undefined || input.model.newClaim !== undefined || input.model.relate.length + input.model.untags.length + input.model.withdraw.length > 0);
  if (!model && input.tags.length === 0 && input.reliability === null && input.credibility === null && input.text.trim() === "" && input.links.length === 0) {
    throw new UsageError("nothing to note; give a tag, a grade, a text or a link");
  }
}

function resolveLink(text: string, desk: DeskPicture): string {
  if (!/^[0-9a-f]{1,32}$/.test(text)) throw new UsageError(`${JSON.stringify(text)} is not a submission id (lowercase hex)`);
  const ids = desk.submissionIds.filter((id) => id.startsWith(text));
  if (ids.length === 0) throw new CliError(`no submission ${text} in the vault; run \`sealdrop pull\` first`);
  if (ids.length > 1) throw new CliError(`${text} matches more than one submission; give more of the id`);
  return ids[0]!;
}

/** Picks the subject's desk: the only one its submissions are on, or the one the editor named among them. */
export function deskOf(desks: string[], given: string | undefined, what: string): string {
  const unique = [...new Set(desks)];
  if (given !== undefined) {
    if (unique.length > 0 && !unique.includes(given)) throw new CliError(`${what} is on desk ${unique.join(", ")}, not ${given}`);
    return given;
  }
  if (unique.length === 1) return unique[0]!;
  if (unique.length === 0) throw new UsageError(`your vault cannot tell which desk ${what} is on; give --desk`);
  throw new UsageError(`${what} wrote to desks ${unique.join(", ")}; give --desk to say which desk's editors the note is for`);
}

/** Where a note about what `about` names goes: a source's pseudonym, or one submission; and its desk. */
function subjectOf(about: string, view: DeskView, desk: string | undefined): { subject: Note["subject"]; desk: string } {
  const found = resolveSubject(about, view);
  if (found.type === "submission") return { subject: { type: "submission", id: found.id }, desk: deskOf(found.submission ? [found.submission.desk] : [], desk, `submission ${found.id.slice(0, 12)}`) };
  const desks = found.source.submissions.map((s) => s.desk);
  // A source without a codename is one submission; note it by id, which every editor can place.
  const only = found.source.submissions[0];
  const subject: Note["subject"] =
    !found.source.canReply && only && found.source.pseudonym === anonymousPseudonym(only.id) ? { type: "submission", id: only.id } : { type: "source", pseudonym: found.source.pseudonym };
  return { subject, desk: deskOf(desks, desk, found.source.pseudonym) };
}

export interface AddedNote {
  id: string;
  day: string;
  subject: Note["subject"];
  /** How many editor keys the note is sealed to. */
  recipients: number;
  /** The desk whose editors can read it. */
  desk: string;
  /** The model events the note carries, and the ids of the relay and claim it defines. */
  model: { events: number; relay: string | null; claim: string | null; eventIds: { op: string; id: string }[] };
}

/** Signs the note and seals it to its subject's desk's editors (roster), stores it on the server, and keeps it in the author's vault. */
export async function addNote(session: EditorSession, view: DeskView, input: NoteInput): Promise<AddedNote> {
  checkNoteInput(input);
  const { subject, desk } = subjectOf(input.about, view, input.desk);
  const links: Note["links"] = input.links.map((l) => ({ submission: resolveLink(l.submission, view.desk), relation: l.relation }));

  const { api, editor } = session;
  const { roster } = await requireRoster(session);
  const { text } = input;
  let { reliability, credibility } = input;
  const tags = [...new Set(input.tags)];
  const day = coarseDay(new Date());
  const submission = subject.type === "submission" ? view.desk.submissions.find((s) => s.id === subject.id) : undefined;
  const built = buildModelEvents(input.model ?? { untags: [], relate: [], withdraw: [] }, { reliability, credibility }, tags, {
    source: subject.type === "source" ? subject.pseudonym : (submission?.pseudonym ?? null),
    submission: subject.type === "submission" ? subject.id : null,
    resolveSource: (named) => {
      const found = resolveSubject(named, view);
      if (found.type !== "source") throw new UsageError(`source:${named} names a submission, not a source`);
      return found.source.pseudonym;
    },
    today: day,
  });
  // Older readers see the note's own grades: keep only the reliability of the subject's source there, and a
  // claim's credibility only in the model, so the two scales never land on one entity.
  if (built.target && built.target.type !== "source") reliability = null;
  if (built.target?.type === "claim") credibility = null;
  const note: Note = { v: 1, kind: "note", subject, tags, reliability, credibility, text, links, author: editor.header.name, day, written: new Date().toISOString(), ...(built.events.length > 0 ? { model: built.events } : {}) };
  const { ciphertext, recipients } = await sealMessage(roster, messageAuthor(editor), note, desk);
  const stored = await api.post("/api/editor/notes", { ciphertext: toBase64(ciphertext), desk }, itemReceipt);
  await withVault(session.home, (vault) => vault.putItem("notes", { id: stored.id, day: stored.day, size: ciphertext.length, data: ciphertext }));
  const model = { events: built.events.length, relay: built.relay, claim: built.claim, eventIds: built.events.map((e) => ({ op: e.op, id: e.id })) };
  return { id: stored.id, day: stored.day, subject, recipients: recipients.length, desk, model };
}
