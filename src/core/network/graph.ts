// The network graph of the source-network model (issue 15, "Views"): plain data for the inbox's graph
// view (client/inbox/graph.ts) and its text twin. No DOM; the CLI process, the browser and the tests share it.
//
// API
// - buildGraph(model, filters?, { links }?) → GraphData: what to draw, from buildNetworkModel's result. Nodes are the
//   desk (the sink), one node per chain (the unit of independence: people who share a relay or a group
//   reach the desk as one chain), relays and sources. Flow edges run from the desk down: desk → chain →
//   first-hand person (one who reaches the desk without a relay) → … along `relays_for` (relay → whom it
//   carries). Other edges: introduced_by (from → to), same_group, and corroborates / contradicts between
//   two sources whose claims the desk related, or whose submissions a desk note links (`links`: the note's
//   corroborates / contradicts / related, by pseudonym; "related" is its own undirected kind). Each node has its reliability grade (for colour), desks,
//   regions (term ids of `region:` tags), day range and layer (0 the desk, 1 chains, 2 first-hand people,
//   3 whom they carry, …). GraphData is plain JSON: the inbox may send it to its page.
// - filterGraph(data, filters) → GraphData: the same filter in the page (setFilter) without the model.
//   A source is kept when it matches every filter given (desk, region, days overlapping); a relay when it
//   matches or carries a kept source; every carrier of a kept person is kept too, so each kept source
//   still shows every path it has to the desk.
// - singlePointsOfFailure(data) → SinglePointsOfFailure: relays whose loss cuts sources off the desk
//   (each such relay lies on every path of those sources: a dominator in the path-to-desk graph). Computed
//   on demand for highlighting on screen only: it is never part of GraphData, cannot be turned into JSON
//   (toJSON throws) and there is no export of it (docs/THREAT-MODEL.md, "What the desk's model does not keep").
// - textTwin(data) → TextTwinRow[]: one row per node, in layer order, for a table a screen reader can use.
import { RELIABILITY } from "../grades.js";
import { type NetworkModel, refKey } from "./analyze.js";
import type { EntityRef } from "./events.js";
import type { DayRange, GraphData, GraphEdge, GraphEdgeKind, GraphFilters, GraphNode, Reliability, SourceLink } from "./graph-types.js";
import { FLOW_EDGE_KINDS, pushTo, UNDIRECTED_EDGE_KINDS } from "./graph-types.js";

export type { DayRange, GraphData, GraphEdge, GraphEdgeKind, GraphFilters, GraphNode, GraphNodeKind, Reliability, SourceLink } from "./graph-types.js";
export { FLOW_EDGE_KINDS, UNDIRECTED_EDGE_KINDS } from "./graph-types.js";
export { textTwin, type TextTwinLink, type TextTwinRow } from "./graph-text-twin.js";

export const DESK_NODE = "desk";
const REGION = "region:";

const sortedUnique = (values: Iterable<string>): string[] => [...new Set(values)].sort();
const spanOf = (ranges: Iterable<DayRange | null>): DayRange | null => {
  const present = [...ranges].filter((r): r is DayRange => r !== null);
  if (present.length === 0) return null;
  return { from: present.map((r) => r.from).sort()[0]!, to: present.map((r) => r.to).sort().at(-1)! };
};
const asGrade = (grade: string | undefined): Reliability | null => ((RELIABILITY as readonly string[]).includes(grade ?? "") ? (grade as Reliability) : null);
const regionsOf = (tags: readonly string[]) => tags.filter((t) => t.startsWith(REGION)).map((t) => t.slice(REGION.length));
const personKey = (ref: EntityRef): string | null => (ref.type === "claim" ? null : refKey(ref));

/** Carriers per person: who relays for them (upward), and whom each relay carries (downward). */
function carrying(edges: readonly GraphEdge[]): { up: Map<string, string[]>; down: Map<string, string[]> } {
  const up = new Map<string, string[]>();
  const down = new Map<string, string[]>();
  for (const e of edges) {
    if (e.kind !== "relays_for") continue;
    pushTo(up, e.target, e.source);
    pushTo(down, e.source, e.target);
  }
  return { up, down };
}

