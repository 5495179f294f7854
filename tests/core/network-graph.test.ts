// The network graph drawn from the source-network model: layers from the desk down, filters by desk,
// region and day, single points of failure computed for the screen and never exportable, and a text twin.
import { describe, expect, it } from "vitest";
import { type AuthoredEvent, buildNetworkModel, type ModelSubmission } from "../../src/core/network/analyze.js";
import { type EntityRef, type ModelEvent, parseModelEvent } from "../../src/core/network/events.js";
import * as graphModule from "../../src/core/network/graph.js";
import { buildGraph, DESK_NODE, filterGraph, type GraphData, singlePointsOfFailure, textTwin } from "../../src/core/network/graph.js";

let counter = 0;
const newId = (): string => (++counter).toString(16).padStart(32, "0");
const source = (pseudonym: string): EntityRef => ({ type: "source", pseudonym });
const relay = (id: string): EntityRef => ({ type: "relay", id });
const claim = (id: string): EntityRef => ({ type: "claim", id });
const DAY = "2026-11-20";
const ev = (event: Record<string, unknown>): ModelEvent => parseModelEvent({ id: newId(), day: DAY, ...event });
const relayEvent = (id: string, label: string) => ev({ op: "relay", relay: id, label });
const relate = (relation: string, from: EntityRef, to: EntityRef) => ev({ op: "relate", relation, from, to, basis: "editor_judgement" });
const tag = (target: EntityRef, t: string) => ev({ op: "tag", target, tag: t });
const grade = (target: EntityRef, g: string) => ev({ op: "reliability", target, grade: g, basis: "editor_judgement" });
const claimEvent = (id: string, submission: string, label: string) => ev({ op: "claim", claim: id, submission, label });

const R1 = "a1".repeat(16);
const R2 = "a2".repeat(16);
const R3 = "a3".repeat(16);
const S1 = "51".repeat(16);
const S2 = "52".repeat(16);
const S3 = "53".repeat(16);
const AMBER = "source:Amber Heron";
const PINE = "source:Quiet Pine";
const SLATE = "source:Slate Crane";

const submissions: ModelSubmission[] = [
  { id: S1, source: "Amber Heron", day: "2026-10-01", desk: "news" },
  { id: S2, source: "Quiet Pine", day: "2026-11-03", desk: "news" },
  { id: S3, source: "Slate Crane", day: "2026-11-25", desk: "economy" },
];

const graphOf = (events: ModelEvent[], filters = {}, extra = {}): GraphData => {
  const authored: AuthoredEvent[] = events.map((event) => ({ event, author: "alice" }));
  const model = buildNetworkModel({ submissions, events: authored, today: "2026-12-01" });
  expect(model.problems).toEqual([]);
  return buildGraph(model, filters, extra);
};
const node = (data: GraphData, id: string) => data.nodes.find((n) => n.id === id);
const ids = (data: GraphData) => data.nodes.map((n) => n.id).sort();
const edge = (data: GraphData, kind: string, a: string, b: string) => data.edges.some((e) => e.kind === kind && ((e.source === a && e.target === b) || (e.source === b && e.target === a)));

/** One relay carries Amber and Pine; Slate reaches the desk directly. */
const oneRelay = (): ModelEvent[] => [relayEvent(R1, "the trader"), relate("relays_for", relay(R1), source("Amber Heron")), relate("relays_for", relay(R1), source("Quiet Pine"))];

