// Benchmark section `index`: `sealdrop sources` on vaults of 1,000 and 10,000 tips, cold (no index yet: the
// first indexing, spread over the cores) and warm (indexed), each as the shipped command on plain Node
// (wall time and peak RSS of the process), against decrypting every envelope once in this process.
// Tips are sealed to three classic X25519 editor keys (post-quantum ones take ~13 ms each to open, which
// would make a 10,000-tip run take many minutes on a shared machine; the index's work per item is the same).
import { execFile } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { build as esbuild } from "esbuild";
import { randomId } from "../src/core/bytes.js";
import { type Envelope, openEnvelope, sealEnvelope } from "../src/core/envelope.js";
import { createEditor, saveEditor } from "../src/cli/editor.js";
import { editorHome } from "../src/cli/home.js";
import { Vault, type VaultSubmission } from "../src/cli/vault.js";
import { here, log, ratio, type Figures } from "./lib.js";

const run = promisify(execFile);
const PASSPHRASE = "bench passphrase for the index section";
const ENV = { ...process.env, SEALDROP_KDF: "interactive", SEALDROP_PASSPHRASE: PASSPHRASE, SEALDROP_HOME: "" };
const WORDS = "grain trucks border market price rice customs night river bridge train soldiers cousin letter radio phone factory harvest".split(" ");

/** The command as `npm run build` ships it: bundled JavaScript on plain Node. Three folders deep, like the shipped file. */
async function cliScript(): Promise<string> {
  const outfile = here("../dist/node/bench/sealdrop-cli.mjs");
  await esbuild({ entryPoints: [here("../src/cli/main.ts")], outfile, bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", logLevel: "warning" });
  return outfile;
}

const message = (i: number) => Array.from({ length: 60 }, (_, k) => WORDS[(i * 7 + k * 13) % WORDS.length]).join(" ");

/** A home whose vault holds `tips` submissions from tips/4 sources (a first submission, then follow-ups). */
async function fixture(work: string, tips: number): Promise<{ home: string; envelopes: Uint8Array[]; identity: string }> {
  const home = join(work, `home-${tips}`);
  const editor = await createEditor("Bench", "http://127.0.0.1:1", "Bench", true);
  await saveEditor(editorHome(home), editor, PASSPHRASE, { env: { SEALDROP_KDF: "interactive" } });
  const others = await Promise.all([0, 1].map(async () => identityToRecipient(await generateX25519Identity())));
  const sources = await Promise.all(Array.from({ length: Math.ceil(tips / 4) }, async () => identityToRecipient(await generateX25519Identity())));
  const vault = await Vault.open(editorHome(home).vaultFile);
  const envelopes: Uint8Array[] = [];
  let batch: VaultSubmission[] = [];
  for (let i = 0; i < tips; i++) {
    const s = i % sources.length;
    const e: Envelope = {
      v: 1, kind: i < sources.length ? "submission" : "followup", desk: i % 3 === 0 ? "inv" : "news", message: message(i), fields: {},
      attachments: i % 5 === 0 ? [{ name: "photo.jpg", type: "image/jpeg", size: 123456, sha256: "ab".repeat(32) }] : [],
      reply: { recipient: sources[s]!, mailbox: { id: randomId(), credential: "cd".repeat(32) } }, client: "bench", lang: "ko",
    };
    const sealed = await sealEnvelope(e, [editor.ageRecipient, ...others]);
    envelopes.push(sealed);
    batch.push({ id: randomId(), desk: e.desk, day: `2026-${String(1 + (i % 11)).padStart(2, "0")}-15`, envelopeSize: sealed.length, envelope: sealed });
    if (batch.length === 500) (await vault.putAll(batch, []), (batch = []));
  }
  await vault.putAll(batch, []);
  await vault.close();
  return { home, envelopes, identity: editor.secrets.ageIdentity };
}

/** Runs `sealdrop sources` as its own process: wall seconds and peak RSS in MiB. */
async function sources(cli: string, preload: string, home: string, rssFile: string): Promise<{ seconds: number; rssMiB: number; lines: number }> {
  const t = performance.now();
  const { stdout } = await run(process.execPath, ["--import", preload, cli, "sources", "--home", home], { env: { ...ENV, RSS_OUT: rssFile }, maxBuffer: 64 << 20 });
  const seconds = (performance.now() - t) / 1000;
  return { seconds, rssMiB: Number(await readFile(rssFile, "utf8")) / 1024, lines: stdout.trim().split("\n").length };
}

export async function indexFigures(work: string): Promise<Figures> {
  const cli = await cliScript();
  const preload = join(work, "rss.mjs");
  await writeFile(preload, `import { writeFileSync } from "node:fs";\nprocess.on("exit", () => writeFileSync(process.env.RSS_OUT, String(process.resourceUsage().maxRSS)));\n`);
  const rssFile = join(work, "rss.txt");
  const rows: string[] = [];
  for (const tips of [1000, 10000]) {
    log(`index: sealing ${tips} tips to three X25519 editors…`);
    const { home, envelopes, identity } = await fixture(work, tips);
    log(`index: decrypting every envelope once (baseline)…`);
    const t = performance.now();
    for (const e of envelopes) await openEnvelope(e, [identity]);
    const baseline = (performance.now() - t) / 1000;
    log(`index: sources, cold…`);
    await rm(editorHome(home).indexFile, { force: true });
    const cold = await sources(cli, preload, home, rssFile);
    log(`index: sources, warm…`);
    const warm = [await sources(cli, preload, home, rssFile), await sources(cli, preload, home, rssFile), await sources(cli, preload, home, rssFile)].sort((a, b) => a.seconds - b.seconds)[0]!;
    if (warm.lines !== Math.ceil(tips / 4)) throw new Error(`sources printed ${warm.lines} lines, not ${Math.ceil(tips / 4)}`);
    const n = tips.toLocaleString("en");
    const met = warm.seconds < 1 && warm.rssMiB < 200;
    rows.push(
      `| \`sealdrop sources\`, ${n} tips, cold (first indexing) | ${cold.seconds.toFixed(2)} s, ${cold.rssMiB.toFixed(0)} MiB RSS | decrypting every envelope once ${baseline.toFixed(2)} s | **${ratio(baseline / cold.seconds)}** | | |`,
      `| \`sealdrop sources\`, ${n} tips, warm (indexed) | ${warm.seconds.toFixed(2)} s, ${warm.rssMiB.toFixed(0)} MiB RSS | decrypting every envelope once ${baseline.toFixed(2)} s | **${ratio(baseline / warm.seconds)}** | < 1 s, < 200 MiB | ${met ? "met" : "not met"} |`,
    );
    await rm(home, { recursive: true, force: true });
  }
  return { rows, notes: [] };
}