export function buildGraph(model: NetworkModel, filters: GraphFilters = {}, extra: { links?: readonly SourceLink[] } = {}): GraphData {
  const people = new Map<string, GraphNode>();
  for (const s of model.sources.values()) {
    const key = `source:${s.pseudonym}`;
    const days = s.firstDay && s.lastContactDay ? { from: s.firstDay, to: s.lastContactDay } : null;
    people.set(key, { id: key, kind: "source", label: s.pseudonym, grade: asGrade(s.reliability?.grade), desks: [...s.desks].sort(), regions: regionsOf(s.tags), days, layer: 0, chain: null });
  }
  for (const r of model.relays.values()) {
    const key = `relay:${r.id}`;
    people.set(key, { id: key, kind: "relay", label: r.label, grade: asGrade(r.reliability?.grade), desks: [], regions: regionsOf(r.tags), days: null, layer: 0, chain: null });
  }

  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  const addEdge = (kind: GraphEdgeKind, source: string, target: string, undirected = false) => {
    const [a, b] = undirected && target < source ? [target, source] : [source, target];
    const id = `${kind}:${a}→${b}`;
    if (a === b || seen.has(id)) return;
    seen.add(id);
    edges.push({ id, kind, source: a, target: b });
  };
  const relayDays = new Map<string, DayRange[]>();
  for (const r of model.relations) {
    const from = personKey(r.from);
    const to = personKey(r.to);
    if (r.relation === "relays_for" && from && to) {
      addEdge("relays_for", from, to);
      pushTo(relayDays, from, r.days ?? { from: r.day, to: r.day });
    } else if (r.relation === "introduced_by" && from && to) addEdge("introduced_by", from, to);
    else if (r.relation === "same_group" && from && to) addEdge("same_group", from, to, true);
    else if ((r.relation === "corroborates" || r.relation === "contradicts") && r.from.type === "claim" && r.to.type === "claim") {
      const a = model.claims.get(r.from.id)?.source;
      const b = model.claims.get(r.to.id)?.source;
      if (a && b) addEdge(r.relation, `source:${a}`, `source:${b}`, true);
    }
  }

  for (const link of extra.links ?? []) {
    const [a, b] = [`source:${link.from}`, `source:${link.to}`];
    if (people.has(a) && people.has(b)) addEdge(link.relation, a, b, true);
  }

  // Relays take the desks and days of everyone they carry, directly or through other relays.
  const { up, down } = carrying(edges);
  const carried = (key: string): GraphNode[] => {
    const seen = new Set([key]);
    const stack = [key];
    const out: GraphNode[] = [];
    while (stack.length > 0) {
      for (const next of down.get(stack.pop()!) ?? []) {
        if (seen.has(next)) continue;
        seen.add(next);
        out.push(people.get(next)!);
        stack.push(next);
      }
    }
    return out;
  };
  for (const node of people.values()) {
    if (node.kind !== "relay") continue;
    const below = carried(node.id).filter((n) => n.kind === "source");
    node.desks = sortedUnique(below.flatMap((n) => n.desks));
    node.days = spanOf([...below.map((n) => n.days), ...(relayDays.get(node.id) ?? [])]);
  }

  // First-hand people reach the desk with no relay; a cycle of relays is cut at its first member (as analyze.ts does).
  const keys = [...people.keys()].sort();
  const entries: string[] = [];
  const depth = new Map<string, number>();
  const reach = (starts: string[]) => {
    const queue = [...starts];
    for (const s of starts) depth.set(s, 2);
    for (let i = 0; i < queue.length; i++) {
      const key = queue[i]!;
      for (const next of down.get(key) ?? []) {
        if (depth.has(next)) continue;
        depth.set(next, depth.get(key)! + 1);
        queue.push(next);
      }
    }
  };
  const firstHand = keys.filter((k) => (up.get(k) ?? []).length === 0);
  entries.push(...firstHand);
  reach(firstHand);
  for (const key of keys) {
    if (depth.has(key)) continue;
    entries.push(key);
    reach([key]);
  }
  for (const [key, layer] of depth) people.get(key)!.layer = layer;

  // Chains: people joined by carrying or by a group are one chain.
  const parent = new Map<string, string>(keys.map((k) => [k, k]));
  const find = (k: string): string => {
    while (parent.get(k) !== k) k = parent.get(k)!;
    return k;
  };
  for (const e of edges) {
    if (e.kind !== "relays_for" && e.kind !== "same_group") continue;
    const [a, b] = [find(e.source), find(e.target)];
    if (a !== b) parent.set(a < b ? b : a, a < b ? a : b);
  }
  const members = new Map<string, GraphNode[]>();
  for (const key of keys) pushTo(members, find(key), people.get(key)!);
  const chainList = [...members.values()]
    .map((list) => list.sort((a, b) => a.label.localeCompare(b.label) || a.id.localeCompare(b.id)))
    .sort((a, b) => a[0]!.label.localeCompare(b[0]!.label) || a[0]!.id.localeCompare(b[0]!.id));
  const chains: GraphNode[] = chainList.map((list, i) => {
    const id = `chain:${i + 1}`;
    for (const m of list) m.chain = id;
    return { id, kind: "chain", label: "", ordinal: i + 1, grade: null, desks: sortedUnique(list.flatMap((m) => m.desks)), regions: sortedUnique(list.flatMap((m) => m.regions)), days: spanOf(list.map((m) => m.days)), layer: 1, chain: null };
  });
  const flow: GraphEdge[] = [];
  for (const c of chains) flow.push({ id: `desk:${DESK_NODE}→${c.id}`, kind: "desk", source: DESK_NODE, target: c.id });
  for (const key of entries) {
    const node = people.get(key)!;
    flow.push({ id: `chain:${node.chain}→${key}`, kind: "chain", source: node.chain!, target: key });
  }

  const all = [...people.values()];
  const desk: GraphNode = { id: DESK_NODE, kind: "desk", label: "", grade: null, desks: sortedUnique(all.flatMap((n) => n.desks)), regions: sortedUnique(all.flatMap((n) => n.regions)), days: spanOf(all.map((n) => n.days)), layer: 0, chain: null };
  const data: GraphData = {
    nodes: [desk, ...chains, ...all.sort((a, b) => a.layer - b.layer || a.kind.localeCompare(b.kind) || a.label.localeCompare(b.label))],
    edges: [...flow, ...edges],
    desks: desk.desks,
    regions: desk.regions,
    days: desk.days,
  };
  return filterGraph(data, filters);
}

