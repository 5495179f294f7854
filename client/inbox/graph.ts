// The inbox's network graph view: Cytoscape.js (canvas renderer, no GPU) with the dagre layered layout,
// over GraphData from src/core/network/graph.ts, and its text twin as a real table beside it.
//
// API (load this module only on the graph view: `const { mountGraph } = await import("./graph.js")`)
// - The page must link client/inbox/graph.css with id CYTOSCAPE_STYLESHEET_ID before mounting:
//     <link rel="stylesheet" id="__________cytoscape_stylesheet" href="…/graph.css">
//   Cytoscape looks for that id and, if absent, injects an inline <style>, which a strict CSP
//   (style-src 'self') blocks; mountGraph refuses to start without it (graph_stylesheet_missing).
// - mountGraph(container, data, { labels, language, onSelect }) draws into `container` (its children are
//   replaced): a filter form (desk, region, from/to day; it filters the view only, nothing is sent), the
//   canvas (keyboard: Tab to it; arrows move between nodes in the table's order; Enter or
//   Space selects; + and - zoom; 0 fits; Escape clears), a live line naming the node in focus, and the
//   table. Nodes are coloured by reliability and also differ by shape and by the grade in their label;
//   single points of failure (computed here from `data`, never sent or stored) get a double border and
//   a marker in their label and the table.
//   Returns { setFilter(filters), select(id), rendered(), destroy() }. rendered() reports what the canvas
//   holds (for tests and the inbox's own checks); it lives only in the page.
// Nothing from a source or an editor is ever HTML: labels are drawn on the canvas or set as text.
import cytoscape, { type Core, type ElementDefinition, type StylesheetJson } from "cytoscape";
import dagre from "cytoscape-dagre";
import { format } from "../../src/i18n/index.js";
import {
  filterGraph,
  FLOW_EDGE_KINDS,
  type GraphData,
  type GraphEdgeKind,
  type GraphFilters,
  type GraphNode,
  type GraphNodeKind,
  singlePointsOfFailure,
  textTwin,
  type TextTwinRow,
} from "../../src/core/network/graph.js";
import { h } from "../dom.js";
import { filterForm } from "./graph-filters.js";
import { twinTable } from "./graph-table.js";

export const CYTOSCAPE_STYLESHEET_ID = "__________cytoscape_stylesheet";

/** Every word the view shows, from the inbox's catalogue. `{n}`, `{node}` are filled in. */
export interface GraphLabels {
  /** The graph's accessible name and the table's caption. */
  title: string;
  /** How to use the canvas with a keyboard; shown under it and read as its description. */
  keyboardHelp: string;
  desk: string;
  /** E.g. "Chain {n}". */
  chain: string;
  kinds: Record<GraphNodeKind, string>;
  /**
   * An edge's name (drawn on claim links) and how it reads from each end, e.g. relays_for: { name: "relays
   * for", out: "relays for {node}", in: "carried by {node}" }. Undirected edges (same group, corroborates,
   * contradicts, related) read as `out` from both ends.
   */
  edges: Record<GraphEdgeKind, { name: string; out: string; in: string }>;
  /** Shown for a node with no reliability grade. */
  ungraded: string;
  /** Marker for a single point of failure, on the canvas and in the table. */
  spof: string;
  /** E.g. "cuts off {n} sources". */
  spofCuts: string;
  /** For a cell with nothing in it. */
  none: string;
  /** Shown when no node matches the filters. */
  empty: string;
  /** The filter form above the graph: its legend, each control's label, and the "every desk/region" choice. */
  filters: { legend: string; desk: string; region: string; from: string; to: string; all: string };
  columns: Record<"node" | "kind" | "grade" | "layer" | "chain" | "desks" | "regions" | "days" | "connects" | "spof", string>;
}

export interface MountOptions {
  labels: GraphLabels;
  language: "en" | "ko" | "zh";
  /** Called when the editor selects a node (click, Enter, or its name in the table). */
  onSelect?: (node: GraphNode) => void;
}

export interface RenderedGraph {
  nodes: { id: string; kind: string; label: string; grade: string | null; spof: boolean }[];
  edges: { id: string; kind: string; source: string; target: string }[];
}

export interface GraphHandle {
  setFilter(filters: GraphFilters): void;
  select(id: string): void;
  rendered(): RenderedGraph;
  destroy(): void;
}

/** Reliability colours (A best … F worst); every node also shows its grade in words. */
const GRADE_COLOURS: Record<string, string> = { A: "#1b7837", B: "#5aae61", C: "#d9c13a", D: "#f1a340", E: "#d6604d", F: "#b2182b" };
const UNGRADED = "#bdbdbd";
const SHAPES: Record<GraphNodeKind, string> = { desk: "round-rectangle", chain: "hexagon", relay: "diamond", source: "ellipse" };

