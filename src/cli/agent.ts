// The unlock agent (`sealdrop unlock`, `sealdrop lock`): an opt-in process that keeps the key that
// Argon2id derived from the editor's passphrase for a chosen time, so that the commands run in that time
// open the key file without asking and without deriving again. Off unless the editor starts it.
//
// What it holds: the 32-byte key that seals the home's key file (docs/FORMAT.md "Editor key file"), for that
// file's salt only; never the passphrase, never the opened secrets, never on disk. A command still opens
// the key file itself (XChaCha20-Poly1305 verifies the key), so a wrong key from anything that answers on
// the socket opens nothing: the command says so and asks for the passphrase as it would without an agent.
// Who can ask: anything that can reach `HOME/agent.sock`, a Unix socket created 0600 inside the home
// (itself 0700), that is, programs running as the editor's own user, as with ssh-agent or gpg-agent.
// docs/THREAT-MODEL.md says what this gives up and when not to use it.
//
// The agent is plain CommonJS text run by `node -e` with no flags: it loads only node:net and node:fs,
// gets its settings and the key on stdin (never in its arguments or environment, which the process
// list shows), ends at its time, on `sealdrop lock`, on SIGTERM, SIGINT or SIGHUP, and wipes the key first.
import { spawn } from "node:child_process";
import { unlink } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { CliError, UsageError } from "./errors.js";
import type { EditorHome } from "./home.js";

export const AGENT_SOCKET = "agent.sock";
/** Linux's sun_path holds 108 bytes and macOS's 104, the terminating zero included. */
const MAX_SOCKET_PATH = 103;
/** The longest `--for`: a working day. */
export const MAX_AGENT_SECONDS = 12 * 3600;
export const DEFAULT_AGENT_SECONDS = 30 * 60;
/** How long a command waits for an agent that accepted its connection and says nothing (a hung process). */
const REPLY_TIMEOUT_MS = 3_000;

/** The reply to a key request that the agent can answer: this byte, then the 32-byte key. */
const KEY_REPLY = 0x4b; // "K"
const KEY_BYTES = 32;

export const agentSocketPath = (home: EditorHome): string => join(home.dir, AGENT_SOCKET);

const AGENT = `"use strict";
const net = require("node:net");
const fs = require("node:fs");
const chunks = [];
process.stdin.on("data", (c) => chunks.push(c));
process.stdin.on("end", () => {
  const input = Buffer.concat(chunks);
  for (const c of chunks) c.fill(0);
  const nl = input.indexOf(10);
  let cfg;
  try { cfg = JSON.parse(input.subarray(0, nl).toString("utf8")); } catch { cfg = null; }
  if (nl < 0 || cfg === null || input.length !== nl + 1 + ${KEY_BYTES}) { input.fill(0); process.stdout.write('{"error":"bad_input"}\\n'); process.exit(1); }
  const key = Buffer.alloc(${KEY_BYTES});
  input.copy(key, 0, nl + 1);
  input.fill(0);
  const reply = Buffer.alloc(${KEY_BYTES + 1});
  reply[0] = ${KEY_REPLY};
  key.copy(reply, 1);
  let ended = false;
  const server = net.createServer((sock) => {
    sock.setTimeout(${REPLY_TIMEOUT_MS}, () => sock.destroy());
    sock.on("error", () => {});
    let line = "";
    sock.on("data", (d) => {
      line += d.toString("latin1");
      const at = line.indexOf("\\n");
      if (at < 0) { if (line.length > 512) sock.destroy(); return; }
      const ask = line.slice(0, at);
      line = "";
      expire();
      if (ask === "key " + cfg.salt && !ended) sock.end(reply);
      else if (ask === "status") sock.end(JSON.stringify({ until: cfg.until, salt: cfg.salt, pid: process.pid }) + "\\n");
      else if (ask === "lock") { sock.end("locked\\n"); end(); }
      else sock.end("no\\n");
    });
  });
  const end = () => {
    if (ended) return;
    ended = true;
    key.fill(0);
    // Only its own socket: one that replaced it there (a new agent, after this one stopped answering) stays.
    // (Inode numbers are reused once a file is gone, so its change time, in nanoseconds, is compared too.)
    try { if (mine(fs.statSync(cfg.socket, { bigint: true }))) fs.unlinkSync(cfg.socket); } catch {}
    // Not server.close(): libuv unlinks a listening socket's path when it closes it, whatever is there now.
    // Answers already written are in the kernel; the process ends a turn later.
    setImmediate(() => { reply.fill(0); process.exit(0); });
  };
  let own = null;
  const mine = (st) => own !== null && st.ino === own.ino && st.ctimeNs === own.ctimeNs;
  // Timers count only while the machine runs, so a machine suspended past the time would wake with the
  // key still held: the wall clock is checked before every answer and every few seconds.
  const expire = () => { if (Date.now() >= cfg.until) end(); };
  setInterval(expire, 5000);
  setTimeout(end, Math.max(0, cfg.until - Date.now()));
  for (const s of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(s, end);
  server.on("error", (e) => { key.fill(0); reply.fill(0); process.stdout.write(JSON.stringify({ error: String(e.code || e.message) }) + "\\n"); process.exit(1); });
  process.umask(0o177);
  server.listen(cfg.socket, () => {
    own = fs.statSync(cfg.socket, { bigint: true });
    process.stdout.write(JSON.stringify({ ready: true, pid: process.pid }) + "\\n");
  });
});
`;

