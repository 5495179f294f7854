// The graph view's text twin as a real table (graph.ts): one row per node, a button that selects it,
// and every edge at it in words. Everything is set as text: nothing from a source or editor is HTML.
import { DESK_NODE, type GraphNode, type TextTwinRow } from "../../src/core/network/graph.js";
import { tagLabel } from "../../src/core/network/vocabulary.js";
import { format } from "../../src/i18n/index.js";
import { h } from "../dom.js";
import type { GraphLabels, MountOptions } from "./graph.js";

export interface TwinTableView {
  labels: GraphLabels;
  language: MountOptions["language"];
  byId: ReadonlyMap<string, GraphNode>;
  name: (n: GraphNode | undefined) => string;
  gradeText: (n: GraphNode) => string;
  spofText: (id: string) => string;
  isSpof: (id: string) => boolean;
  select: (id: string) => void;
}

/** The table (and, when the graph holds only the desk, a line saying it is empty) for `rows`. */
export function twinTable(rows: TextTwinRow[], view: TwinTableView): HTMLElement[] {
  const cell = (text: string) => h("td", {}, text || view.labels.none);
  const head = h("tr", {}, ...(["node", "kind", "grade", "layer", "chain", "desks", "regions", "days", "connects", "spof"] as const).map((c) => h("th", { scope: "col" }, view.labels.columns[c])));
  const body = rows.map((row) => {
    const n = view.byId.get(row.id)!;
    const button = h("button", { type: "button", class: "graph-node-button" }, view.name(n));
    button.addEventListener("click", () => view.select(row.id));
    const connects = row.connects.map((c) => format(view.labels.edges[c.kind][c.direction === "in" ? "in" : "out"], { node: view.name(view.byId.get(c.node)) })).join("; ");
    return h(
      "tr",
      view.isSpof(row.id) ? { class: "graph-spof" } : {},
      h("th", { scope: "row" }, button),
      cell(view.labels.kinds[row.kind]),
      cell(view.gradeText(n)),
      cell(String(row.layer)),
      cell(row.chain ? view.name(view.byId.get(row.chain)) : ""),
      cell(row.desks.join(", ")),
      cell(row.regions.map((r) => tagLabel(`region:${r}`, view.language)).join(", ")),
      cell(row.days ? (row.days.from === row.days.to ? row.days.from : `${row.days.from} – ${row.days.to}`) : ""),
      cell(connects),
      cell(view.spofText(row.id)),
    );
  });
  const onlyDesk = rows.every((r) => r.id === DESK_NODE);
  const table = h("table", {}, h("caption", {}, view.labels.title), h("thead", {}, head), h("tbody", {}, ...body));
  return onlyDesk ? [h("p", { class: "graph-empty" }, view.labels.empty), table] : [table];
}
