// The desk's shared triage (docs/FORMAT.md, "Triage notes"): read/unread, star, status and assignee of a
// source or a submission. Editors' changes travel in triage notes: signed like every desk note
// (signed-message.ts), encrypted to the desk's editors, padded like every note, and posted to the same
// endpoint, so the server cannot tell them from other notes; a batch of clicks is one note. This file is
// the note's body and the pure reduction of verified notes to state, which every editor computes the same
// way whatever order the notes reached their vault in.
import * as z from "zod/mini";
import { ID_PATTERN } from "./bytes.js";

export const TRIAGE_STATUSES = ["new", "in_progress", "verified", "published", "closed"] as const;
export type TriageStatus = (typeof TRIAGE_STATUSES)[number];

/** How many changes one triage note carries at most; a longer queue is sent as several notes. */
export const MAX_TRIAGE_CHANGES = 500;

const id = z.string().check(z.regex(ID_PATTERN));

export const triageTarget = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("source"), pseudonym: z.string().check(z.minLength(1), z.maxLength(100)) }),
  z.strictObject({ type: z.literal("submission"), id }),
]);
export type TriageTarget = z.infer<typeof triageTarget>;

export const triageChange = z.discriminatedUnion("op", [
  /** Read marks are the author's own: "read" means read by this editor, and the desk sees who read what. */
  z.strictObject({ op: z.literal("read"), target: triageTarget }),
  z.strictObject({ op: z.literal("unread"), target: triageTarget }),
  z.strictObject({ op: z.literal("star"), target: triageTarget }),
  z.strictObject({ op: z.literal("unstar"), target: triageTarget }),
  z.strictObject({ op: z.literal("status"), target: triageTarget, status: z.enum(TRIAGE_STATUSES) }),
  /** `editor` is a roster editor id, or null for nobody. */
  z.strictObject({ op: z.literal("assign"), target: triageTarget, editor: z.nullable(id) }),
]);
export type TriageChange = z.infer<typeof triageChange>;

// Not strict at the top: the signed message carries `sig` beside these members (signed-message.ts).
export const triageNoteSchema = z.object({
  v: z.literal(1),
  kind: z.literal("triage"),
  /**
   * A Lamport clock: one more than the highest clock of every triage note the author's vault held (and of
   * the author's own earlier notes). A change made after seeing another editor's therefore sorts after it;
   * two made without seeing each other are ordered by author id. Never a time.
   */
  clock: z.number().check(z.int(), z.gte(1), z.lte(Number.MAX_SAFE_INTEGER)),
  changes: z.array(triageChange).check(z.minLength(1), z.maxLength(MAX_TRIAGE_CHANGES)),
  day: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)),
});
export type TriageNote = z.infer<typeof triageNoteSchema>;

export const targetKey = (t: TriageTarget): string => (t.type === "source" ? `source:${t.pseudonym}` : `submission:${t.id}`);

export interface TriageState {
  starred: boolean;
  status: TriageStatus;
  /** Editor id, or null. */
  assignee: string | null;
  /** Editor ids that marked it read, sorted. */
  readBy: string[];
}

export const INITIAL_TRIAGE: Readonly<TriageState> = Object.freeze({ starred: false, status: "new", assignee: null, readBy: [] as string[] });

/** A triage note that verified: the author is the roster editor id that signed it, `desk` the desk it was signed for. */
export interface AuthoredTriage {
  /** The note's id on the server: only the last tie-break, for a note an author sent twice with one clock. */
  noteId: string;
  author: string;
  desk: string;
  note: TriageNote;
}

export interface TriageProblem {
  noteId: string;
  index: number;
  code: "triage_outside_desk" | "triage_unknown_assignee";
  message: string;
}

export interface TriageOptions {
  /** The desks a target is on, as the reader's vault tells; a change for a target not on the note's desk is left out. */
  desksOf?: (target: TriageTarget) => readonly string[] | null;
  /** Whether an editor id may be assigned on a desk (an active editor of it in the verified roster). */
  assignable?: (editor: string, desk: string) => boolean;
}

/** The order every reader applies notes in: by clock, then author id, then note id. Later wins. */
export function compareTriage(a: AuthoredTriage, b: AuthoredTriage): number {
  return a.note.clock - b.note.clock || (a.author < b.author ? -1 : a.author > b.author ? 1 : 0) || (a.noteId < b.noteId ? -1 : a.noteId > b.noteId ? 1 : 0);
}

/** The next clock for an author whose vault holds `notes`: one more than any seen. */
export const nextTriageClock = (notes: readonly { note: TriageNote }[]): number => notes.reduce((max, n) => Math.max(max, n.note.clock), 0) + 1;