describe("layers and chains", () => {
  it("lays out the desk, the chains, first-hand people, then whom they carry", () => {
    const data = graphOf([...oneRelay(), relayEvent(R2, "the courier"), relate("relays_for", relay(R2), relay(R1))]);
    expect(node(data, DESK_NODE)).toMatchObject({ kind: "desk", layer: 0, desks: ["economy", "news"] });
    expect(node(data, `relay:${R2}`)).toMatchObject({ kind: "relay", layer: 2 });
    expect(node(data, `relay:${R1}`)).toMatchObject({ kind: "relay", layer: 3, desks: ["news"], days: { from: "2026-10-01", to: "2026-11-20" } });
    expect(node(data, AMBER)).toMatchObject({ kind: "source", layer: 4, days: { from: "2026-10-01", to: "2026-10-01" } });
    expect(node(data, SLATE)).toMatchObject({ layer: 2 });
    // Two chains: the relays and the two sources they carry are one, Slate is another.
    const chains = data.nodes.filter((n) => n.kind === "chain");
    expect(chains.map((c) => c.layer)).toEqual([1, 1]);
    expect(node(data, AMBER)!.chain).toBe(node(data, `relay:${R2}`)!.chain);
    expect(node(data, SLATE)!.chain).not.toBe(node(data, AMBER)!.chain);
    // Flow edges: desk → chain → first-hand person → … → source.
    expect(edge(data, "desk", DESK_NODE, node(data, SLATE)!.chain!)).toBe(true);
    expect(edge(data, "chain", node(data, SLATE)!.chain!, SLATE)).toBe(true);
    expect(edge(data, "chain", node(data, AMBER)!.chain!, `relay:${R2}`)).toBe(true);
    expect(edge(data, "chain", node(data, AMBER)!.chain!, AMBER)).toBe(false);
    expect(data.edges.find((e) => e.kind === "relays_for" && e.target === AMBER)).toMatchObject({ source: `relay:${R1}` });
    // Layers never go up along a flow edge.
    for (const e of data.edges.filter((x) => graphModule.FLOW_EDGE_KINDS.includes(x.kind))) expect(node(data, e.target)!.layer).toBeGreaterThan(node(data, e.source)!.layer);
  });

  it("people in one group are one chain; a cycle of relays still reaches the desk", () => {
    const grouped = graphOf([relate("same_group", source("Amber Heron"), source("Quiet Pine"))]);
    expect(grouped.nodes.filter((n) => n.kind === "chain")).toHaveLength(2);
    expect(node(grouped, AMBER)!.chain).toBe(node(grouped, PINE)!.chain);
    expect(edge(grouped, "same_group", AMBER, PINE)).toBe(true);

    const cycle = graphOf([relayEvent(R1, "one"), relayEvent(R2, "two"), relate("relays_for", relay(R1), relay(R2)), relate("relays_for", relay(R2), relay(R1)), relate("relays_for", relay(R1), source("Amber Heron"))]);
    for (const n of cycle.nodes.filter((x) => x.kind !== "desk")) expect(n.layer).toBeGreaterThan(0);
    expect(singlePointsOfFailure(cycle).cutOff(`relay:${R1}`)).toEqual([AMBER]);
  });

  it("carries grades, regions, introductions and claim links between sources", () => {
    const data = graphOf([
      ...oneRelay(),
      grade(source("Amber Heron"), "B"),
      grade(relay(R1), "D"),
      tag(source("Amber Heron"), "region:ryanggang"),
      tag(source("Amber Heron"), "role:trade"),
      relate("introduced_by", source("Quiet Pine"), source("Amber Heron")),
      claimEvent("c1".repeat(16), S1, "rice price doubled"),
      claimEvent("c2".repeat(16), S3, "rice price doubled"),
      claimEvent("c3".repeat(16), S2, "market closed"),
      relate("corroborates", claim("c2".repeat(16)), claim("c1".repeat(16))),
      relate("contradicts", claim("c3".repeat(16)), claim("c1".repeat(16))),
    ]);
    expect(node(data, AMBER)).toMatchObject({ grade: "B", regions: ["ryanggang"] });
    expect(node(data, `relay:${R1}`)).toMatchObject({ grade: "D", label: "the trader" });
    expect(node(data, PINE)!.grade).toBeNull();
    expect(data.regions).toEqual(["ryanggang"]);
    expect(data.edges.find((e) => e.kind === "introduced_by")).toMatchObject({ source: PINE, target: AMBER });
    expect(edge(data, "corroborates", AMBER, SLATE)).toBe(true);
    expect(edge(data, "contradicts", AMBER, PINE)).toBe(true);
  });
});

