// The inbox's network graph in a real Chromium under the inbox's strict CSP: client/inbox/graph.ts bundled
// with esbuild, served over real HTTP with graph data built from a model, drawn by Cytoscape on canvas.
// No CSP violation (Cytoscape's inline style is avoided by the linked graph.css), the data is on the
// canvas (both sources and their corroboration edge), the single point of failure is marked, the text
// twin is a real table, the keyboard reaches it all, and axe-core finds nothing.
import { GRAPH_LABELS } from "../../client/inbox/graph-labels.js";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GraphLabels, GraphHandle, mountGraph } from "../../client/inbox/graph.js";
import { buildNetworkModel, type ModelSubmission } from "../../src/core/network/analyze.js";
import { parseModelEvent } from "../../src/core/network/events.js";
import { buildGraph, type GraphData } from "../../src/core/network/graph.js";
import { launchChromium, openRecordedPage, type RecordedPage } from "../helpers/browser.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SCREENSHOT = "/tmp/sealdrop-inbox-graph.png";
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'";

// The view's English words, as the inbox gives them.
const LABELS: GraphLabels = GRAPH_LABELS.en;

// The page's script: reports CSP violations, fetches the graph data and mounts the view.
const ENTRY = `
import { mountGraph } from "./client/inbox/graph.js";
const violations = [];
document.addEventListener("securitypolicyviolation", (e) => violations.push(e.violatedDirective + " " + e.blockedURI));
window.__cspViolations = violations;
window.__selected = [];
window.__mountGraph = mountGraph;
const data = await (await fetch("/graph.json")).json();
window.__graph = mountGraph(document.getElementById("graph"), data, {
  labels: ${JSON.stringify(LABELS)},
  language: "en",
  onSelect: (node) => window.__selected.push(node.id),
});
document.body.dataset.ready = "yes";
`;

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Source network</title>
<link rel="stylesheet" id="__________cytoscape_stylesheet" href="/graph.css">
<script type="module" src="/graph-page.js"></script></head>
<body><main><h1>Source network</h1><div id="graph"></div></main></body></html>`;

const R1 = "a1".repeat(16);
const C1 = "c1".repeat(16);
const C2 = "c2".repeat(16);
const submissions: ModelSubmission[] = [
  { id: "51".repeat(16), source: "Amber Heron", day: "2026-11-01", desk: "news" },
  { id: "52".repeat(16), source: "Quiet Pine", day: "2026-11-03", desk: "news" },
  { id: "53".repeat(16), source: "Slate Crane", day: "2026-11-05", desk: "economy" },
];
let n = 0;
const ev = (e: Record<string, unknown>) => ({ event: parseModelEvent({ id: (++n).toString(16).padStart(32, "0"), day: "2026-11-20", ...e }), author: "alice" });
const judged = (e: Record<string, unknown>) => ev({ basis: "editor_judgement", ...e });
const data: GraphData = buildGraph(
  buildNetworkModel({
    submissions,
    today: "2026-12-01",
    events: [
      ev({ op: "relay", relay: R1, label: "the trader" }),
      judged({ op: "relate", relation: "relays_for", from: { type: "relay", id: R1 }, to: { type: "source", pseudonym: "Amber Heron" } }),
      judged({ op: "relate", relation: "relays_for", from: { type: "relay", id: R1 }, to: { type: "source", pseudonym: "Quiet Pine" } }),
      judged({ op: "reliability", target: { type: "source", pseudonym: "Amber Heron" }, grade: "B" }),
      judged({ op: "reliability", target: { type: "relay", id: R1 }, grade: "D" }),
      ev({ op: "tag", target: { type: "source", pseudonym: "Amber Heron" }, tag: "region:ryanggang" }),
      ev({ op: "claim", claim: C1, submission: submissions[0]!.id, label: "rice price doubled" }),
      ev({ op: "claim", claim: C2, submission: submissions[2]!.id, label: "rice price doubled" }),
      judged({ op: "relate", relation: "corroborates", from: { type: "claim", id: C2 }, to: { type: "claim", id: C1 } }),
    ],
  }),
);

let dir: string;
let server: Server;
let origin: string;
let browser: Browser;
let recorded: RecordedPage;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sealdrop-inbox-graph-"));
  await build({
    stdin: { contents: ENTRY, resolveDir: ROOT, sourcefile: "graph-page.ts", loader: "ts" },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outfile: join(dir, "graph-page.js"),
    logLevel: "warning",
  });
  const files: Record<string, { body: Buffer | string; type: string }> = {
    "/": { body: PAGE, type: "text/html; charset=utf-8" },
    "/graph-page.js": { body: await readFile(join(dir, "graph-page.js")), type: "text/javascript; charset=utf-8" },
    "/graph.css": { body: await readFile(join(ROOT, "client/inbox/graph.css")), type: "text/css; charset=utf-8" },
    "/graph.json": { body: JSON.stringify(data), type: "application/json" },
    // The browser asks for an icon on its own; an empty answer keeps the console clean.
    "/favicon.ico": { body: "", type: "image/x-icon" },
    "/axe.min.js": { body: await readFile(join(ROOT, "node_modules/axe-core/axe.min.js")), type: "text/javascript; charset=utf-8" },
  };
  server = createServer((req, res) => {
    const file = files[new URL(req.url ?? "/", "http://x").pathname];
    res.setHeader("Content-Security-Policy", CSP);
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("X-Content-Type-Options", "nosniff");
    if (!file) return res.writeHead(404).end();
    res.writeHead(200, { "Content-Type": file.type }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  recorded = await openRecordedPage(browser, { viewport: { width: 1200, height: 1000 } });
  await recorded.page.goto(origin + "/");
  await recorded.page.waitForSelector("body[data-ready=yes]", { timeout: 60_000 });
}, 180_000);

afterAll(async () => {
  await recorded?.close();
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Hooked = { __graph: GraphHandle; __cspViolations: string[]; __selected: string[]; __mountGraph: typeof mountGraph };
const rendered = () => recorded.page.evaluate(() => (window as unknown as Hooked).__graph.rendered());

describe("the inbox's network graph", () => {
  it("draws the graph data under the strict CSP with no violation and nothing inline", async () => {
    const page = recorded.page;
    const shown = await rendered();
    expect(shown.nodes.map((x) => x.id).sort()).toEqual(data.nodes.map((x) => x.id).sort());
    expect(shown.edges).toHaveLength(data.edges.length);
    expect(shown.nodes.filter((x) => x.kind === "source").map((x) => x.label).sort()).toEqual(["Amber Heron", "Quiet Pine", "Slate Crane"]);
    const corroboration = shown.edges.find((e) => e.kind === "corroborates")!;
    expect([corroboration.source, corroboration.target].sort()).toEqual(["source:Amber Heron", "source:Slate Crane"]);
    expect(shown.nodes.find((x) => x.id === `relay:${R1}`)).toMatchObject({ spof: true, grade: "D" });
    expect(shown.nodes.filter((x) => x.spof)).toHaveLength(1);
    // Cytoscape found the linked stylesheet and injected no <style>; nothing is styled from markup.
    expect(await page.locator("style").count()).toBe(0);
    expect(await page.evaluate(() => getComputedStyle(document.querySelector(".graph-canvas")!).position)).toBe("relative");
    // The canvas really has drawn pixels (nodes and labels), not just elements in memory.
    await page.waitForFunction(
      () => {
        const canvas = document.querySelector<HTMLCanvasElement>(".graph-canvas canvas[data-id='layer2-node']");
        const pixels = canvas?.getContext("2d")?.getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; pixels && i < pixels.length; i += 4) if (pixels[i]! > 0) painted++;
        return painted > 2000;
      },
      undefined,
      { timeout: 60_000 },
    );
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect((await stat(SCREENSHOT)).size).toBeGreaterThan(10_000);
    expect(await page.evaluate(() => (window as unknown as Hooked).__cspViolations)).toEqual([]);
    expect(recorded.errors).toEqual([]);
    expect(recorded.offOrigin(origin)).toEqual([]);
  });

  it("has a text twin: a table with a caption, column and row headers, one row per node", async () => {
    const page = recorded.page;
    expect(await page.locator(".graph-table table caption").textContent()).toBe(LABELS.title);
    expect(await page.locator(".graph-table thead th[scope=col]").count()).toBe(Object.keys(LABELS.columns).length);
    expect(await page.locator(".graph-table tbody tr").count()).toBe(data.nodes.length);
    expect(await page.locator(".graph-table tbody th[scope=row]").count()).toBe(data.nodes.length);
    const relayRow = page.locator(".graph-table tbody tr", { has: page.locator("th", { hasText: "the trader" }) });
    expect(await relayRow.locator("td").allTextContents()).toEqual(["relay", "D", "2", "Chain 1", "news", "—", "2026-11-01 – 2026-11-20", "in Chain 1; relays for Amber Heron; relays for Quiet Pine", "single point of failure: cuts off 2 sources"]);
    const amber = page.locator(".graph-table tbody tr", { has: page.locator("th", { hasText: "Amber Heron" }) });
    expect(await amber.locator("td").nth(5).textContent()).toBe("Ryanggang");
    expect(await amber.locator("td").nth(7).textContent()).toBe("carried by the trader; corroborates Slate Crane");
    const slate = page.locator(".graph-table tbody tr", { has: page.locator("th", { hasText: "Slate Crane" }) });
    expect(await slate.locator("td").nth(7).textContent()).toBe("in Chain 2; corroborates Amber Heron");
  });

  it("is reachable and usable by keyboard", async () => {
    const page = recorded.page;
    // The canvas sits in the tab order between the filter form and the table.
    await page.locator(".graph-node-button").first().focus();
    await page.keyboard.press("Shift+Tab");
    expect(await page.evaluate(() => document.activeElement?.className)).toContain("graph-canvas");
    await page.keyboard.press("ArrowRight");
    expect(await page.locator(".graph-status").textContent()).toBe("The desk, desk");
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    const last = data.nodes.at(-1)!.id;
    expect(await page.evaluate(() => (window as unknown as Hooked).__selected)).toEqual([last]);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(LABELS.desk);
    await page.locator(".graph-node-button", { hasText: "the trader" }).press("Enter");
    expect(await page.evaluate(() => (window as unknown as Hooked).__selected.at(-1))).toBe(`relay:${R1}`);
    expect(await page.locator(".graph-status").textContent()).toBe("the trader, relay, D, single point of failure: cuts off 2 sources");
  });

  it("filters on the page by desk", async () => {
    const page = recorded.page;
    await page.evaluate(() => (window as unknown as Hooked).__graph.setFilter({ desks: ["economy"] }));
    const shown = await rendered();
    expect(shown.nodes.filter((x) => x.kind === "source").map((x) => x.label)).toEqual(["Slate Crane"]);
    expect(shown.nodes.some((x) => x.kind === "relay")).toBe(false);
    expect(await page.locator(".graph-table tbody tr").count()).toBe(shown.nodes.length);
    expect(await page.locator(".graph-filters select").first().inputValue()).toBe("economy");
    await page.evaluate(() => (window as unknown as Hooked).__graph.setFilter({}));
    expect((await rendered()).nodes).toHaveLength(data.nodes.length);
  });

  it("filters from its own form by region and by days", async () => {
    const page = recorded.page;
    await page.getByLabel("Region").selectOption({ label: "Ryanggang" });
    await page.waitForFunction(() => (window as unknown as Hooked).__graph.rendered().nodes.filter((x) => x.kind === "source").length === 1);
    expect((await rendered()).nodes.filter((x) => x.kind !== "desk" && x.kind !== "chain").map((x) => x.label).sort()).toEqual(["Amber Heron", "the trader"]);
    await page.getByLabel("Region").selectOption("");
    await page.getByLabel("From").fill("2026-11-04");
    await page.waitForFunction(() => (window as unknown as Hooked).__graph.rendered().nodes.filter((x) => x.kind === "source").length === 1);
    expect((await rendered()).nodes.filter((x) => x.kind === "source").map((x) => x.label)).toEqual(["Slate Crane"]);
    await page.getByLabel("From").fill("");
    await page.waitForFunction(() => (window as unknown as Hooked).__graph.rendered().nodes.filter((x) => x.kind === "source").length === 3);
  });

  it("refuses to mount without the linked stylesheet Cytoscape looks for, instead of injecting a style", async () => {
    const refused = await recorded.page.evaluate(() => {
      const hooked = window as unknown as Hooked;
      const link = document.getElementById("__________cytoscape_stylesheet")!;
      link.id = "renamed";
      try {
        hooked.__mountGraph(document.createElement("div"), { nodes: [], edges: [], desks: [], regions: [], days: null }, { labels: {} as never, language: "en" });
        return "mounted";
      } catch (e) {
        return String(e);
      } finally {
        link.id = "__________cytoscape_stylesheet";
      }
    });
    expect(refused).toMatch(/graph_stylesheet_missing/);
    expect(await recorded.page.locator("style").count()).toBe(0);
  });

  it("axe-core finds no accessibility violation", async () => {
    const page = recorded.page;
    await page.addScriptTag({ url: "/axe.min.js" });
    const results = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
      const run = await axe.run(document);
      return run.violations.map((v) => ({ id: v.id, targets: v.nodes.map((x) => x.target.join(" ")) }));
    });
    expect(results).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as Hooked).__cspViolations)).toEqual([]);
  });
});
