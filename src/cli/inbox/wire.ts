// The shapes the inbox's JSON routes answer with (routes.ts), shared as types with the page (client/inbox), and the
// size of a page of its source list, which the page and bench/inbox.ts share.
// Everything a source wrote is in here as plain strings: the page puts it on screen as text only.

import type { GraphData as LayeredGraph } from "../../core/network/graph.js";

/** Sources per page of the inbox's triage list (client/inbox/sources.ts; bench/inbox.ts waits for one page). */
export const SOURCES_PAGE_SIZE = 100;

export interface AttachmentRow {
  position: number;
  name: string;
  type: string;
  size: number;
  /** The file's SHA-256 as the manifest gives it; null for a file the page streamed, whose manifest gives its pieces digest (src/core/pieces.ts) and whose SHA-256 `save` computes. */
  sha256: string | null;
  /** Whether the page may offer a preview on request: a raster image type the preview route serves. */
  previewable: boolean;
}

export interface SourceRow {
  pseudonym: string;
  desks: string[];
  canReply: boolean;
  submissions: number;
  unread: number;
  lastSeen: string | null;
  firstSeen: string | null;
  reliability: string | null;
  credibility: number | null;
  tags: string[];
  starred: boolean;
  status: string;
  assignee: string | null;
}

export interface RosterAlert {
  /** Entries since this editor last looked in the inbox, as sentences. */
  changes: { seq: number; text: string }[];
  head: { seq: number; hash: string };
}

export interface InboxSummary {
  editor: { id: string; name: string };
  newsroom: string;
  /** True on the reading half of a split home: replies go to the outbox. */
  outbox: boolean;
  today: string;
  desks: { id: string; name: string }[];
  statuses: readonly string[];
  sources: SourceRow[];
  rosterAlert: RosterAlert | null;
  unreadable: { submissions: number; replies: number; notes: number };
  /** Whether this build has the graph view's drawing (assets/graph.js); the text twin is always there. */
  drawing: boolean;
  /** Whether the triage controls are shown (desk triage notes, services/triage.ts). */
  triage: boolean;
  /** Triage changes queued on this machine and not yet shared with the desk. */
  pendingTriage: number;
}

export type ConversationItem =
  | { type: "submission" | "followup"; id: string; day: string; desk: string; message: string; fields: Record<string, string>; attachments: AttachmentRow[]; canReply: boolean }
  | { type: "reply"; id: string; day: string; from: string; message: string; author: string | null; verified: boolean; inReplyTo: string | null }
  | {
      type: "note";
      id: string;
      day: string;
      author: string | null;
      verified: boolean;
      tags: string[];
      reliability: string | null;
      credibility: number | null;
      text: string;
      links: { submission: string; relation: string; source: string | null }[];
    };

export interface Dossier {
  source: SourceRow;
  knownBy: number;
  quietWindows: { from: string; to: string; days: number }[];
  introducedBy: string[];
  introduced: string[];
  paths: string[][];
  items: ConversationItem[];
}

export interface ClaimRow {
  id: string;
  label: string;
  source: string | null;
  submission: string;
  chains: number;
  singleChain: boolean;
  contradicted: boolean;
  corroborates: string[];
  contradicts: string[];
  credibility: number | null;
  ageDays: number | null;
}

export interface GraphNode {
  id: string;
  kind: "source" | "relay";
  label: string;
  reliability: string | null;
  desks: string[];
}
export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  relation: string;
}
export interface GraphData {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface TimelineRow {
  day: string;
  source: string;
  type: "submission" | "followup" | "reply" | "note";
  id: string;
  desk: string | null;
  summary: string;
}

export interface IntroductionRow {
  who: string;
  introducedBy: string;
  day: string;
}

export interface NetworkAnswer {
  claims: ClaimRow[];
  /** Who is tied to whom, for the tables. */
  graph: GraphData;
  /**
   * The same network laid out in layers for the drawing (src/core/network/graph.ts buildGraph). Single
   * points of failure are not in it: the page computes them for the screen only (client/inbox/graph.ts).
   */
  layered: LayeredGraph;
  timeline: TimelineRow[];
  introductions: IntroductionRow[];
  problems: { event: string; code: string; message: string }[];
}

export interface SearchHit {
  pseudonym: string;
  id: string;
  day: string;
  type: string;
  excerpt: string;
}

export interface ApiErrorBody {
  error: { code: string; message: string };
}
