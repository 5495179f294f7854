// The network graph's shapes (graph.ts), and one helper: plain JSON the inbox may send its page, and the edge kinds
// the layout and the text twin read.
import type { RELIABILITY } from "../grades.js";

export type Reliability = (typeof RELIABILITY)[number];
export type GraphNodeKind = "desk" | "chain" | "relay" | "source";
export type GraphEdgeKind = "desk" | "chain" | "relays_for" | "introduced_by" | "same_group" | "corroborates" | "contradicts" | "related";
/** Edges along which information reaches the desk: the layered layout ranks by these alone. */
export const FLOW_EDGE_KINDS: readonly GraphEdgeKind[] = ["desk", "chain", "relays_for"];
/** Edges with no direction: their two ends are in id order, and they read the same from either end. */
export const UNDIRECTED_EDGE_KINDS: readonly GraphEdgeKind[] = ["same_group", "corroborates", "contradicts", "related"];

export interface DayRange {
  from: string;
  to: string;
}

export interface GraphNode {
  /** "desk", "chain:<n>", "relay:<id>" or "source:<pseudonym>" (analyze.ts refKey for people). */
  id: string;
  kind: GraphNodeKind;
  /** The pseudonym or the relay's label; "" for the desk and chains, which the view names in its language. */
  label: string;
  /** Chains are numbered 1, 2, … in the order of their first member's label. */
  ordinal?: number;
  grade: Reliability | null;
  desks: string[];
  regions: string[];
  days: DayRange | null;
  layer: number;
  /** The chain node a person belongs to (null for the desk and chains). */
  chain: string | null;
}

export interface GraphEdge {
  id: string;
  kind: GraphEdgeKind;
  source: string;
  target: string;
}

export interface GraphData {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Every desk, region and the overall day range in the unfiltered graph, for the filter controls. */
  desks: string[];
  regions: string[];
  days: DayRange | null;
}

export interface GraphFilters {
  desks?: readonly string[];
  /** Region term ids (vocabulary.ts), e.g. "ryanggang". */
  regions?: readonly string[];
  days?: { from?: string; to?: string };
}

/** A desk note's link from one source's submission to another's (messages.ts note `links`), by pseudonym. */
export interface SourceLink {
  from: string;
  to: string;
  relation: "corroborates" | "contradicts" | "related";
}

/** Appends `value` to the list under `key`: how the graph and its text twin gather edges per node. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
