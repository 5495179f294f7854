// npm run simulate -- --sources N --editors M --days D [--url URL --setup-token T | --nodes N [--database URL]]
//                     [--classic] [--concurrency C]
// Runs the source-network simulation (scripts/simulate/network.ts) and prints its report. --nodes N runs it
// against N `sealdrop serve` processes on one PostgreSQL behind a round-robin proxy (simulate/nodes.ts)
// and adds what the run cost the nodes and PostgreSQL.
import { runSimulation } from "./simulate/network.js";
import { startNodes } from "./simulate/nodes.js";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const number = (name: string, fallback: number) => {
  const value = Number(option(name) ?? fallback);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} takes a non-negative integer`);
  return value;
};

const nodeCount = option("nodes") === undefined ? 0 : number("nodes", 1);
if (nodeCount > 0 && option("url")) throw new Error("--nodes starts its own servers: leave out --url");
const nodes = nodeCount > 0 ? await startNodes(nodeCount, option("database")) : undefined;
let report;
let costs;
try {
  await nodes?.mark();
  report = await runSimulation({
    sources: number("sources", 20),
    editors: number("editors", 2),
    days: number("days", 3),
    url: nodes?.url ?? option("url"),
    setupToken: nodes?.setupToken ?? option("setup-token"),
    classic: process.argv.includes("--classic"),
    concurrency: number("concurrency", 8),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  costs = await nodes?.costs();
} finally {
  await nodes?.close();
}
console.log(JSON.stringify(nodes ? { nodes: nodeCount, ...report, costs } : report, null, 2));
const lost = Object.values(report.lost).reduce((a, b) => a + b, 0);
if (lost > 0) {
  console.error(`LOST ${lost} acknowledged item(s)`);
  process.exit(1);
}
