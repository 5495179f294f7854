// The vaults the `index` and `inbox` sections read (bench/index.ts, bench/inbox.ts): an editor home whose
// vault holds N tips from N/4 sources (a first submission, then follow-ups; ~60-word messages, every fifth
// with an attachment entry), each sealed to three editor keys, classic X25519 (`age1…`) or hybrid
// post-quantum (`age1pq1…`, ML-KEM-768 + X25519), and the baseline both sections compare against:
// decrypting every envelope once, on one thread, in the benchmark process.
//
// A run makes each vault once and measures the baseline once, whichever sections ask (so `npm run bench`
// pays for the 10,000-tip vaults once). With SEALDROP_BENCH_FIXTURES=DIR the pristine homes are kept in
// DIR and reused by later runs (the baseline is measured again in every run); each run works on a copy.
import { execFile } from "node:child_process";
import { cp, mkdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { generateHybridIdentity, generateX25519Identity, identityToRecipient } from "age-encryption";
import { randomId } from "../src/core/bytes.js";
import { type Envelope, openEnvelope, sealEnvelope } from "../src/core/envelope.js";
import { createEditor, type Editor, saveEditor, unlockEditor } from "../src/cli/editor.js";
import { editorHome } from "../src/cli/home.js";
import { Vault, type VaultSubmission } from "../src/cli/vault.js";
import { log } from "./lib.js";

export const PASSPHRASE = "bench passphrase for the index section";
/** What the measured command runs with: the key file under the interactive Argon2id limits (64 MiB). */
export const CLI_ENV = { ...process.env, SEALDROP_KDF: "interactive", SEALDROP_PASSPHRASE: PASSPHRASE, SEALDROP_HOME: "" };

/**
 * Runs `measure` with `home` unlocked by the shipped command's \`sealdrop unlock\` (src/cli/agent.ts), handing
 * it CLI_ENV without the passphrase: a command run with that gets the agent's key or fails. Locks after.
 */
export async function withAgent<T>(cli: string, home: string, measure: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  const run = (args: string[]) => promisify(execFile)(process.execPath, [cli, ...args, "--home", home], { env: CLI_ENV });
  await run(["unlock", "--for", "15m"]);
  const { SEALDROP_PASSPHRASE: _, ...noPassphrase } = CLI_ENV;
  try {
    return await measure(noPassphrase);
  } finally {
    await run(["lock"]);
  }
}
const WORDS = "grain trucks border market price rice customs night river bridge train soldiers cousin letter radio phone factory harvest".split(" ");

export type Keys = "classic" | "pq";
export const KEYS_TEXT: Record<Keys, string> = { classic: "three X25519 editors", pq: "three post-quantum editors (age1pq1…)" };

export interface VaultFixture {
  /** This run's copy of the home: the vault and the key file; a section may add or remove the index. */
  home: string;
  tips: number;
  sources: number;
  keys: Keys;
  editor: Editor;
  envelopes: Uint8Array[];
  /** Seconds to make the vault in this run (0 when it came from SEALDROP_BENCH_FIXTURES). */
  madeIn: number;
}

const message = (i: number) => Array.from({ length: 60 }, (_, k) => WORDS[(i * 7 + k * 13) % WORDS.length]).join(" ");
const newIdentity = (keys: Keys) => (keys === "pq" ? generateHybridIdentity() : generateX25519Identity());

async function makeHome(home: string, tips: number, keys: Keys): Promise<void> {
  const editor = await createEditor("Bench", "http://127.0.0.1:1", "Bench", keys === "classic");
  await mkdir(home, { recursive: true });
  await saveEditor(editorHome(home), editor, PASSPHRASE, { env: { SEALDROP_KDF: "interactive" } });
  const others = await Promise.all([0, 1].map(async () => identityToRecipient(await newIdentity(keys))));
  // Sources' reply keys are classic in both: they are the sources', not the desk's.
  const sources = await Promise.all(Array.from({ length: Math.ceil(tips / 4) }, async () => identityToRecipient(await generateX25519Identity())));
  const vault = await Vault.open(editorHome(home).vaultFile);
  let batch: VaultSubmission[] = [];
  for (let i = 0; i < tips; i++) {
    const s = i % sources.length;
    const e: Envelope = {
      v: 1, kind: i < sources.length ? "submission" : "followup", desk: i % 3 === 0 ? "inv" : "news", message: message(i), fields: {},
      attachments: i % 5 === 0 ? [{ name: "photo.jpg", type: "image/jpeg", size: 123456, sha256: "ab".repeat(32) }] : [],
      reply: { recipient: sources[s]!, mailbox: { id: randomId(), credential: "cd".repeat(32) } }, client: "bench", lang: "ko",
    };
    const sealed = await sealEnvelope(e, [editor.ageRecipient, ...others]);
    batch.push({ id: randomId(), desk: e.desk, day: `2026-${String(1 + (i % 11)).padStart(2, "0")}-15`, envelopeSize: sealed.length, envelope: sealed });
    if (batch.length === 500) (await vault.putAll(batch, []), (batch = []));
    if ((i + 1) % 2000 === 0) log(`  ${i + 1} of ${tips} sealed`);
  }
  await vault.putAll(batch, []);
  await vault.close();
}

const exists = (p: string) => stat(p).then(() => true, () => false);
const made = new Map<string, Promise<VaultFixture>>();
const baselines = new Map<string, Promise<Baseline>>();

/** The vault of `tips` tips sealed to `keys`, made once per run (or taken from SEALDROP_BENCH_FIXTURES). */
export function vaultFixture(work: string, tips: number, keys: Keys = "classic"): Promise<VaultFixture> {
  const name = `${keys}-${tips}`;
  let fixture = made.get(name);
  if (!fixture) made.set(name, (fixture = loadOrMake(work, name, tips, keys)));
  return fixture;
}

async function loadOrMake(work: string, name: string, tips: number, keys: Keys): Promise<VaultFixture> {
  const cache = process.env.SEALDROP_BENCH_FIXTURES;
  const pristine = cache ? join(cache, name) : join(work, `pristine-${name}`);
  let madeIn = 0;
  if (!(cache && (await exists(join(pristine, "complete"))))) {
    log(`fixture: sealing ${tips.toLocaleString("en")} tips to ${KEYS_TEXT[keys]}…`);
    const t = performance.now();
    await rm(pristine, { recursive: true, force: true }); // an unfinished one, from a run that stopped
    await makeHome(pristine, tips, keys);
    madeIn = (performance.now() - t) / 1000;
    await writeFile(join(pristine, "complete"), `${madeIn.toFixed(1)} s\n`);
    log(`fixture: ${name} made in ${madeIn.toFixed(1)} s`);
  } else log(`fixture: ${name} from ${pristine}`);
  const home = join(work, `home-${name}`);
  await cp(pristine, home, { recursive: true });
  const io = { out() {}, err() {}, env: { SEALDROP_PASSPHRASE: PASSPHRASE }, cwd: work, interactive: false };
  const editor = await unlockEditor(editorHome(home), io, undefined);
  const vault = await Vault.open(editorHome(home).vaultFile);
  const envelopes = (await vault.submissions()).map((s) => s.envelope);
  await vault.close();
  if (envelopes.length !== tips) throw new Error(`${pristine} holds ${envelopes.length} tips, not ${tips}: remove it`);
  return { home, tips, sources: Math.ceil(tips / 4), keys, editor, envelopes, madeIn };
}

export interface Baseline {
  seconds: number;
  /** CPU seconds of this process meanwhile (one thread): on a shared machine, what waiting for a core does not inflate. */
  cpu: number;
}

/** Decrypting every envelope of the fixture once, on one thread in this process; measured once per run. */
export function baseline(fixture: VaultFixture): Promise<Baseline> {
  const name = `${fixture.keys}-${fixture.tips}`;
  let measured = baselines.get(name);
  if (!measured) {
    measured = (async () => {
      log(`baseline: decrypting every envelope of ${name} once…`);
      const identity = fixture.editor.secrets.ageIdentity;
      const cpu = process.cpuUsage();
      const t = performance.now();
      for (const e of fixture.envelopes) await openEnvelope(e, [identity]);
      const used = process.cpuUsage(cpu);
      return { seconds: (performance.now() - t) / 1000, cpu: (used.user + used.system) / 1e6 };
    })();
    baselines.set(name, measured);
  }
  return measured;
}

/** Seconds of the baseline (bench/index.ts's figures). */
export const baselineSeconds = async (fixture: VaultFixture): Promise<number> => (await baseline(fixture)).seconds;
