// Benchmark section `index`: `sealdrop sources` and `sealdrop list` on vaults of 1,000 and 10,000 tips, cold (no index yet: the
// first indexing, spread over the cores) and warm (indexed), each as the shipped command on plain Node
// (wall time and peak RSS of the process), against decrypting every envelope once in this process; with
// what every run pays whatever the vault holds (an empty vault) and what the default KDF adds to that.
// Tips are sealed to three classic X25519 editor keys (post-quantum ones take ~13 ms each to open, which
// would make a 10,000-tip run take many minutes on a shared machine; the index's work per item is the same).
import { execFile } from "node:child_process";
import { copyFile, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { bundleCli } from "../scripts/cli-bundle.js";
import { randomId } from "../src/core/bytes.js";
import { type Envelope, openEnvelope, sealEnvelope } from "../src/core/envelope.js";
import { createEditor, type Editor, saveEditor } from "../src/cli/editor.js";
import { editorHome } from "../src/cli/home.js";
import { Vault, type VaultSubmission } from "../src/cli/vault.js";
import { here, log, ratio, type Figures } from "./lib.js";

const run = promisify(execFile);
const PASSPHRASE = "bench passphrase for the index section";
const ENV = { ...process.env, SEALDROP_KDF: "interactive", SEALDROP_PASSPHRASE: PASSPHRASE, SEALDROP_HOME: "" };
const WORDS = "grain trucks border market price rice customs night river bridge train soldiers cousin letter radio phone factory harvest".split(" ");

/** The command as `npm run build` ships it: bundled JavaScript on plain Node. Three folders deep, like the shipped file. */
async function cliScript(): Promise<string> {
  const outdir = here("../dist/node/bench-cli");
  await bundleCli(here("../"), outdir);
  return `${outdir}/sealdrop.mjs`;
}

const message = (i: number) => Array.from({ length: 60 }, (_, k) => WORDS[(i * 7 + k * 13) % WORDS.length]).join(" ");

/** A home whose vault holds `tips` submissions from tips/4 sources (a first submission, then follow-ups). */
async function fixture(work: string, tips: number): Promise<{ home: string; envelopes: Uint8Array[]; editor: Editor }> {
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
  return { home, envelopes, editor };
}

type Measured = { seconds: number; rssMiB: number; lines: number };
type Command = "sources" | "list";

/** Runs `sealdrop sources` (or `list`) as its own process: wall seconds and peak RSS in MiB. */
async function sources(cli: string, preload: string, home: string, rssFile: string, command: Command = "sources"): Promise<Measured> {
  const t = performance.now();
  const { stdout } = await run(process.execPath, ["--import", preload, cli, command, "--home", home], { env: { ...ENV, RSS_OUT: rssFile }, maxBuffer: 64 << 20 });
  const seconds = (performance.now() - t) / 1000;
  return { seconds, rssMiB: Number(await readFile(rssFile, "utf8")) / 1024, lines: stdout.trim().split("\n").length };
}

export async function indexFigures(work: string): Promise<Figures> {
  const cli = await cliScript();
  const preload = join(work, "rss.mjs");
  await writeFile(preload, `import { writeFileSync } from "node:fs";\nprocess.on("exit", () => writeFileSync(process.env.RSS_OUT, String(process.resourceUsage().maxRSS)));\n`);
  const rssFile = join(work, "rss.txt");
  const bestOf3 = async (home: string, command: Command = "sources") =>
    [await sources(cli, preload, home, rssFile, command), await sources(cli, preload, home, rssFile, command), await sources(cli, preload, home, rssFile, command)].sort((a, b) => a.seconds - b.seconds)[0]!;
  const cell = (m: Measured) => `${m.seconds.toFixed(2)} s, ${m.rssMiB.toFixed(0)} MiB RSS`;
  const rows: string[] = [];
  log(`index: sources on an empty vault…`);
  const empty = await fixture(work, 0);
  rows.push(`| \`sealdrop sources\`, empty vault (what every run pays: process start, loading, unlocking; best of three) | ${cell(await bestOf3(empty.home))} | (absolute) | – | | |`);
  for (const tips of [1000, 10000]) {
    log(`index: sealing ${tips} tips to three X25519 editors…`);
    const { home, envelopes, editor } = await fixture(work, tips);
    const identity = editor.secrets.ageIdentity;
    log(`index: decrypting every envelope once (baseline)…`);
    const t = performance.now();
    for (const e of envelopes) await openEnvelope(e, [identity]);
    const baseline = (performance.now() - t) / 1000;
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
      await rm(moderate, { recursive: true, force: true });
    }
    await rm(home, { recursive: true, force: true });
  }
  return { rows, notes: [] };
}