const STYLE: StylesheetJson = [
  {
    selector: "node",
    style: {
      label: "data(display)",
      shape: "data(shape)" as never,
      "background-color": "data(colour)",
      "border-width": 2,
      "border-color": "#333333",
      width: 30,
      height: 30,
      "font-size": 11,
      color: "#111111",
      "text-valign": "bottom",
      "text-margin-y": 4,
      "text-wrap": "wrap",
      "text-max-width": "130px",
      "text-background-color": "#ffffff",
      "text-background-opacity": 0.85,
      "text-background-padding": "2px",
    },
  },
  { selector: "node[kind = 'desk']", style: { width: 90, height: 34, "background-color": "#e0e7ff", "font-weight": "bold", "text-valign": "center", "text-margin-y": 0, "text-background-opacity": 0 } },
  { selector: "node[kind = 'chain']", style: { width: 26, height: 26, "background-color": "#f5f5f5", "border-style": "dashed" } },
  { selector: "node[?spof]", style: { "border-width": 7, "border-style": "double", "border-color": "#000000" } },
  { selector: "node:selected", style: { "overlay-color": "#1d4ed8", "overlay-opacity": 0.25, "overlay-padding": 6 } },
  { selector: "edge", style: { width: 1.5, "line-color": "#555555", "curve-style": "bezier", "target-arrow-shape": "triangle", "target-arrow-color": "#555555", "arrow-scale": 0.8 } },
  { selector: "edge[kind = 'desk'], edge[kind = 'chain']", style: { width: 1, "line-color": "#9e9e9e", "target-arrow-shape": "none" } },
  { selector: "edge[kind = 'introduced_by']", style: { "line-style": "dotted" } },
  { selector: "edge[kind = 'same_group']", style: { "line-style": "dashed", "target-arrow-shape": "none" } },
  {
    selector: "edge[kind = 'corroborates'], edge[kind = 'contradicts']",
    style: { width: 2.5, "target-arrow-shape": "none", label: "data(display)", "font-size": 9, "text-rotation": "autorotate", "text-background-color": "#ffffff", "text-background-opacity": 0.85 },
  },
  { selector: "edge[kind = 'corroborates']", style: { "line-color": "#1b7837" } },
  { selector: "edge[kind = 'contradicts']", style: { "line-color": "#b2182b", "line-style": "dashed" } },
  { selector: "edge[kind = 'related']", style: { "line-style": "dotted", "target-arrow-shape": "none" } },
];

let dagreRegistered = false;
let mounts = 0;

