// Desk notes: the desk's shared picture of its sources. A note is sealed to every active editor of the
// newsroom; notes are never edited, later ones add to (or regrade) earlier ones.
import { toBase64 } from "../../core/bytes.js";
import { MESSAGE_LIMITS, type Note, noteSchema, NOTE_TAG, sealJson } from "../../core/messages.js";
import { coarseDay } from "../../core/time.js";
import { editorNewsroom, itemReceipt } from "../../core/wire.js";
import { CliError, UsageError } from "../errors.js";
import { anonymousPseudonym, type DeskPicture } from "../network.js";
import { type DeskView, resolveSubject } from "./desk.js";
import { type EditorSession, withVault } from "./session.js";

export const RELATIONS = ["corroborates", "contradicts", "related"] as const;

/** What an editor notes: each part optional, but not all empty. Links name submissions by id or prefix. */
export interface NoteInput {
  about: string;
  tags: string[];
  reliability: Note["reliability"];
  credibility: Note["credibility"];
  text: string;
  links: { submission: string; relation: Note["links"][number]["relation"] }[];
}

/** Refuses a note that says nothing or breaks a rule of the note format, before anything is decrypted. */
export function checkNoteInput(input: Omit<NoteInput, "about">): void {
  const bad = input.tags.find((t) => !NOTE_TAG.test(t));
  if (bad !== undefined) throw new UsageError(`a tag is KEY:VALUE with KEY in a-z and a value of 1 to 81 characters, like region:Hyesan; not ${JSON.stringify(bad)}`);
  if (input.text.length > MESSAGE_LIMITS.maxNoteTextChars) throw new UsageError(`a note's text holds at most ${MESSAGE_LIMITS.maxNoteTextChars} characters`);
  if (input.tags.length === 0 && input.reliability === null && input.credibility === null && input.text.trim() === "" && input.links.length === 0) {
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

/** Where a note about what `about` names goes: a source's pseudonym, or one submission. */
function subjectOf(about: string, view: DeskView): Note["subject"] {
  const found = resolveSubject(about, view);
  if (found.type === "submission") return { type: "submission", id: found.id };
  // A source without a codename is one submission; note it by id, which every editor can place.
  const only = found.source.submissions[0];
  return !found.source.canReply && only && found.source.pseudonym === anonymousPseudonym(only.id) ? { type: "submission", id: only.id } : { type: "source", pseudonym: found.source.pseudonym };
}

export interface AddedNote {
  id: string;
  day: string;
  subject: Note["subject"];
  /** How many editor keys the note is sealed to. */
  recipients: number;
}

/** Seals the note to every active editor, stores it on the server, and keeps it in the author's vault. */
export async function addNote(session: EditorSession, view: DeskView, input: NoteInput): Promise<AddedNote> {
  checkNoteInput(input);
  const subject = subjectOf(input.about, view);
  const links: Note["links"] = input.links.map((l) => ({ submission: resolveLink(l.submission, view.desk), relation: l.relation }));

  const { api, editor } = session;
  const newsroom = await api.get("/api/editor/newsroom", editorNewsroom);
  const recipients = [...new Set([...newsroom.editors.filter((e) => !e.revoked).map((e) => e.ageRecipient), editor.ageRecipient])];
  const { reliability, credibility, text } = input;
  const tags = [...new Set(input.tags)];
  const note: Note = { v: 1, kind: "note", subject, tags, reliability, credibility, text, links, author: editor.header.name, day: coarseDay(new Date()), written: new Date().toISOString() };
  const ciphertext = await sealJson(noteSchema, note, recipients);
  const stored = await api.post("/api/editor/notes", { ciphertext: toBase64(ciphertext) }, itemReceipt);
  await withVault(session.home, (vault) => vault.putItem("notes", { id: stored.id, day: stored.day, size: ciphertext.length, data: ciphertext }));
  return { id: stored.id, day: stored.day, subject, recipients: recipients.length };
}
