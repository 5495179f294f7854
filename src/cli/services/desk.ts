// The desk's picture of its sources, decrypted from the vault with the editor's key: who they are (by
// pseudonym), their timelines, and the notes about them. Offline; plaintext stays in memory. The model and
// the linking rules are in ../network.ts; this is what commands (and a local inbox) ask of it.
import { setImmediate as nextTurn } from "node:timers/promises";
import { identityToRecipient } from "age-encryption";
import { byCodeUnits } from "../../core/canonical.js";
import { editorIdentities } from "../editor.js";
import { CliError } from "../errors.js";
import type { EarlyDesk } from "../index/prefetch.js";
import { syncIndex } from "../index/store.js";
import { counts, deskFromRecords, type DeskPicture, type DeskReader, findSubject, noteSourceOf, type OpenedNote, type SourceView, sourcesOf, type Subject } from "../network.js";
import { readPin } from "../roster-pin.js";
import { firstLine } from "../text.js";
import { type UnlockedHome, withVault } from "./session.js";

export interface DeskView {
  desk: DeskPicture;
  sources: SourceView[];
  /** What the reader should be told about how the view was made (the index was rebuilt, and why). */
  notices?: string[];
}

/**
 * What this home reads with: the editor's age identities (current and retired) and the roster it last
 * verified (home/roster.json: pinned at init or join, advanced by every command that talks to the server).
 * Offline, no server is asked; a reading machine keeps its pin current the same way, from what it imports.
 */
export async function deskReader({ home, editor }: UnlockedHome): Promise<DeskReader> {
  const identities = editorIdentities(editor);
  const recipients = await Promise.all(identities.map((i) => identityToRecipient(i)));
  return { identities, recipients, roster: (await readPin(home))?.roster ?? null };
}

/**
 * The desk from the vault's index (../index/store.ts), which decrypts only what reached the vault since the
 * last command, then verifies every reply and note against the roster; `desk.unreadable` counts what this
 * key cannot open. `notices` says when the index had to be rebuilt and why (printUnreadable prints it).
 * `early` is the vault and what was read of it while the key was derived (../index/prefetch.ts); it is closed.
 */
export async function openDeskView(unlocked: UnlockedHome, early?: EarlyDesk | null): Promise<DeskView> {
  const reader = await deskReader(unlocked);
  const synced = await withVault(unlocked.home, (vault) => syncIndex(unlocked.home, unlocked.editor, reader.identities, vault, early?.inputs), early?.vault);
  await nextTurn(); // the inbox's server answers between the index and the desk model
  const desk = deskFromRecords(synced.records, reader);
  const notices = synced.rebuiltBecause === null ? [] : [`the vault's index ${unlocked.home.indexFile} could not be used (${synced.rebuiltBecause}); rebuilt it from the vault`];
  return { desk, sources: sourcesOf(desk), notices };
}

/** The source or submission an editor named (pseudonym or its prefix, submission id or its prefix). */
export function resolveSubject(text: string, { desk, sources }: DeskView): Subject {
  const found = findSubject(text, desk, sources);
  if ("error" in found) throw new CliError(found.error);
  return found;
}

export type SourceSummary = ReturnType<typeof sourceSummary>;

export function sourceSummary(s: SourceView) {
  return {
    pseudonym: s.pseudonym,
    canReply: s.canReply,
    submissions: s.submissions.length,
    followups: s.submissions.filter((x) => x.envelope.kind === "followup").length,
    replies: s.replies.length,
    notes: s.notes.length,
    /** Of those notes, how many did not verify (shown, never counted). */
    unverifiedNotes: s.notes.filter((n) => !counts(n)).length,
    firstSeen: s.firstSeen,
    lastSeen: s.lastSeen,
    reliability: s.reliability,
    credibility: s.credibility,
    tags: s.tags,
  };
}

export type NoteRow = ReturnType<typeof noteRow>;