describe("links from desk notes", () => {
  it("draw an undirected edge between the two sources, once, and ignore a pseudonym the vault does not know", () => {
    const data = graphOf([], {}, {
      links: [
        { from: "Amber Heron", to: "Slate Crane", relation: "corroborates" },
        { from: "Slate Crane", to: "Amber Heron", relation: "corroborates" },
        { from: "Quiet Pine", to: "Amber Heron", relation: "related" },
        { from: "Quiet Pine", to: "Nobody Known", relation: "contradicts" },
      ],
    });
    expect(data.edges.filter((e) => e.kind === "corroborates")).toEqual([{ id: `corroborates:${AMBER}→${SLATE}`, kind: "corroborates", source: AMBER, target: SLATE }]);
    expect(edge(data, "related", PINE, AMBER)).toBe(true);
    expect(data.edges.some((e) => e.kind === "contradicts")).toBe(false);
    expect(data.nodes.some((n) => n.id === "source:Nobody Known")).toBe(false);
  });
});

describe("filters", () => {
  const events = () => [...oneRelay(), tag(source("Quiet Pine"), "region:north-hamgyong"), relate("introduced_by", source("Slate Crane"), source("Amber Heron"))];

  it("by desk: the economy desk sees Slate and no relay", () => {
    const data = graphOf(events(), { desks: ["economy"] });
    expect(ids(data)).toEqual([DESK_NODE, node(data, SLATE)!.chain!, SLATE].sort());
    expect(data.edges.every((e) => node(data, e.source) && node(data, e.target))).toBe(true);
    expect(data.desks).toEqual(["economy", "news"]); // the controls still offer every desk
  });

  it("by region: Pine keeps the relay that carries her, Amber goes", () => {
    const data = graphOf(events(), { regions: ["north-hamgyong"] });
    expect(ids(data)).toContain(PINE);
    expect(ids(data)).toContain(`relay:${R1}`);
    expect(ids(data)).not.toContain(AMBER);
    expect(ids(data)).not.toContain(SLATE);
    expect(data.nodes.filter((n) => n.kind === "chain")).toHaveLength(1);
  });

  it("by days: contact overlapping the range", () => {
    const november = graphOf(events(), { days: { from: "2026-11-01", to: "2026-11-10" } });
    expect(ids(november)).toContain(PINE);
    expect(ids(november)).not.toContain(AMBER);
    expect(ids(november)).not.toContain(SLATE);
    const late = graphOf(events(), { days: { from: "2026-11-21" } });
    expect(late.nodes.filter((n) => n.kind === "source").map((n) => n.id)).toEqual([SLATE]);
  });

  it("filtering the built graph gives what building with the filter gives", () => {
    const full = graphOf(events());
    for (const filters of [{ desks: ["news"] }, { regions: ["north-hamgyong"] }, { days: { to: "2026-10-31" } }, {}]) expect(filterGraph(full, filters)).toEqual(graphOf(events(), filters));
  });
});

