// Shared parts of the benchmark (bench/run.ts): units, child processes, memory readings from /proc,
// generated files.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { open } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

export const SCALE = Number(process.env.SEALDROP_BENCH_SCALE ?? "1");
export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
const size = (bytes: number) => Math.max(8 * MiB, Math.round((bytes * SCALE) / MiB) * MiB);
export const SIZES = { browser: size(GiB), memory: size(2 * GiB), jitless: size(64 * MiB), openpgp: size(256 * MiB), decrypt: size(GiB), large: size(4 * GiB + 7 * MiB) };
export const CHROMIUM = process.env.SEALDROP_CHROMIUM ?? "/usr/bin/chromium";
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
export const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export const log = (s: string) => process.stderr.write(`${s}\n`);
export const mb = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
export const rate = (bytes: number, seconds: number) => `${(bytes / MiB / seconds).toFixed(1)} MiB/s`;
export const ratio = (x: number) => x.toFixed(2);

/** What a section adds to RESULTS.md: table rows and notes under the table. */
export interface Figures {
  rows: string[];
  notes: string[];
}

// ---- processes and memory -------------------------------------------------------------------------------

/** Starts a TypeScript script (through tsx) or, for a `.js`/`.mjs` file, plain Node; resolves once it prints `listening URL`. */
export function startProcess(script: string, args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const loader = /\.m?js$/.test(script) ? [] : ["--import", TSX];
  // SEALDROP_BENCH_CPU_PROF=DIR: every process started here writes a V8 CPU profile into DIR when it exits.
  const profile = process.env.SEALDROP_BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.SEALDROP_BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, ...loader, script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /listening (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
    child.once("exit", (code) => reject(new Error(`${script} exited (${code}): ${out}`)));
  });
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once("exit", () => done());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5000).unref();
  });
}

export function statusField(pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds a process has used so far, all its threads, user and system (/proc/PID/stat utime + stime). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** Proportional set size (shared pages split between processes), so a process tree's sum is honest. */
export function pss(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}


/** Every descendant of `root` (Chromium's browser, GPU, network, renderer processes). */
export function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of parents) if (parent === pid) (out.push(child), walk(child));
  };
  walk(root);
  return out;
}

/** Samples `read()` every 200 ms until stopped; returns the peak. */
export function sampler(read: () => number): { stop(): number } {
  let peak = read();
  const timer = setInterval(() => (peak = Math.max(peak, read())), 200);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, read());
    },
  };
}

// ---- files -----------------------------------------------------------------------------------------------

export async function generateFile(path: string, bytes: number): Promise<void> {
  const out = await open(path, "w");
  const block = Buffer.alloc(8 * MiB);
  const random = createHash("sha256");
  for (let written = 0; written < bytes; ) {
    // Incompressible, cheap: SHA-256 counter mode is faster than /dev/urandom here and reproducible.
    for (let i = 0; i < block.length; i += 32) random.copy().update(`${written + i}`).digest().copy(block, i);
    const n = Math.min(block.length, bytes - written);
    await out.write(block.subarray(0, n));
    written += n;
  }
  await out.close();
}
