// Benchmark section `index`: `sealdrop sources` and `sealdrop list` on vaults of 1,000 and 10,000 tips, cold (no index yet: the
// first indexing, spread over the cores) and warm (indexed), each as the shipped command on plain Node
// (wall time and peak RSS of the process), against decrypting every envelope once in this process; with
// what every run pays whatever the vault holds (an empty vault) and what the default KDF adds to that.
// Tips are sealed to three classic X25519 editor keys (post-quantum ones take ~13 ms each to open, which
// would make a 10,000-tip run take many minutes on a shared machine; the index's work per item is the same;
// the inbox section measures a post-quantum vault). The vaults and the baseline are bench/vault-fixture.ts's.
import { execFile } from "node:child_process";
import { copyFile, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { bundleCli } from "../scripts/cli-bundle.js";
import { saveEditor } from "../src/cli/editor.js";
import { editorHome } from "../src/cli/home.js";
import { here, log, ratio, type Figures } from "./lib.js";
import { baselineSeconds, CLI_ENV as ENV, PASSPHRASE, vaultFixture, withAgent } from "./vault-fixture.js";

const run = promisify(execFile);

let bundled: Promise<string> | undefined;

/** The command as `npm run build` ships it: bundled JavaScript on plain Node. Three folders deep, like the shipped file. Bundled once per run. */
export function cliScript(): Promise<string> {
  const outdir = here("../dist/node/bench-cli");
  bundled ??= bundleCli(here("../"), outdir).then(() => `${outdir}/sealdrop.mjs`);
  return bundled;
}

type Measured = { seconds: number; rssMiB: number; lines: number };
type Command = "sources" | "list";

/** Runs `sealdrop sources` (or `list`) as its own process: wall seconds and peak RSS in MiB. */
async function sources(cli: string, preload: string, home: string, rssFile: string, command: Command = "sources", env: NodeJS.ProcessEnv = ENV): Promise<Measured> {
  const t = performance.now();
  const { stdout } = await run(process.execPath, ["--import", preload, cli, command, "--home", home], { env: { ...env, RSS_OUT: rssFile }, maxBuffer: 64 << 20 });
  const seconds = (performance.now() - t) / 1000;
  return { seconds, rssMiB: Number(await readFile(rssFile, "utf8")) / 1024, lines: stdout.trim().split("\n").length };
}

export async function indexFigures(work: string): Promise<Figures> {
  const cli = await cliScript();
  const preload = join(work, "rss.mjs");
  // The process's own peak (VmHWM, in KiB), read as it exits. Not resourceUsage().maxRSS: Linux carries a
  // parent's peak across fork and exec into it, so every command would show at least this bench's own RSS.
  await writeFile(preload, `import { readFileSync, writeFileSync } from "node:fs";\nprocess.on("exit", () => writeFileSync(process.env.RSS_OUT, /VmHWM:\\s*(\\d+)/.exec(readFileSync("/proc/self/status", "utf8"))[1]));\n`);
  const rssFile = join(work, "rss.txt");
  const bestOf3 = async (home: string, command: Command = "sources", env: NodeJS.ProcessEnv = ENV) =>
    [await sources(cli, preload, home, rssFile, command, env), await sources(cli, preload, home, rssFile, command, env), await sources(cli, preload, home, rssFile, command, env)].sort((a, b) => a.seconds - b.seconds)[0]!;
  const cell = (m: Measured) => `${m.seconds.toFixed(2)} s, ${m.rssMiB.toFixed(0)} MiB RSS`;
  const rows: string[] = [];
  log(`index: sources on an empty vault…`);
  const empty = await vaultFixture(work, 0);
  rows.push(`| \`sealdrop sources\`, empty vault (what every run pays: process start, loading, unlocking; best of three) | ${cell(await bestOf3(empty.home))} | (absolute) | – | | |`);
  for (const tips of [1000, 10000]) {
    const fixture = await vaultFixture(work, tips);
    const { home, editor } = fixture;
    const baseline = await baselineSeconds(fixture);
    log(`index: sources, cold…`);
    await rm(editorHome(home).indexFile, { force: true });
    const cold = await sources(cli, preload, home, rssFile);
    log(`index: sources, warm…`);
    const warm = await bestOf3(home);
    if (warm.lines !== Math.ceil(tips / 4)) throw new Error(`sources printed ${warm.lines} lines, not ${Math.ceil(tips / 4)}`);
    log(`index: list, cold and warm…`);
    await rm(editorHome(home).indexFile, { force: true });
    const listCold = await sources(cli, preload, home, rssFile, "list");
    const listWarm = await bestOf3(home, "list");
    if (listWarm.lines < tips) throw new Error(`list printed ${listWarm.lines} lines, fewer than its ${tips} tips`);
    const n = tips.toLocaleString("en");
    const met = warm.seconds < 1 && warm.rssMiB < 200;
    rows.push(
      `| \`sealdrop sources\`, ${n} tips, cold (first indexing) | ${cold.seconds.toFixed(2)} s, ${cold.rssMiB.toFixed(0)} MiB RSS | decrypting every envelope once ${baseline.toFixed(2)} s | **${ratio(baseline / cold.seconds)}** | | |`,
      `| \`sealdrop sources\`, ${n} tips, warm (indexed) | ${warm.seconds.toFixed(2)} s, ${warm.rssMiB.toFixed(0)} MiB RSS | decrypting every envelope once ${baseline.toFixed(2)} s | **${ratio(baseline / warm.seconds)}** | < 1 s, < 200 MiB | ${met ? "met" : "not met"} |`,
      `| \`sealdrop list\`, ${n} tips, cold (first indexing) | ${cell(listCold)} | decrypting every envelope once ${baseline.toFixed(2)} s | **${ratio(baseline / listCold.seconds)}** | | |`,
      `| \`sealdrop list\`, ${n} tips, warm (indexed) | ${cell(listWarm)} | decrypting every envelope once ${baseline.toFixed(2)} s | **${ratio(baseline / listWarm.seconds)}** | < 1 s, < 200 MiB | ${listWarm.seconds < 1 && listWarm.rssMiB < 200 ? "met" : "not met"} |`,
    );
    if (tips === 10000) {
      // The same warm run with the key file under the default KDF limits (moderate: Argon2id with 256 MiB), as a real home has it.
      log(`index: sources, warm, key file under the default KDF…`);
      const moderate = join(work, "home-moderate");
      await saveEditor(editorHome(moderate), editor, PASSPHRASE, { env: { SEALDROP_KDF: "moderate" } });
      await copyFile(editorHome(home).vaultFile, editorHome(moderate).vaultFile);
      await copyFile(editorHome(home).indexFile, editorHome(moderate).indexFile);
      const m = await bestOf3(moderate);
      rows.push(`| \`sealdrop sources\`, ${n} tips, warm, key file under the default KDF (moderate, Argon2id 256 MiB) | ${cell(m)} | decrypting every envelope once ${baseline.toFixed(2)} s | **${ratio(baseline / m.seconds)}** | < 1 s, < 200 MiB | ${m.seconds < 1 && m.rssMiB < 200 ? "met" : "not met"} |`);
      // The same home unlocked by \`sealdrop unlock\`, the commands run with no passphrase (withAgent).
      log(`index: sources and list, warm, unlocked by the agent…`);
      await withAgent(cli, moderate, async (env) => {
        for (const command of ["sources", "list"] as const) {
          const a = await bestOf3(moderate, command, env);
          rows.push(`| \`sealdrop ${command}\`, ${n} tips, warm, key file under the default KDF, unlocked by \`sealdrop unlock\` (the agent holds the derived key; no passphrase asked or derived) | ${cell(a)} | decrypting every envelope once ${baseline.toFixed(2)} s | **${ratio(baseline / a.seconds)}** | < 1 s, < 200 MiB | ${a.seconds < 1 && a.rssMiB < 200 ? "met" : "not met"} |`);
        }
      });
      await rm(moderate, { recursive: true, force: true });
    }
  }
  return { rows, notes: [] };
}