/** A note as editors see it, with the pseudonym of each submission it names where the desk can tell. */
export function noteRow(n: OpenedNote, pseudonymOfSubmission: (id: string) => string | null) {
  const { subject, tags, reliability, credibility, text, links, author } = n.note;
  return {
    id: n.id,
    day: n.day,
    author,
    subject:
      subject.type === "source"
        ? { type: "source" as const, pseudonym: subject.pseudonym }
        : { type: "submission" as const, id: subject.id, source: pseudonymOfSubmission(subject.id) },
    tags,
    reliability,
    credibility,
    text,
    links: links.map((l) => ({ ...l, source: pseudonymOfSubmission(l.submission) })),
    signature: n.signature,
  };
}

const pseudonymLookup = (desk: DeskPicture) => {
  const bySubmission = new Map(desk.submissions.map((s) => [s.id, s]));
  return { bySubmission, pseudonymOf: (id: string) => bySubmission.get(id)?.pseudonym ?? null };
};

/** The desk's notes, or those about one source or submission (or linking to it), each with whom it is about. */
export function listNotes(view: DeskView, about?: string): (NoteRow & { about: string | null })[] {
  let notes: OpenedNote[] = view.desk.notes;
  if (about !== undefined) {
    const found = resolveSubject(about, view);
    if (found.type === "source") notes = found.source.notes;
    else notes = notes.filter((n) => (n.note.subject.type === "submission" && n.note.subject.id === found.id) || n.note.links.some((l) => l.submission === found.id));
  }
  const { bySubmission, pseudonymOf } = pseudonymLookup(view.desk);
  return notes.map((n) => ({ ...noteRow(n, pseudonymOf), about: noteSourceOf(n.note, bySubmission) }));
}

export type TimelineEntry = ReturnType<typeof timelineOf>[number];

export function timelineOf(source: SourceView, desk: DeskPicture) {
  const { pseudonymOf } = pseudonymLookup(desk);
  const entries = [
    ...source.submissions.map((s) => ({
      type: s.envelope.kind,
      id: s.id,
      day: s.day,
      desk: s.desk,
      firstLine: firstLine(s.envelope.message),
      attachments: s.envelope.attachments.length,
      canReply: s.envelope.reply !== null,
    })),
    ...source.replies.map((r) => ({ type: "reply" as const, id: r.id, day: r.day, from: r.reply.from, inReplyTo: r.reply.inReplyTo, message: r.reply.message, signature: r.signature })),
    ...source.notes.map((n) => ({ type: "note" as const, ...noteRow(n, pseudonymOf) })),
  ];
  return inConversationOrder(source, entries);
}

/**
 * A source's items (by id: its submissions, replies and notes) in the order they happened: by day, then in
 * the order they reached this vault (the local arrival number, never shown; network.ts puts a day's
 * follow-ups after its first submissions). Items without one keep, within a day, the order they are given
 * in (a stable sort). `sealdrop source` and the inbox's conversation (inbox/conversation.ts) both use it.
 */
export function inConversationOrder<T extends { id: string; day: string }>(source: SourceView, entries: readonly T[]): T[] {
  const seq = new Map<string, number>();
  for (const x of [...source.submissions, ...source.replies, ...source.notes]) if (x.seq !== undefined) seq.set(x.id, x.seq);
  const order = (e: { id: string }) => seq.get(e.id) ?? Number.MAX_SAFE_INTEGER;
  return [...entries].sort((a, b) => byCodeUnits(a.day, b.day) || order(a) - order(b));
}

/** One source's summary and timeline; a submission id names the source that sent it. */
export function sourceTimeline(view: DeskView, named: string) {
  const found = resolveSubject(named, view);
  const source = found.type === "source" ? found.source : view.sources.find((s) => s.pseudonym === found.submission?.pseudonym);
  if (!source) throw new CliError(`submission ${found.type === "submission" ? found.id : ""} is not encrypted to your key; its source is unknown to you`);
  const { submissions: _s, followups: _f, replies: _r, notes: _n, unverifiedNotes: _u, ...about } = sourceSummary(source);
  return { ...about, timeline: timelineOf(source, view.desk) };
}