describe("single points of failure", () => {
  it("one relay carrying two sources is a single point of failure for both", () => {
    const spof = singlePointsOfFailure(graphOf(oneRelay()));
    expect(spof.has(`relay:${R1}`)).toBe(true);
    expect(spof.cutOff(`relay:${R1}`)).toEqual([AMBER, PINE]);
    expect(spof.has(SLATE)).toBe(false);
    expect(spof.size).toBe(1);
  });

  it("a source reached through two relays has none", () => {
    const data = graphOf([relayEvent(R1, "the trader"), relayEvent(R2, "the driver"), relate("relays_for", relay(R1), source("Amber Heron")), relate("relays_for", relay(R2), source("Amber Heron"))]);
    const spof = singlePointsOfFailure(data);
    expect(spof.size).toBe(0);
    expect(spof.has(`relay:${R1}`)).toBe(false);
    expect(spof.has(`relay:${R2}`)).toBe(false);
  });

  it("two relays that meet further up: the one above is the single point of failure", () => {
    const data = graphOf([
      relayEvent(R1, "the trader"),
      relayEvent(R2, "the driver"),
      relayEvent(R3, "the courier"),
      relate("relays_for", relay(R1), source("Amber Heron")),
      relate("relays_for", relay(R2), source("Amber Heron")),
      relate("relays_for", relay(R3), relay(R1)),
      relate("relays_for", relay(R3), relay(R2)),
    ]);
    const spof = singlePointsOfFailure(data);
    expect(spof.cutOff(`relay:${R3}`)).toEqual([AMBER]);
    expect(spof.has(`relay:${R1}`)).toBe(false);
  });

  it("is in no serialisable output: not in the graph data, not in the text twin, and it refuses JSON", () => {
    const data = graphOf(oneRelay());
    const spof = singlePointsOfFailure(data);
    expect(spof.size).toBe(1);
    const json = JSON.stringify([data, textTwin(data)]);
    expect(json).not.toMatch(/spof|single|failure|cutOff|cut_off/i);
    expect(graphOf(oneRelay())).toEqual(data); // computing it changed nothing in the data
    expect(() => JSON.stringify(spof)).toThrow(/graph_spof_not_exportable/);
    expect(() => JSON.stringify({ spof })).toThrow(/graph_spof_not_exportable/);
    expect(JSON.stringify(structuredClone(spof))).toBe("{}");
    expect(Object.keys(spof)).toEqual([]);
    expect(Object.keys(graphModule).filter((name) => /export|save|write|serial/i.test(name))).toEqual([]);
  });
});

describe("text twin", () => {
  it("has one row per node, in the same order, with every edge seen from both ends", () => {
    const data = graphOf([...oneRelay(), grade(relay(R1), "C"), relate("introduced_by", source("Slate Crane"), source("Amber Heron"))]);
    const rows = textTwin(data);
    expect(rows.map((r) => r.id)).toEqual(data.nodes.map((n) => n.id));
    for (const [i, row] of rows.entries()) {
      const n = data.nodes[i]!;
      expect(row).toMatchObject({ kind: n.kind, label: n.label, grade: n.grade, layer: n.layer, chain: n.chain });
    }
    expect(rows.reduce((sum, r) => sum + r.connects.length, 0)).toBe(2 * data.edges.length);
    const relayRow = rows.find((r) => r.id === `relay:${R1}`)!;
    expect(relayRow.grade).toBe("C");
    expect(relayRow.connects).toEqual(
      expect.arrayContaining([
        { kind: "relays_for", node: AMBER, direction: "out" },
        { kind: "relays_for", node: PINE, direction: "out" },
        { kind: "chain", node: relayRow.chain, direction: "in" },
      ]),
    );
    expect(rows.find((r) => r.id === SLATE)!.connects).toContainEqual({ kind: "introduced_by", node: AMBER, direction: "out" });
    expect(rows.find((r) => r.id === AMBER)!.connects).toContainEqual({ kind: "introduced_by", node: SLATE, direction: "in" });
    const grouped = textTwin(graphOf([relate("same_group", source("Quiet Pine"), source("Amber Heron"))]));
    expect(grouped.find((r) => r.id === AMBER)!.connects).toContainEqual({ kind: "same_group", node: PINE, direction: "both" });
    expect(grouped.find((r) => r.id === PINE)!.connects).toContainEqual({ kind: "same_group", node: AMBER, direction: "both" });
    expect(rows.map((r) => r.layer)).toEqual([...rows.map((r) => r.layer)].sort((a, b) => a - b));
  });
});