/**
 * Reduces verified triage notes to the state of each target (by targetKey). Pure and deterministic: the
 * result depends only on the set of notes, not the order they are given in. Within a note, later changes
 * win over earlier ones.
 */
export function reduceTriage(notes: readonly AuthoredTriage[], options: TriageOptions = {}): { state: Map<string, TriageState>; problems: TriageProblem[] } {
  const state = new Map<string, TriageState>();
  const problems: TriageProblem[] = [];
  for (const n of [...notes].sort(compareTriage)) {
    n.note.changes.forEach((change, index) => {
      const desks = options.desksOf?.(change.target);
      if (desks && !desks.includes(n.desk)) {
        problems.push({ noteId: n.noteId, index, code: "triage_outside_desk", message: `a change for ${targetKey(change.target)} in a note for desk ${n.desk}, which it is not on` });
        return;
      }
      if (change.op === "assign" && change.editor !== null && options.assignable && !options.assignable(change.editor, n.desk)) {
        problems.push({ noteId: n.noteId, index, code: "triage_unknown_assignee", message: `assigns ${change.editor}, who is not an editor of desk ${n.desk}` });
        return;
      }
      const key = targetKey(change.target);
      const current = state.get(key) ?? { ...INITIAL_TRIAGE, readBy: [] };
      state.set(key, applyChange(current, change, n.author));
    });
  }
  return { state, problems };
}

function applyChange(s: TriageState, change: TriageChange, author: string): TriageState {
  switch (change.op) {
    case "read":
      return { ...s, readBy: [...new Set([...s.readBy, author])].sort() };
    case "unread":
      return { ...s, readBy: s.readBy.filter((e) => e !== author) };
    case "star":
    case "unstar":
      return { ...s, starred: change.op === "star" };
    case "status":
      return { ...s, status: change.status };
    case "assign":
      return { ...s, assignee: change.editor };
  }
}

/** The state of one target (the initial state when no note names it). */
export const triageOf = (state: ReadonlyMap<string, TriageState>, target: TriageTarget): TriageState => state.get(targetKey(target)) ?? { ...INITIAL_TRIAGE, readBy: [] };

/**
 * Whether `editor` (an id) has read a submission: a read mark of theirs on it, or on its source, in the
 * desk's triage state (reduceTriage, with their queued changes on top where the caller adds them). Read
 * marks are each editor's own, so another editor's never counts.
 */
export const readByEditor = (state: ReadonlyMap<string, TriageState>, editor: string, submission: { id: string; pseudonym: string }): boolean =>
  triageOf(state, { type: "submission", id: submission.id }).readBy.includes(editor) || triageOf(state, { type: "source", pseudonym: submission.pseudonym }).readBy.includes(editor);

/** How many of a source's submissions (follow-ups included) `editor` has not marked read (readByEditor). */
export const unreadCount = (state: ReadonlyMap<string, TriageState>, editor: string, submissions: readonly { id: string; pseudonym: string }[]): number =>
  submissions.filter((s) => !readByEditor(state, editor, s)).length;

/**
 * The changes that mark a source read or unread "as of now": one mark per submission of the source the
 * editor's vault holds, each on that submission's desk, so that what the source sends later arrives
 * unread. Marking unread also withdraws the editor's mark on the source itself, which older CLIs wrote
 * and which covers every submission, later ones too.
 */
export function sourceReadChanges(op: "read" | "unread", pseudonym: string, submissions: readonly { id: string; desk: string }[]): { desk: string; change: TriageChange }[] {
  const perSubmission = submissions.map((s) => ({ desk: s.desk, change: { op, target: { type: "submission" as const, id: s.id } } }));
  if (op === "read") return perSubmission;
  const desks = [...new Set(submissions.map((s) => s.desk))];
  return [...perSubmission, ...desks.map((desk) => ({ desk, change: { op, target: { type: "source" as const, pseudonym } } }))];
}

/**
 * Editors who have read every submission of a source (readByEditor), sorted; a source with none, the
 * editors whose mark is on the source. What "read by" means for a source when its marks are per submission.
 */
export function sourceReadBy(state: ReadonlyMap<string, TriageState>, pseudonym: string, submissionIds: readonly string[]): string[] {
  const onSource = triageOf(state, { type: "source", pseudonym }).readBy;
  if (submissionIds.length === 0) return onSource;
  const readers = submissionIds.map((id) => new Set([...triageOf(state, { type: "submission", id }).readBy, ...onSource]));
  return [...readers[0]!].filter((e) => readers.every((r) => r.has(e))).sort();
}
