// `npm run bench`: measures large-attachment and ingest performance on this machine in one run and writes
// bench/RESULTS.md. Every figure is a ratio against a baseline measured in the same run, on the same
// machine, with the same data. Generated files live in a temporary directory and are removed at the end.
//
//   SEALDROP_BENCH_SCALE=0.25 npm run bench   # smaller files, for a quick look (RESULTS.md says so)
//   npm run bench -- --only decrypt,ingest    # some sections only: figures printed, RESULTS.md untouched
//   SEALDROP_BENCH_FIXTURES=DIR npm run bench -- --only index,inbox   # keep the tip vaults in DIR and reuse them
import { execFileSync, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, release, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { build as esbuild } from "esbuild";
import { build } from "vite";
import { initializeNewsroom } from "../src/server/newsroom.js";
import { openNodeDatabase } from "../src/server/node/database.js";
import { testNewsroom } from "../tests/helpers/newsroom.js";
import { largeFigures, memoryFigures, openpgpFigures, uploadFigures, type BenchServer } from "./browser.js";
import { decryptFigures } from "./decrypt.js";
import { inboxFigures } from "./inbox.js";
import { indexFigures } from "./index.js";
import { ingestFigures } from "./ingest.js";
import { slowLinkFigures } from "./slow-link.js";
import { CHROMIUM, generateFile, GiB, here, log, mb, SCALE, SIZES, startProcess, stop, type Figures } from "./lib.js";
import { HOW } from "./how.js";

const SECTIONS = ["upload", "memory", "openpgp", "large", "decrypt", "ingest", "slowlink", "index", "inbox"] as const;
type Section = (typeof SECTIONS)[number];

function chosenSections(argv: string[]): Section[] {
  const at = argv.indexOf("--only");
  if (at < 0) return [...SECTIONS];
  const names = (argv[at + 1] ?? "").split(",").filter(Boolean);
  const unknown = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) throw new Error(`--only takes a comma-separated list of: ${SECTIONS.join(", ")}`);
  return SECTIONS.filter((s) => names.includes(s));
}

/**
 * The benchmark server as `npm run build` ships the command: bundled JavaScript on plain Node, not
 * TypeScript through tsx. Three folders deep, like its sources, so migrations/ resolves the same.
 */
async function serverScript(): Promise<string> {
  const outfile = here("../dist/node/bench/server-process.mjs");
  await esbuild({ entryPoints: [here("./server-process.ts")], outfile, bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", logLevel: "warning" });
  return outfile;
}

async function main(): Promise<void> {
  const sections = chosenSections(process.argv.slice(2));
  const started = Date.now();
  const work = await mkdtemp(join(tmpdir(), "sealdrop-bench-"));
  const children: ChildProcess[] = [];
  const figures: Figures = { rows: [], notes: [] };
  const add = (f: Figures) => (figures.rows.push(...f.rows), figures.notes.push(...f.notes));
  try {
    const { editor, setup } = await testNewsroom({ classic: true });
    /** A fresh sealdrop server (own data folder, proof of work and rate limits off) serving `clientDir`. */
    const startServer = async (name: string, clientDir: string): Promise<BenchServer> => {
      const dataDir = join(work, name);
      const db = await openNodeDatabase(dataDir);
      await initializeNewsroom(db, setup, new Date());
      await db.destroy();
      const server = await startProcess(await serverScript(), [dataDir, clientDir]);
      children.push(server.child);
      return { url: server.url, pid: server.child.pid!, dataDir, recipient: editor.recipient };
    };
    const file = async (name: string, bytes: number) => {
      const path = join(work, name);
      log(`generating ${mb(bytes)}…`);
      await generateFile(path, bytes);
      return path;
    };

    const browserSections = sections.filter((s) => s === "upload" || s === "memory" || s === "openpgp" || s === "large");
    if (browserSections.length > 0) {
      log(`building the benchmark page…`);
      const pageDir = join(work, "page");
      await build({ configFile: here("./vite.config.ts"), build: { outDir: pageDir, emptyOutDir: true }, logLevel: "warn" });
      const server = await startServer("data-browser", pageDir);
      if (sections.includes("upload")) add(await uploadFigures(server, await file("upload.bin", SIZES.browser), await file("jitless.bin", SIZES.jitless)));
      if (sections.includes("memory")) add(await memoryFigures(server, await file("memory.bin", SIZES.memory)));
      if (sections.includes("openpgp")) add(await openpgpFigures(server, await file("openpgp.bin", SIZES.openpgp)));
      for (const f of ["upload.bin", "memory.bin", "openpgp.bin"]) await rm(join(work, f), { force: true });
      if (sections.includes("large")) {
        add(await largeFigures(server, await file("large.bin", SIZES.large), SIZES.large, editor.identity));
        await rm(join(work, "large.bin"), { force: true });
      }
    }
    if (sections.includes("decrypt")) add(await decryptFigures(work, await file("decrypt.bin", SIZES.decrypt)));
    if (sections.includes("slowlink")) {
      log(`building the source page…`);
      const sourcePage = join(work, "source-page");
      await build({ configFile: here("../vite.config.ts"), build: { outDir: sourcePage, emptyOutDir: true }, logLevel: "warn" });
      const server = await startServer("data-slowlink", sourcePage);
      add(await slowLinkFigures(server.url));
    }
    if (sections.includes("index")) add(await indexFigures(work));
    if (sections.includes("inbox")) add(await inboxFigures(work));
    if (sections.includes("ingest")) {
      const server = await startServer("data-ingest", join(work, "no-client"));
      add(await ingestFigures(server.url, server.recipient));
    }

    const chromiumVersion = execFileSync(CHROMIUM, ["--version"]).toString().trim();
    const ageVersion = execFileSync("age", ["--version"]).toString().trim();
    const cpu = cpus();
    const minutes = ((Date.now() - started) / 60000).toFixed(1);
    const partial = sections.length < SECTIONS.length;
    const md = `# sealdrop benchmarks

Written by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)}, in one run of ${minutes} minutes${SCALE !== 1 ? `, **at scale ${SCALE}** (SEALDROP_BENCH_SCALE)` : ""}${partial ? `, **sections ${sections.join(", ")} only**` : ""}.
Every ratio is against a baseline measured in the same run on the same machine with the same data; higher is better.

## Machine

- CPU: ${cpu[0]?.model ?? "unknown"}, ${cpu.length} cores (shared with other work while this ran)
- Memory: ${(totalmem() / GiB).toFixed(1)} GiB
- OS: Linux ${release()}
- Node ${process.version}; ${chromiumVersion}; age ${ageVersion}

## Figures

| What | sealdrop | Baseline | Ratio | Target | |
| --- | --- | --- | --- | --- | --- |
${figures.rows.join("\n")}

## How each figure is taken

${HOW(SIZES.memory)}

${figures.notes.map((n) => `- ${n}`).join("\n")}
`;
    if (!partial) await writeFile(here("./RESULTS.md"), md);
    else log("some sections only: bench/RESULTS.md is left as it was");
    process.stdout.write(md);
  } finally {
    for (const c of children) await stop(c);
    await rm(work, { recursive: true, force: true });
  }
}

await main();
