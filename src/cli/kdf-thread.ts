// Argon2id on a thread of its own. The KDF needs its whole memory limit (64 MiB interactive, 256 MiB
// moderate) inside libsodium's WebAssembly memory, which can grow but never shrink: run in the command's
// own thread, that memory stays for the rest of the command and adds to whatever it does next (a
// 10,000-tip index). Run on a worker that has ended before the caller goes on, it is handed back to the
// system, so a command's peak memory is the larger of the two, not their sum. Only the 32-byte key comes
// back; the worker's copy of the passphrase and of the key are wiped before it ends.
import { createRequire } from "node:module";
import type { Worker } from "node:worker_threads";
import { utf8 } from "../core/bytes.js";
import { evalWorker } from "./eval-worker.js";
import type { KdfLimits } from "./passphrase-seal.js";

// Loads libsodium as soon as the thread starts, then waits for the one derivation it is for: a thread
// started early (warmKdfThread) has loaded it by the time the passphrase and the key file's salt are known.
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const sodium = require(workerData.sodium);
parentPort.once("message", ({ passphrase, salt, opslimit, memlimit }) => sodium.ready.then(() => {
  let derived;
  try {
    derived = sodium.crypto_pwhash(32, passphrase, salt, opslimit, memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13);
    const key = new Uint8Array(32);
    key.set(derived);
    parentPort.postMessage({ key }, [key.buffer]);
  } catch (e) {
    parentPort.postMessage({ error: String((e && e.message) || e) });
  } finally {
    if (derived) sodium.memzero(derived);
    passphrase.fill(0);
  }
}));
`;

const newThread = (): Worker => evalWorker(WORKER, { sodium: createRequire(import.meta.url).resolve("libsodium-wrappers-sumo") });

/** A thread started by warmKdfThread and not yet given a derivation; dropped if it ends on its own. */
let idle: Worker | null = null;

/**
 * Starts the key derivation's thread now, before the command knows the passphrase or has read the key
 * file, so that Node's start and libsodium's loading on it overlap the command's own loading (run.ts calls
 * this for the commands that unlock a home). It holds nothing secret until a derivation takes it, and does
 * not keep the process alive; a command that never derives leaves it to end with the process.
 */
export function warmKdfThread(): void {
  if (idle !== null) return;
  const worker = newThread();
  worker.unref();
  const drop = () => {
    if (idle === worker) idle = null;
  };
  worker.once("error", drop);
  worker.once("exit", drop);
  idle = worker;
}

/** The limits a sealed file's header may ask for; beyond them a hostile file could ask for absurd work or memory. */
export const KDF_BOUNDS = { opslimit: { min: 1, max: 64 }, memlimit: { min: 8192, max: 4 * 2 ** 30 } } as const;

/**
 * A derivation started before the command asked for it (unlock-early.ts: while the command's modules
 * load), taken by the one deriveKeyOffThread call with the same passphrase, salt and limits.
 */
let primed: { passphrase: string; salt: string; opslimit: number; memlimit: number; key: Promise<Uint8Array> } | null = null;

const saltText = (salt: Uint8Array) => Buffer.from(salt).toString("base64");

/** Starts deriving now, for a deriveKeyOffThread call with the same inputs to take (at most one waits). */
export function primeKey(passphrase: string, salt: Uint8Array, limits: KdfLimits): void {
  const key = derive(passphrase, salt, limits);
  key.catch(() => {}); // a primed derivation nobody takes must not end the command
  primed = { passphrase, salt: saltText(salt), opslimit: limits.opslimit, memlimit: limits.memlimit, key };
}

/** The 32-byte key Argon2id derives from the NFC passphrase, computed on a worker thread that has ended when this resolves. */
export function deriveKeyOffThread(passphrase: string, salt: Uint8Array, limits: KdfLimits): Promise<Uint8Array> {
  const p = primed;
  if (p !== null && p.passphrase === passphrase && p.salt === saltText(salt) && p.opslimit === limits.opslimit && p.memlimit === limits.memlimit) {
    primed = null;
    return p.key;
  }
  return derive(passphrase, salt, limits);
}

async function derive(passphrase: string, salt: Uint8Array, limits: KdfLimits): Promise<Uint8Array> {
  const worker = idle ?? newThread();
  idle = null;
  worker.ref();
  const secret = utf8(passphrase.normalize("NFC"));
  // Moved, not copied: after this the passphrase's bytes are only on the worker, which wipes them.
  worker.postMessage({ passphrase: secret, salt, opslimit: limits.opslimit, memlimit: limits.memlimit }, [secret.buffer as ArrayBuffer]);
  try {
    const reply = await new Promise<{ key?: Uint8Array; error?: string }>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`the key derivation thread ended (code ${code}) without a key`)));
    });
    if (reply.key === undefined) throw new Error(`key derivation failed: ${reply.error}`);
    return reply.key;
  } finally {
    // Waits for the thread to end: its WebAssembly memory is released before the caller goes on.
    await worker.terminate();
  }
}
