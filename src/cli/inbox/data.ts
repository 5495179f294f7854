// What the inbox shows, computed from the vault decrypted in this process (services/desk.ts) and the
// source-network model (core/network/analyze.ts); the network view and search are in views.ts. Plaintext
// stays in memory; nothing here is written.
import { setImmediate as nextTurn } from "node:timers/promises";
import { buildNetworkModel, modelEventsOf, type NetworkModel } from "../../core/network/analyze.js";
import { activeEditors, localName, type VerifiedRoster } from "../../core/roster.js";
import { coarseDay } from "../../core/time.js";
import type { SourceView } from "../network.js";
import { readPin } from "../roster-pin.js";
import type { EarlyDesk } from "../index/prefetch.js";
import { type DeskView, openDeskView } from "../services/desk.js";
import type { UnlockedHome } from "../services/session.js";
import { conversationOf } from "./conversation.js";
import { graphOf, networkAnswer, searchDesk } from "./views.js";
import { InboxNotFound } from "./server.js";
import type { Dossier, GraphData, InboxSummary, NetworkAnswer, SearchHit, SourceRow } from "./wire.js";
import { sourceReadChanges, TRIAGE_STATUSES, type TriageChange, type TriageState, triageOf, unreadCount } from "../../core/triage.js";
import { flushTriage, pendingTriage, type QueuedTriage, queueTriage, triageState } from "../services/triage.js";
import type { EditorSession } from "../services/session.js";

export const STATUSES = TRIAGE_STATUSES;

/** A triage change the page asks for, on one source (routes.ts parses it). */
export type SourceTriage = { op: "star" | "unstar" | "read" | "unread" } | { op: "status"; status: (typeof TRIAGE_STATUSES)[number] };

export class InboxData {
  private constructor(
    private readonly unlocked: UnlockedHome,
    private view: DeskView,
    private roster: VerifiedRoster | null,
    private model: NetworkModel,
    private pending: QueuedTriage[],
  ) {}

  static async open(unlocked: UnlockedHome, early?: EarlyDesk | null): Promise<InboxData> {
    const { view, roster, model, pending } = await InboxData.load(unlocked, early);
    return new InboxData(unlocked, view, roster, model, pending);
  }

  private static async load(unlocked: UnlockedHome, early?: EarlyDesk | null) {
    const view = await openDeskView(unlocked, early);
    const roster = (await readPin(unlocked.home))?.roster ?? null;
    await nextTurn(); // the server answers the page's requests between the desk and its model (open.ts)
    return { view, roster, model: modelOf(view, roster), pending: await pendingTriage(unlocked) };
  }

  /** The desk's shared triage as this vault tells it, this editor's queued changes on top (services/triage.ts); null until asked. */
  private triageCache: Map<string, TriageState> | null = null;

  private get triage(): Map<string, TriageState> {
    this.triageCache ??= triageState(this.view.desk, this.roster, { author: this.unlocked.editor.header.editorId, changes: this.pending }).state;
    return this.triageCache;
  }

  private triageOf(pseudonym: string): TriageState {
    return triageOf(this.triage, { type: "source", pseudonym });
  }

  /**
   * Queues one triage change on a source, for every desk the source wrote to. Nothing leaves the machine:
   * changes wait in the home until `shareTriage`, so single clicks never become server-side events.
   */
  async queueTriage(pseudonym: string, change: SourceTriage): Promise<number> {
    const s = this.source(pseudonym);
    const target = { type: "source" as const, pseudonym: s.pseudonym };
    const full: TriageChange = change.op === "status" ? { op: "status", target, status: change.status } : { op: change.op, target };
    // Read and unread are marked per submission shown, so what the source sends later arrives unread.
    const changes =
      change.op === "read" || change.op === "unread"
        ? sourceReadChanges(change.op, s.pseudonym, s.submissions.map((x) => ({ id: x.id, desk: x.desk })))
        : [...new Set(s.submissions.map((x) => x.desk))].map((desk) => ({ desk, change: full }));
    const waiting = await queueTriage(this.unlocked, changes);
    this.pending = await pendingTriage(this.unlocked);
    this.triageCache = null;
    return waiting;
  }

  /** Sends the queued changes: one signed, padded triage note per desk (the outbox on a reading half). */
  async shareTriage(session: EditorSession): Promise<number> {
    const sent = await flushTriage(session, this.unlocked, this.view.desk);
    await this.refresh();
    return sent.length;
  }

