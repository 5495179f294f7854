// The source-network views, from the model the inbox process computes (src/core/network/analyze.ts): the
// claim board, the graph (drawn by graph.ts, loaded only on that view, always with its text twin), the
// story timeline and who introduced whom.
import type { GraphData, NetworkAnswer } from "../../src/cli/inbox/wire.js";
import { request, tokenUrl } from "./api.js";
import { sourceRoute } from "./sources.js";
import { h, heading, relationText, section, table, type View } from "./ui.js";

export const loadNetwork = () => request<NetworkAnswer>("/api/network");

export function renderClaims(view: View, network: NetworkAnswer): HTMLElement {
  const { t } = view;
  const rows = network.claims.map((c) => [
    c.label,
    c.source ? h("a", { href: sourceRoute(c.source) }, c.source) : "",
    String(c.chains),
    h("span", { class: "flags" }, ...[c.contradicted ? h("span", { class: "flag contradicted" }, t("flagContradicted")) : null, c.singleChain ? h("span", { class: "flag single" }, t("flagSingleChain")) : null].filter((x) => x !== null)),
    c.credibility === null ? t("noGrade") : String(c.credibility),
    c.ageDays === null ? "" : String(c.ageDays),
  ]);
  return section(
    "claims-heading",
    heading(t("claimsHeading"), "claims-heading"),
    h("p", { class: "help" }, t("claimsHelp")),
    rows.length === 0 ? h("p", { class: "empty" }, t("claimsNone")) : table(t("claimsHeading"), [t("colClaim"), t("colSource"), t("colChains"), t("colFlags"), t("colCredibility"), t("colAge")], rows, { id: "claims-table" }),
    problems(view, network),
  );
}

function problems(view: View, network: NetworkAnswer): HTMLElement | null {
  if (network.problems.length === 0) return null;
  return h("details", { class: "problems" }, h("summary", {}, view.t("problemsHeading")), h("ul", {}, ...network.problems.map((p) => h("li", {}, `${p.code}: ${p.message}`))));
}

/** The graph's text twin: every tie and every person, for screen readers and for checking the drawing. */
export function graphTables(view: View, graph: GraphData): HTMLElement {
  const { t } = view;
  const label = new Map(graph.nodes.map((n) => [n.id, n.label]));
  return h(
    "div",
    { class: "graph-tables" },
    graph.edges.length === 0
      ? h("p", { class: "empty" }, t("graphNone"))
      : table(t("graphTableHeading"), [t("colFrom"), t("colRelation"), t("colTo")], graph.edges.map((e) => [label.get(e.source) ?? e.source, relationText(t, e.relation), label.get(e.target) ?? e.target]), { id: "graph-edges" }),
    table(
      t("nodesTableHeading"),
      [t("colSource"), t("colKind"), t("colGrade"), t("colDesk")],
      graph.nodes.map((n) => [
        n.label,
        n.kind === "source" ? t("kindSource") : t("kindRelay"),
        n.reliability ?? t("noGrade"),
        n.desks.join(", "),
      ]),
      { id: "graph-nodes" },
    ),
  );
}

interface GraphModule {
  mountGraph(container: HTMLElement, data: NetworkAnswer["layered"], options: { labels: unknown; language: "en" | "ko" | "zh" }): unknown;
  GRAPH_LABELS: Record<"en" | "ko" | "zh", unknown>;
}

/** The id Cytoscape looks for before it would inject an inline style (client/inbox/graph.ts). */
const CYTOSCAPE_STYLESHEET_ID = "__________cytoscape_stylesheet";

/** Links the drawing's stylesheet once, with the id Cytoscape looks for, so it injects no inline style. */
function linkGraphStylesheet(): void {
  if (document.getElementById(CYTOSCAPE_STYLESHEET_ID)) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.id = CYTOSCAPE_STYLESHEET_ID;
  link.href = tokenUrl("/assets/graph.css");
  document.head.append(link);
}

export function renderGraph(view: View, network: NetworkAnswer, drawing: boolean): HTMLElement {
  const { t } = view;
  const twin = graphTables(view, network.graph);
  const parts = section("graph-heading", heading(t("graphHeading"), "graph-heading"), h("p", { class: "help" }, t("graphHelp")));
  if (!drawing) {
    parts.append(twin);
    return parts;
  }
  const canvas = h("div", { id: "graph-canvas", class: "graph-drawing" });
  parts.append(canvas, twin);
  // The drawing library loads only here, from the package like everything else; the tables stand without it.
  linkGraphStylesheet();
  const url = tokenUrl("/assets/graph.js");
  const lang = document.documentElement.lang;
  const language = lang === "ko" || lang === "zh" ? lang : "en";
  (import(/* @vite-ignore */ url) as Promise<GraphModule>).then(
    (mod) => {
      mod.mountGraph(canvas, network.layered, { labels: mod.GRAPH_LABELS[language], language });
      canvas.setAttribute("data-drawn", "true");
    },
    () => canvas.setAttribute("data-drawn", "false"),
  );
  return parts;
}

export function renderTimeline(view: View, network: NetworkAnswer): HTMLElement {
  const { t } = view;
  const typeKey = { submission: "itemSubmission", followup: "itemFollowup", reply: "composerHeading", note: "itemNote" } as const;
  const rows = network.timeline.map((r) => [h("time", {}, r.day), h("a", { href: sourceRoute(r.source) }, r.source), t(typeKey[r.type]), r.summary]);
  return section(
    "timeline-heading",
    heading(t("timelineHeading"), "timeline-heading"),
    rows.length === 0 ? h("p", { class: "empty" }, t("timelineNone")) : table(t("timelineHeading"), [t("colDay"), t("colSource"), t("colType"), t("colSummary")], rows, { id: "timeline-table" }),
  );
}

export function renderIntroductions(view: View, network: NetworkAnswer): HTMLElement {
  const { t } = view;
  const rows = network.introductions.map((r) => [r.who, r.introducedBy, h("time", {}, r.day)]);
  return section(
    "introductions-heading",
    heading(t("introductionsHeading"), "introductions-heading"),
    rows.length === 0 ? h("p", { class: "empty" }, t("introductionsNone")) : table(t("introductionsHeading"), [t("colWho"), t("introducedBy"), t("colDay")], rows, { id: "introductions-table" }),
  );
}
