// The graph's text twin (graph.ts textTwin): one row per node, in layer order, for a table a screen
// reader can use, with every edge at the node seen from it.
import { type DayRange, type GraphData, type GraphEdgeKind, type GraphNodeKind, pushTo, type Reliability, UNDIRECTED_EDGE_KINDS } from "./graph-types.js";

export interface TextTwinLink {
  kind: GraphEdgeKind;
  node: string;
  /** "out" from the edge's source, "in" at its target; "both" for an undirected edge. */
  direction: "out" | "in" | "both";
}

export interface TextTwinRow {
  id: string;
  kind: GraphNodeKind;
  /** As on the node: the view names the desk and chains in its language. */
  label: string;
  ordinal?: number;
  grade: Reliability | null;
  layer: number;
  chain: string | null;
  desks: string[];
  regions: string[];
  days: DayRange | null;
  /** Every edge at this node, seen from it: which kind, to which node, and which way. */
  connects: TextTwinLink[];
}

export function textTwin(data: GraphData): TextTwinRow[] {
  const links = new Map<string, TextTwinLink[]>();
  for (const e of data.edges) {
    const both = UNDIRECTED_EDGE_KINDS.includes(e.kind);
    pushTo(links, e.source, { kind: e.kind, node: e.target, direction: both ? "both" : "out" });
    pushTo(links, e.target, { kind: e.kind, node: e.source, direction: both ? "both" : "in" });
  }
  return data.nodes.map((n) => ({
    id: n.id,
    kind: n.kind,
    label: n.label,
    ...(n.ordinal !== undefined ? { ordinal: n.ordinal } : {}),
    grade: n.grade,
    layer: n.layer,
    chain: n.chain,
    desks: n.desks,
    regions: n.regions,
    days: n.days,
    connects: links.get(n.id) ?? [],
  }));
}