export function mountGraph(container: HTMLElement, data: GraphData, options: MountOptions): GraphHandle {
  const stylesheet = document.getElementById(CYTOSCAPE_STYLESHEET_ID);
  if (!(stylesheet instanceof HTMLLinkElement) || stylesheet.rel !== "stylesheet") {
    throw new Error(`graph_stylesheet_missing: link graph.css with id="${CYTOSCAPE_STYLESHEET_ID}" before mounting the graph (a strict CSP blocks the style Cytoscape would inject)`);
  }
  if (!dagreRegistered) {
    cytoscape.use(dagre);
    dagreRegistered = true;
  }
  const { labels, language } = options;
  const prefix = `graph-${++mounts}`;
  // Computed once from the whole graph: losing a relay cuts the same sources whatever the filter shows.
  const spof = singlePointsOfFailure(data);
  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  const name = (n: GraphNode | undefined): string => (!n ? "" : n.kind === "desk" ? labels.desk : n.kind === "chain" ? format(labels.chain, { n: n.ordinal ?? 0 }) : n.label);
  const gradeText = (n: GraphNode): string => (n.kind === "desk" || n.kind === "chain" ? "" : (n.grade ?? labels.ungraded));
  const spofText = (id: string): string => (spof.has(id) ? `${labels.spof}: ${format(labels.spofCuts, { n: spof.cutOff(id).length })}` : "");

  const controls = filterForm(data, labels, language, prefix, (filters) => draw(filterGraph(data, filters)));
  const help = h("p", { id: `${prefix}-help`, class: "graph-help" }, labels.keyboardHelp);
  const canvas = h("div", { class: "graph-canvas", role: "group", tabindex: "0", "aria-label": labels.title, "aria-describedby": `${prefix}-help` });
  const status = h("p", { class: "graph-status", "aria-live": "polite" });
  const tableHolder = h("div", { class: "graph-table" });
  container.replaceChildren(controls.form, h("div", { class: "graph-view" }, canvas, help, status), tableHolder);

  const elementsOf = (shown: GraphData): ElementDefinition[] => [
    ...shown.nodes.map((n) => {
      const grade = gradeText(n);
      const display = [name(n) + (grade ? ` · ${grade}` : ""), spof.has(n.id) ? `⚠ ${labels.spof}` : ""].filter(Boolean).join("\n");
      return {
        group: "nodes" as const,
        data: { id: n.id, kind: n.kind, display, shape: SHAPES[n.kind], colour: n.kind === "relay" || n.kind === "source" ? (GRADE_COLOURS[n.grade ?? ""] ?? UNGRADED) : UNGRADED, spof: spof.has(n.id) },
      };
    }),
    ...shown.edges.map((e) => ({
      group: "edges" as const,
      data: { id: e.id, kind: e.kind, source: e.source, target: e.target, flow: FLOW_EDGE_KINDS.includes(e.kind), display: labels.edges[e.kind].name },
    })),
  ];

  const cy: Core = cytoscape({
    container: canvas,
    elements: [],
    style: STYLE,
    layout: { name: "preset" },
    autoungrabify: true,
    boxSelectionEnabled: false,
    selectionType: "single",
    minZoom: 0.2,
    maxZoom: 4,
  });

  let shown: GraphData = data;
  let order: string[] = [];
  let focused = -1;

  const announce = (id: string) => {
    const n = byId.get(id);
    if (!n) return;
    status.textContent = [name(n), labels.kinds[n.kind], gradeText(n), spofText(id)].filter(Boolean).join(", ");
  };
  const select = (id: string) => {
    const element = cy.getElementById(id);
    if (element.empty()) return;
    cy.elements().unselect();
    element.select();
    focused = order.indexOf(id);
    announce(id);
    const n = byId.get(id);
    if (n) options.onSelect?.(n);
  };
  const focusOn = (index: number) => {
    if (order.length === 0) return;
    focused = (index + order.length) % order.length;
    const id = order[focused]!;
    cy.elements().unselect();
    cy.getElementById(id).select();
    announce(id);
  };

  const renderTable = (rows: TextTwinRow[]) => tableHolder.replaceChildren(...twinTable(rows, { labels, language, byId, name, gradeText, spofText, isSpof: (id) => spof.has(id), select }));

  const draw = (next: GraphData) => {
    shown = next;
    cy.elements().remove();
    cy.add(elementsOf(shown));
    cy.nodes()
      .union(cy.edges("[?flow]"))
      .layout({ name: "dagre", rankDir: "TB", nodeSep: 30, rankSep: 60, padding: 24, fit: true, animate: false, nodeDimensionsIncludeLabels: true } as cytoscape.LayoutOptions)
      .run();
    const rows = textTwin(shown);
    order = rows.map((r) => r.id);
    focused = -1;
    status.textContent = "";
    renderTable(rows);
  };

  const onKey = (event: KeyboardEvent) => {
    const keys: Record<string, () => void> = {
      ArrowRight: () => focusOn(focused + 1),
      ArrowDown: () => focusOn(focused + 1),
      ArrowLeft: () => focusOn(focused - 1),
      ArrowUp: () => focusOn(focused - 1),
      Home: () => focusOn(0),
      End: () => focusOn(order.length - 1),
      Enter: () => focused >= 0 && select(order[focused]!),
      " ": () => focused >= 0 && select(order[focused]!),
      Escape: () => {
        cy.elements().unselect();
        focused = -1;
        status.textContent = "";
      },
      "+": () => cy.zoom({ level: cy.zoom() * 1.25, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }),
      "-": () => cy.zoom({ level: cy.zoom() / 1.25, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }),
      "0": () => cy.fit(undefined, 24),
    };
    const action = keys[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  };
  canvas.addEventListener("keydown", onKey);
  cy.on("tap", "node", (event) => select(event.target.id()));

  draw(data);

  return {
    setFilter: (filters) => {
      controls.show(filters);
      draw(filterGraph(data, filters));
    },
    select,
    rendered: () => ({
      nodes: cy.nodes().map((n) => ({ id: n.id(), kind: n.data("kind"), label: name(byId.get(n.id())), grade: byId.get(n.id())?.grade ?? null, spof: Boolean(n.data("spof")) })),
      edges: cy.edges().map((e) => ({ id: e.id(), kind: e.data("kind"), source: e.source().id(), target: e.target().id() })),
    }),
    destroy: () => {
      canvas.removeEventListener("keydown", onKey);
      cy.destroy();
      container.replaceChildren();
    },
  };
}