const overlaps = (range: DayRange | null, filter: { from?: string; to?: string }): boolean =>
  range !== null && (filter.from === undefined || range.to >= filter.from) && (filter.to === undefined || range.from <= filter.to);

function matches(node: GraphNode, filters: GraphFilters): boolean {
  if (filters.desks && filters.desks.length > 0 && !node.desks.some((d) => filters.desks!.includes(d))) return false;
  if (filters.regions && filters.regions.length > 0 && !node.regions.some((r) => filters.regions!.includes(r))) return false;
  if (filters.days && (filters.days.from !== undefined || filters.days.to !== undefined) && !overlaps(node.days, filters.days)) return false;
  return true;
}

export function filterGraph(data: GraphData, filters: GraphFilters): GraphData {
  const kept = new Set<string>();
  const upward = new Map<string, string[]>();
  for (const e of data.edges) if (FLOW_EDGE_KINDS.includes(e.kind)) pushTo(upward, e.target, e.source);
  const keep = (id: string) => {
    if (kept.has(id)) return;
    kept.add(id);
    for (const next of upward.get(id) ?? []) keep(next);
  };
  for (const n of data.nodes) if ((n.kind === "source" || n.kind === "relay") && matches(n, filters)) keep(n.id);
  // Relays that carry no kept source and matched nothing else stay out; so do chains left empty.
  keep(DESK_NODE);
  const nodes = data.nodes.filter((n) => kept.has(n.id));
  return { ...data, nodes, edges: data.edges.filter((e) => kept.has(e.source) && kept.has(e.target)) };
}

/**
 * Which relays, if lost or turned, cut which sources off the desk. Only for highlighting on screen: it
 * refuses JSON (toJSON throws) and keeps its contents in private fields, so neither JSON.stringify nor
 * structuredClone can carry it into a file, a bundle, a log or a response.
 */
export class SinglePointsOfFailure {
  readonly #cut: ReadonlyMap<string, readonly string[]>;
  constructor(cut: ReadonlyMap<string, readonly string[]>) {
    this.#cut = cut;
  }
  /** Whether `id` (a relay node) lies on every path to the desk of at least one source. */
  has(id: string): boolean {
    return this.#cut.has(id);
  }
  /** The source nodes that `id`'s loss cuts off, sorted; [] if none. */
  cutOff(id: string): readonly string[] {
    return this.#cut.get(id) ?? [];
  }
  get size(): number {
    return this.#cut.size;
  }
  toJSON(): never {
    throw new Error("graph_spof_not_exportable: single points of failure are shown on screen only, never exported");
  }
}

export function singlePointsOfFailure(data: GraphData): SinglePointsOfFailure {
  const downward = new Map<string, string[]>();
  for (const e of data.edges) if (FLOW_EDGE_KINDS.includes(e.kind)) pushTo(downward, e.source, e.target);
  const reachable = (without: string | null): Set<string> => {
    const seen = new Set<string>([DESK_NODE]);
    const stack = [DESK_NODE];
    while (stack.length > 0) {
      for (const next of downward.get(stack.pop()!) ?? []) {
        if (next === without || seen.has(next)) continue;
        seen.add(next);
        stack.push(next);
      }
    }
    return seen;
  };
  const sources = data.nodes.filter((n) => n.kind === "source").map((n) => n.id);
  const all = reachable(null);
  const cut = new Map<string, string[]>();
  for (const relay of data.nodes) {
    if (relay.kind !== "relay") continue;
    const still = reachable(relay.id);
    const lost = sources.filter((s) => all.has(s) && !still.has(s)).sort();
    if (lost.length > 0) cut.set(relay.id, lost);
  }
  return new SinglePointsOfFailure(cut);
}
