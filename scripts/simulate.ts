// npm run simulate -- --sources N --editors M --days D [--url URL --setup-token T] [--classic] [--concurrency C] [--json]
// Runs the source-network simulation (scripts/simulate/network.ts) and prints its report.
import { runSimulation } from "./simulate/network.js";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const number = (name: string, fallback: number) => {
  const value = Number(option(name) ?? fallback);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} takes a non-negative integer`);
  return value;
};

const report = await runSimulation({
  sources: number("sources", 20),
  editors: number("editors", 2),
  days: number("days", 3),
  url: option("url"),
  setupToken: option("setup-token"),
  classic: process.argv.includes("--classic"),
  concurrency: number("concurrency", 8),
  log: (line) => process.stderr.write(`${line}\n`),
});
console.log(JSON.stringify(report, null, 2));
const lost = Object.values(report.lost).reduce((a, b) => a + b, 0);
if (lost > 0) {
  console.error(`LOST ${lost} acknowledged item(s)`);
  process.exit(1);
}
