// The inbox's network view and search (data.ts serves them): the claim board, the graph and its layers,
// the story timeline across sources, who introduced whom, and full-text search, all computed from the
// decrypted desk and the source-network model in memory. Nothing here is stored or exported.
import type { NetworkModel } from "../../core/network/analyze.js";
import { claimBoard } from "../../core/network/analyze.js";
import { RELIABILITY } from "../../core/grades.js";
import { buildGraph, type Reliability, type SourceLink } from "../../core/network/graph.js";
import { byCodeUnits } from "../../core/canonical.js";
import { counts, type SourceView } from "../network.js";
import type { DeskView } from "../services/desk.js";
import { firstLine } from "../text.js";
import { conversationOf } from "./conversation.js";
import type { GraphData, NetworkAnswer, SearchHit, SourceRow } from "./wire.js";

type RowOf = (s: SourceView) => SourceRow;

/** The claim board, graph, layers, story timeline and introductions the network view draws. */
export function networkAnswer(view: DeskView, model: NetworkModel, rowOf: RowOf): NetworkAnswer {
  const claims = claimBoard(model).map((c) => ({
    id: c.id,
    label: c.label,
    source: c.source,
    submission: c.submission,
    chains: c.chains,
    singleChain: c.singleChain,
    contradicted: c.contradicted,
    corroborates: c.corroborates,
    contradicts: c.contradicts,
    credibility: c.credibility?.grade ?? null,
    ageDays: c.ageDays,
  }));
  const timeline = view.sources
    .flatMap((s) =>
      conversationOf(s, () => null).map((item) => ({
        day: item.day,
        source: s.pseudonym,
        type: item.type,
        id: item.id,
        desk: "desk" in item ? item.desk : null,
        summary: firstLine(item.type === "note" ? item.text : item.message, 80),
      })),
    )
    .sort((a, b) => byCodeUnits(a.day, b.day));
  const label = (ref: { type: string; pseudonym?: string; id?: string }) => (ref.type === "source" ? ref.pseudonym! : (model.relays.get(ref.id!)?.label ?? ref.id!));
  const introductions = model.relations.filter((r) => r.relation === "introduced_by").map((r) => ({ who: label(r.from), introducedBy: label(r.to), day: r.day }));
  return { claims, graph: graphOf(view, model, rowOf), layered: layered(view, model, rowOf), timeline, introductions, problems: model.problems };
}

/** Sources and relays, and who is tied to whom: relations of the model, and desk notes' links between sources. */
export function graphOf(view: DeskView, model: NetworkModel, rowOf: RowOf): GraphData {
  const nodes: GraphData["nodes"] = [
    ...view.sources.map((s) => ({ id: `source:${s.pseudonym}`, kind: "source" as const, label: s.pseudonym, reliability: rowOf(s).reliability, desks: rowOf(s).desks })),
    ...[...model.relays.values()].map((r) => ({ id: `relay:${r.id}`, kind: "relay" as const, label: r.label, reliability: r.reliability?.grade ?? null, desks: [] })),
  ];
  const known = new Set(nodes.map((n) => n.id));
  const edges = new Map<string, GraphData["edges"][number]>();
  const add = (from: string, to: string, relation: string) => {
    if (from === to || !known.has(from) || !known.has(to)) return;
    const id = `${relation}:${from}->${to}`;
    if (!edges.has(id)) edges.set(id, { id, source: from, target: to, relation });
  };
  const person = (ref: { type: string; pseudonym?: string; id?: string }) => (ref.type === "source" ? `source:${ref.pseudonym}` : ref.type === "relay" ? `relay:${ref.id}` : null);
  for (const r of model.relations) {
    if (r.from.type === "claim" && r.to.type === "claim") {
      const a = model.claims.get(r.from.id)?.source;
      const b = model.claims.get(r.to.id)?.source;
      if (a && b) add(`source:${a}`, `source:${b}`, r.relation);
      continue;
    }
    const from = person(r.from);
    const to = person(r.to);
    if (from && to) add(from, to, r.relation);
  }
  for (const l of sourceLinks(view)) add(`source:${l.from}`, `source:${l.to}`, l.relation);
  return { nodes, edges: [...edges.values()] };
}

/**
 * The network in layers for the drawing (core/network/graph.ts). A source the model has no reliability
 * event for shows the grade its verified desk notes give, as the tables do.
 */
function layered(view: DeskView, model: NetworkModel, rowOf: RowOf): NetworkAnswer["layered"] {
  const graph = buildGraph(model, {}, { links: sourceLinks(view) });
  const rows = new Map(view.sources.map((s) => [`source:${s.pseudonym}`, rowOf(s)]));
  for (const n of graph.nodes) {
    const reliability = rows.get(n.id)?.reliability;
    if (n.kind === "source" && n.grade === null && (RELIABILITY as readonly string[]).includes(reliability ?? "")) n.grade = reliability as Reliability;
  }
  return graph;
}

/** Verified desk notes' links from one source's submission to another's, by pseudonym. */
function sourceLinks(view: DeskView): SourceLink[] {
  const bySubmission = new Map(view.desk.submissions.map((s) => [s.id, s.pseudonym]));
  const links: SourceLink[] = [];
  for (const s of view.sources) {
    for (const n of s.notes) {
      if (!counts(n)) continue;
      for (const l of n.note.links) {
        const other = bySubmission.get(l.submission);
        if (other && other !== s.pseudonym) links.push({ from: s.pseudonym, to: other, relation: l.relation });
      }
    }
  }
  return links;
}

/** Full-text search over what the desk decrypted: messages, fields, file names, replies, note texts. */
export function searchDesk(view: DeskView, query: string): SearchHit[] {
  const wanted = query.normalize("NFC").toLowerCase().trim();
  if (wanted === "") return [];
  const hits: SearchHit[] = [];
  const excerpt = (text: string) => {
    const at = text.toLowerCase().indexOf(wanted);
    if (at < 0) return null;
    const start = Math.max(0, at - 40);
    return `${start > 0 ? "…" : ""}${text.slice(start, at + wanted.length + 40).replace(/\s+/g, " ")}${at + wanted.length + 40 < text.length ? "…" : ""}`;
  };
  for (const s of view.sources) {
    for (const item of conversationOf(s, () => null)) {
      const texts =
        item.type === "note"
          ? [item.text, ...item.tags]
          : item.type === "reply"
            ? [item.message]
            : [item.message, ...Object.values(item.fields), ...item.attachments.map((a) => a.name)];
      for (const text of texts) {
        const found = excerpt(text.normalize("NFC"));
        if (found !== null) {
          hits.push({ pseudonym: s.pseudonym, id: item.id, day: item.day, type: item.type, excerpt: found });
          break;
        }
      }
      if (hits.length >= 200) return hits;
    }
  }
  return hits;
}
