// The desk's views, served from the vault index: what `sealdrop list`, `sources` and `source` print and
// what the local inbox (`sealdrop inbox`) asks for. Open the desk once with openDesk(); every other
// function here is pure and fast on that view, so the inbox can answer many requests from one opening
// and open again after a pull.
//
// Exports:
// - openDesk(unlocked): Promise<DeskView>            the desk, from the index (kept in step with the vault)
// - editorDesks(unlocked): Promise<string[] | null>  the desks the roster gives this editor (null: no roster)
// - listSubmissions(view, filters?, desks?): SubmissionRow[]   submissions, newest first (`list`)
// - listSources(view, filters?): SourceSummary[]     sources, most recently seen first (`sources`)
// - conversation(view, named): Conversation          one source's thread in true order (`source`)
// - search(view, text): SearchHit[]                  full-text search over decrypted messages and replies
// - matchesText(text, query): boolean                the search's matching rule
// - parseGrade(text): GradeFilter                    "B", "2" or "B2" (throws UsageError otherwise)
// Types: ListFilters, GradeFilter, SubmissionRow, SourceSummary, Conversation, SearchHit, DeskView.
import { byCodeUnits } from "../../core/canonical.js";
import { findEditor } from "../../core/roster-state.js";
import type { OpenedSubmission, SourceView } from "../network.js";
import { readPin } from "../roster-pin.js";
import { type DeskView, openDeskView, type SourceSummary, sourceSummary, sourceTimeline } from "../services/desk.js";
import type { UnlockedHome } from "../services/session.js";
import type { GradeFilter, ListFilters } from "./filters.js";
import { firstLine } from "../text.js";

export type { DeskView, GradeFilter, ListFilters, SourceSummary };
export { parseGrade } from "./filters.js";
export type Conversation = ReturnType<typeof sourceTimeline>;

/** A submission as `list` shows it; `error` says why this key cannot open it (then most fields are null). */
export interface SubmissionRow {
  id: string;
  day: string;
  desk: string;
  kind: "submission" | "followup" | null;
  source: string | null;
  firstLine: string | null;
  attachments: number;
  error?: string;
}

export interface SearchHit {
  type: "submission" | "followup" | "reply";
  id: string;
  day: string;
  source: string;
  /** The first line of the text that matched. */
  line: string;
}

export const openDesk = openDeskView;

export async function editorDesks({ home, editor }: UnlockedHome): Promise<string[] | null> {
  const pin = await readPin(home);
  if (!pin) return null;
  return findEditor(pin.roster.state, editor.header.editorId)?.desks ?? null;
}

const fold = (text: string): string => text.normalize("NFKC").toLowerCase().replace(/\s+/g, " ");

/** Whether every word of `query` appears in `text`, ignoring case and compatibility forms. */
export function matchesText(text: string, query: string): boolean {
  const hay = fold(text);
  return fold(query).split(" ").filter(Boolean).every((w) => hay.includes(w));
}

const searchableText = (s: OpenedSubmission): string =>
  [s.envelope.message, ...Object.values(s.envelope.fields), ...s.envelope.attachments.map((a) => a.name)].join("\n");

function sourceMatches(source: SourceView | undefined, filters: ListFilters): boolean {
  const { tag, grade } = filters;
  if (tag !== undefined && !(source?.tags ?? []).some((t) => t.toLowerCase() === tag.toLowerCase())) return false;
  if (grade !== undefined) {
    if (grade.reliability !== null && source?.reliability !== grade.reliability) return false;
    if (grade.credibility !== null && source?.credibility !== grade.credibility) return false;
  }
  return true;
}

/**
 * Submissions newest day first (within a day, the latest to reach this vault first); with `desks`, only
 * those desks' (an editor's own). Ones this key cannot open are listed with why, unless a filter needs
 * their contents.
 */
export function listSubmissions(view: DeskView, filters: ListFilters = {}, desks: readonly string[] | null = null): SubmissionRow[] {
  const bySource = new Map(view.sources.map((s) => [s.pseudonym, s]));
  const onDesk = (desk: string) => (desks === null || desks.includes(desk)) && (filters.desk === undefined || filters.desk === desk);
  const rows: (SubmissionRow & { seq: number })[] = [];
  for (const s of view.desk.submissions) {
    if (!onDesk(s.desk) || !sourceMatches(bySource.get(s.pseudonym), filters)) continue;
    if (filters.search !== undefined && !matchesText(searchableText(s), filters.search)) continue;
    const e = s.envelope;
    rows.push({ id: s.id, day: s.day, desk: s.desk, kind: e.kind, source: e.reply ? s.pseudonym : null, firstLine: firstLine(e.message), attachments: e.attachments.length, seq: s.seq ?? 0 });
  }
  const needsContents = filters.tag !== undefined || filters.grade !== undefined || filters.search !== undefined;
  if (!needsContents) {
    for (const u of view.desk.unreadableSubmissions ?? []) {
      if (onDesk(u.desk)) rows.push({ id: u.id, day: u.day, desk: u.desk, kind: null, source: null, firstLine: null, attachments: 0, error: u.reason, seq: 0 });
    }
  }
  rows.sort((a, b) => byCodeUnits(b.day, a.day) || b.seq - a.seq || byCodeUnits(a.id, b.id));
  return rows.map(({ seq: _, ...row }) => row);
}

/** Sources, most recently seen first, that match the filters (desk: one of theirs is on it; search: one of their messages). */
export function listSources(view: DeskView, filters: ListFilters = {}): SourceSummary[] {
  return view.sources
    .filter((s) => filters.desk === undefined || s.submissions.some((x) => x.desk === filters.desk))
    .filter((s) => sourceMatches(s, filters))
    .filter((s) => filters.search === undefined || s.submissions.some((x) => matchesText(searchableText(x), filters.search!)) || s.replies.some((r) => matchesText(r.reply.message, filters.search!)))
    .map(sourceSummary);
}

/** One source's thread (a pseudonym or its prefix, or a submission id of theirs): by day, then in the order things happened here. */
export function conversation(view: DeskView, named: string): Conversation {
  return sourceTimeline(view, named);
}

/** Every submission, follow-up and reply whose text holds every word of `text`, newest day first. */
export function search(view: DeskView, text: string): SearchHit[] {
  if (text.trim() === "") return [];
  const hits: (SearchHit & { seq: number })[] = [];
  for (const s of view.desk.submissions) {
    if (matchesText(searchableText(s), text)) hits.push({ type: s.envelope.kind, id: s.id, day: s.day, source: s.pseudonym, line: firstLine(s.envelope.message), seq: s.seq ?? 0 });
  }
  for (const r of view.desk.replies) {
    if (matchesText(r.reply.message, text)) hits.push({ type: "reply", id: r.id, day: r.day, source: r.pseudonym, line: firstLine(r.reply.message), seq: r.seq ?? 0 });
  }
  hits.sort((a, b) => byCodeUnits(b.day, a.day) || b.seq - a.seq);
  return hits.map(({ seq: _, ...hit }) => hit);
}