  /** Decrypts the vault again: after a reply or note was written, or a pull in another terminal. */
  async refresh(): Promise<void> {
    const { view, roster, model, pending } = await InboxData.load(this.unlocked);
    this.pending = pending;
    this.triageCache = null;
    this.view = view;
    this.roster = roster;
    this.model = model;
  }

  get desk(): DeskView {
    return this.view;
  }

  get editor() {
    return this.unlocked.editor;
  }

  get verifiedRoster(): VerifiedRoster | null {
    return this.roster;
  }

  summary(): Omit<InboxSummary, "rosterAlert" | "outbox" | "drawing"> {
    const { editor } = this.unlocked;
    const state = this.roster?.state;
    return {
      editor: { id: editor.header.editorId, name: editor.header.name },
      newsroom: state ? localName(state.names, "en") : "",
      today: coarseDay(new Date()),
      desks: (state?.desks ?? []).map((d) => ({ id: d.id, name: localName(d.names, "en") })),
      statuses: STATUSES,
      sources: this.view.sources.map((s) => this.row(s)),
      unreadable: this.view.desk.unreadable,
      triage: true,
      pendingTriage: this.pending.length,
    };
  }

  private row(s: SourceView): SourceRow {
    const modelled = this.model.sources.get(s.pseudonym);
    return {
      pseudonym: s.pseudonym,
      desks: [...new Set(s.submissions.map((x) => x.desk))],
      canReply: s.canReply,
      submissions: s.submissions.length,
      // What the source sent that this editor has not marked read (core/triage.ts), queued marks included.
      unread: unreadCount(this.triage, this.unlocked.editor.header.editorId, s.submissions),
      lastSeen: s.lastSeen,
      firstSeen: s.firstSeen,
      reliability: modelled?.reliability?.grade ?? s.reliability,
      credibility: s.credibility,
      tags: [...new Set([...s.tags, ...(modelled?.tags ?? [])])],
      ...((t) => ({ starred: t.starred, status: t.status, assignee: t.assignee }))(this.triageOf(s.pseudonym)),
    };
  }

  private source(pseudonym: string): SourceView {
    const s = this.view.sources.find((x) => x.pseudonym === pseudonym);
    if (!s) throw new InboxNotFound("such source");
    return s;
  }

  dossier(pseudonym: string): Dossier {
    const s = this.source(pseudonym);
    const modelled = this.model.sources.get(pseudonym);
    const name = (ref: { type: string; pseudonym?: string; id?: string }) => (ref.type === "source" ? ref.pseudonym! : (this.model.relays.get(ref.id!)?.label ?? ref.id!));
    const pseudonymOf = (id: string) => this.view.desk.submissions.find((x) => x.id === id)?.pseudonym ?? null;
    return {
      source: this.row(s),
      knownBy: modelled?.knownBy ?? 0,
      quietWindows: modelled?.quietWindows ?? [],
      introducedBy: (modelled?.introducedBy ?? []).map(name),
      introduced: (modelled?.introduced ?? []).map(name),
      paths: (modelled?.paths ?? []).map((p) => p.map((id) => this.model.relays.get(id)?.label ?? id)),
      items: conversationOf(s, pseudonymOf),
    };
  }

  /** Where a submission of this source is, for the reply composer and attachment routes. */
  submission(pseudonym: string, id: string) {
    const s = this.source(pseudonym).submissions.find((x) => x.id === id);
    if (!s) throw new InboxNotFound("such submission from this source");
    return s;
  }

  network(): NetworkAnswer {
    return networkAnswer(this.view, this.model, (s) => this.row(s));
  }

  /** Sources and relays, and who is tied to whom (views.ts). */
  graph(): GraphData {
    return graphOf(this.view, this.model, (s) => this.row(s));
  }

  /** Full-text search over what the desk decrypted (views.ts). */
  search(query: string): SearchHit[] {
    return searchDesk(this.view, query);
  }
}

function modelOf(view: DeskView, roster: VerifiedRoster | null): NetworkModel {
  const verified = view.desk.notes.flatMap((n) => (n.signature.verified ? [{ model: n.note.model, author: n.signature.author.id }] : []));
  const { events } = modelEventsOf(verified);
  const deskReaders: Record<string, string[]> = {};
  for (const e of roster ? activeEditors(roster.state) : []) for (const d of e.desks) (deskReaders[d] ??= []).push(e.id);
  return buildNetworkModel({
    submissions: view.desk.submissions.map((s) => ({ id: s.id, source: s.pseudonym, day: s.day, desk: s.desk })),
    events,
    today: coarseDay(new Date()),
    deskReaders,
  });
}