/** `--for`: minutes as a bare number, or a number with s, m or h; within 10 s .. 12 h. */
export function parseAgentDuration(text: string | undefined): number {
  if (text === undefined) return DEFAULT_AGENT_SECONDS;
  const m = /^(\d{1,6})(s|m|h)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--for takes a duration such as 30m, 2h or 90 (minutes), not ${JSON.stringify(text)}`, "bad_duration");
  const seconds = Number(m[1]) * (m[2] === "s" ? 1 : m[2] === "h" ? 3600 : 60);
  if (seconds < 10 || seconds > MAX_AGENT_SECONDS) throw new UsageError(`--for must be between 10s and ${MAX_AGENT_SECONDS / 3600}h`, "bad_duration");
  return seconds;
}

/**
 * Sends one request line to the agent and returns its whole reply, or null when no agent answers: no
 * socket, a stale one (the agent was killed), or one that says nothing within REPLY_TIMEOUT_MS.
 */
function ask(socket: string, line: string, maxBytes: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (value: Buffer | null) => {
      if (done) return;
      done = true;
      sock.destroy();
      if (value === null) for (const c of chunks) c.fill(0);
      resolve(value);
    };
    const sock = connect(socket);
    sock.setTimeout(REPLY_TIMEOUT_MS, () => finish(null));
    sock.on("error", () => finish(null));
    sock.on("connect", () => sock.write(`${line}\n`));
    sock.on("data", (d: Buffer) => {
      chunks.push(d);
      size += d.length;
      if (size > maxBytes) finish(null);
    });
    sock.on("end", () => {
      const whole = Buffer.concat(chunks);
      for (const c of chunks) c.fill(0);
      finish(whole);
    });
  });
}

/** The agent's key for a key file with this salt (base64, as in the file's header), or null. The caller wipes it. */
async function askKey(home: EditorHome, salt: string): Promise<Uint8Array | null> {
  const reply = await ask(agentSocketPath(home), `key ${salt}`, KEY_BYTES + 1);
  if (reply === null) return null;
  try {
    if (reply.length !== KEY_BYTES + 1 || reply[0] !== KEY_REPLY) return null;
    return new Uint8Array(reply.subarray(1)); // a copy
  } finally {
    reply.fill(0);
  }
}

/** An agent request started early (unlock-early.ts), for the agentKey call with the same home and salt. */
let early: { socket: string; salt: string; key: Promise<Uint8Array | null> } | null = null;

const agentOff = (env: Record<string, string | undefined>) => env.SEALDROP_AGENT === "off";

/** Asks the agent now, for the next agentKey call with the same home and salt to take. */
export function agentKeyEarly(home: EditorHome, salt: string, env: Record<string, string | undefined>): Promise<Uint8Array | null> {
  const key = agentOff(env) ? Promise.resolve(null) : askKey(home, salt);
  early = { socket: agentSocketPath(home), salt, key };
  return key;
}

/** The key a running agent holds for this home's key file (by its salt), or null; off with SEALDROP_AGENT=off. */
export function agentKey(home: EditorHome, salt: string, env: Record<string, string | undefined>): Promise<Uint8Array | null> {
  const kept = early;
  if (kept !== null && kept.socket === agentSocketPath(home) && kept.salt === salt) {
    early = null;
    return kept.key;
  }
  return agentOff(env) ? Promise.resolve(null) : askKey(home, salt);
}

export interface AgentStatus {
  /** When it forgets the key, in milliseconds since the epoch. */
  until: number;
  salt: string;
  pid: number;
}

/** What the home's agent says of itself, or null when none is running. */
export async function agentStatus(home: EditorHome): Promise<AgentStatus | null> {
  const reply = await ask(agentSocketPath(home), "status", 1024);
  if (reply === null) return null;
  try {
    const s = JSON.parse(reply.toString("utf8")) as Partial<AgentStatus>;
    if (typeof s.until !== "number" || typeof s.salt !== "string" || !Number.isSafeInteger(s.pid)) return null;
    return { until: s.until, salt: s.salt, pid: s.pid as number };
  } catch {
    return null;
  }
}

/** Tells the home's agent to forget its key and end; false when none answered. A stale socket is removed. */
export async function lockAgent(home: EditorHome): Promise<boolean> {
  const reply = await ask(agentSocketPath(home), "lock", 64);
  if (reply?.toString("latin1") === "locked\n") return true;
  await unlink(agentSocketPath(home)).catch(() => {});
  return false;
}

/**
 * Starts an agent for the home holding `key` (the key file's sealing key, for the file with `salt`) until
 * `until`, replacing one that is running. Resolves with its process id once it listens. Does not wipe `key`.
 */
export async function startAgent(home: EditorHome, salt: string, key: Uint8Array, until: number): Promise<number> {
  const socket = agentSocketPath(home);
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
    throw new CliError(`the home's path is too long for the agent's socket (${socket} is over ${MAX_SOCKET_PATH} bytes): use a shorter --home`, 1, "agent_path_too_long");
  }
  await lockAgent(home);
  const child = spawn(process.execPath, ["-e", AGENT], { detached: true, stdio: ["pipe", "pipe", "ignore"], env: {}, cwd: home.dir });
  const header = Buffer.from(`${JSON.stringify({ socket, salt, until })}\n`);
  const input = Buffer.concat([header, key]);
  child.stdin.end(input, () => input.fill(0));
  const said = await new Promise<{ ready?: boolean; pid?: number; error?: string }>((resolve) => {
    let text = "";
    child.stdout.on("data", (d: Buffer) => {
      text += d.toString("utf8");
      const nl = text.indexOf("\n");
      if (nl >= 0) {
        try {
          resolve(JSON.parse(text.slice(0, nl)));
        } catch {
          resolve({ error: "unreadable" });
        }
      }
    });
    child.once("error", (e) => resolve({ error: e.message }));
    child.once("exit", (code) => resolve({ error: `exited with code ${code}` }));
  });
  child.stdout.destroy();
  if (said.ready !== true) {
    child.kill();
    throw new CliError(`the unlock agent did not start: ${said.error ?? "no reply"}`, 1, "agent_start_failed");
  }
  child.unref();
  return child.pid as number;
}
