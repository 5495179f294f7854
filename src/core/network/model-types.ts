// The source-network model's shapes (docs/FORMAT.md, "Source-network model"): what buildNetworkModel
// (analyze.ts) is given and what it answers. Types only.
import type { EntityRef, ModelEvent } from "./events.js";

export interface ModelSubmission {
  id: string;
  /** The source's pseudonym. */
  source: string;
  day: string;
  desk: string;
}

export interface AuthoredEvent {
  event: ModelEvent;
  /** The roster editor id that signed the note carrying the event. */
  author: string;
}

export interface ModelInput {
  submissions: readonly ModelSubmission[];
  /** Verified events only, in the order they combine (by day, then as the vault orders notes). */
  events: readonly AuthoredEvent[];
  /** The reader's UTC day. */
  today: string;
  /** Editor ids per desk in the verified roster: who on the desk can read a source. */
  deskReaders?: Readonly<Record<string, readonly string[]>>;
  /** A gap between contacts longer than this many days is a quiet window. Default 14. */
  quietDays?: number;
}

export interface Assessment<G> {
  grade: G;
  author: string;
  day: string;
  basis: string;
}

export interface ActiveRelation {
  event: string;
  relation: string;
  from: EntityRef;
  to: EntityRef;
  author: string;
  day: string;
  basis: string;
  days?: { from: string; to: string };
  upstream?: string;
}

export interface SourceView {
  pseudonym: string;
  desks: string[];
  submissions: string[];
  firstDay: string | null;
  lastContactDay: string | null;
  quietWindows: { from: string; to: string; days: number }[];
  reliability: Assessment<string> | null;
  reliabilityHistory: Assessment<string>[];
  tags: string[];
  /** Who brought this source to the desk, and whom they brought. */
  introducedBy: EntityRef[];
  introduced: EntityRef[];
  /** Each path by which the source's information reaches the desk: relay ids, nearest first ([] = direct). */
  paths: string[][];
  /** How many editors on the source's desks can read them. */
  knownBy: number;
}

export interface RelayView {
  id: string;
  label: string;
  reliability: Assessment<string> | null;
  reliabilityHistory: Assessment<string>[];
  tags: string[];
  /** Whom this relay carries for directly. */
  relaysFor: EntityRef[];
}

export interface ClaimView {
  id: string;
  label: string;
  submission: string;
  source: string | null;
  credibility: Assessment<number> | null;
  credibilityHistory: Assessment<number>[];
  tags: string[];
  /** Claims this one corroborates or contradicts (the relation is shown on both sides). */
  corroborates: string[];
  contradicts: string[];
  /** Every claim that agrees with this one, directly or through others, this one included. */
  agreeing: string[];
  /** Independent chains behind the agreeing claims: sources sharing a relay, a group or an origin count once. */
  chains: number;
  singleChain: boolean;
  contradicted: boolean;
  /** Days from the information's own day (its `about` range end, else the submission's day) to today. */
  ageDays: number | null;
}

export interface ModelProblem {
  event: string;
  code: string;
  message: string;
}

export interface NetworkModel {
  sources: Map<string, SourceView>;
  relays: Map<string, RelayView>;
  claims: Map<string, ClaimView>;
  relations: ActiveRelation[];
  /** Events that could not be applied (wrong ends, unknown entity, …): shown, never silently dropped. */
  problems: ModelProblem[];
}
