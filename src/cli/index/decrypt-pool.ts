// Decrypting many age files at once, spread over the machine's cores with worker_threads: the first
// indexing of a large vault (one envelope to three post-quantum editors takes ~13 ms to open). Each worker
// runs typage's Decrypter on the files it is handed and returns the plaintext; the caller unpads and
// parses. Plaintext stays in this process's memory, as it does when the main thread decrypts.
import { availableParallelism } from "node:os";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { bech32 } from "@scure/base";
import { ageDecrypter, NotForThisKeyError } from "../../core/age.js";
import { evalWorker } from "../eval-worker.js";

export type Decrypted = { ok: true; plaintext: Uint8Array } | { ok: false; notForKey: boolean; message: string };

/** Below this many files, threads cost more to start than they save. */
const THREADS_FROM = 48;

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
// X25519 keys come as their 32 raw bytes and are imported into WebCrypto once, here: handed the key's
// text, typage imports it again for every stanza it tries (PKCS #8, which recomputes the public key),
// which was ~44% of a thread's time when indexing envelopes to three editors.
const PKCS8_X25519 = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20]);
async function x25519Key(raw) {
  const pkcs8 = new Uint8Array(PKCS8_X25519.length + raw.length);
  pkcs8.set(PKCS8_X25519);
  pkcs8.set(raw, PKCS8_X25519.length);
  try {
    return await crypto.subtle.importKey("pkcs8", pkcs8, { name: "X25519" }, false, ["deriveBits"]);
  } finally {
    pkcs8.fill(0);
    raw.fill(0);
  }
}
const ready = import(workerData.ageUrl).then(async ({ Decrypter }) => {
  const d = new Decrypter();
  for (const raw of workerData.x25519) d.addIdentity(await x25519Key(raw));
  for (const i of workerData.identities) d.addIdentity(i);
  d.addIdentity({ unwrapFileKey() { throw Object.assign(new Error("not encrypted to this key"), { notForKey: true }); } });
  return d;
});
parentPort.on("message", async ({ n, data }) => {
  const d = await ready;
  try {
    const plaintext = await d.decrypt(data);
    parentPort.postMessage({ n, ok: true, plaintext }, [plaintext.buffer]);
  } catch (e) {
    parentPort.postMessage({ n, ok: false, notForKey: e && e.notForKey === true, message: String(e && e.message) });
  }
});
`;

export interface DecryptPool {
  decrypt(data: Uint8Array): Promise<Decrypted>;
  close(): Promise<void>;
  readonly threads: number;
}

/** How many threads indexing `count` files uses on this machine (0: the calling thread alone). */
export const threadsFor = (count: number): number => (count < THREADS_FROM ? 0 : Math.max(1, Math.min(availableParallelism(), 8)));

/** Decrypts on the calling thread: for a handful of files. */
function inlinePool(identities: readonly string[]): DecryptPool {
  const d = ageDecrypter(identities);
  return {
    threads: 0,
    async decrypt(data) {
      try {
        return { ok: true, plaintext: await d.decrypt(data) };
      } catch (e) {
        return { ok: false, notForKey: e instanceof NotForThisKeyError, message: (e as Error).message };
      }
    },
    async close() {},
  };
}

/** Classic identities as raw X25519 keys (the worker imports each once), the others as their text. */
function splitIdentities(identities: readonly string[]): { x25519: Uint8Array[]; others: string[] } {
  const x25519: Uint8Array[] = [];
  const others: string[] = [];
  for (const i of identities) {
    if (!i.startsWith("AGE-SECRET-KEY-1")) {
      others.push(i);
      continue;
    }
    const decoded = bech32.decodeToBytes(i);
    if (decoded.prefix.toUpperCase() !== "AGE-SECRET-KEY-" || decoded.bytes.length !== 32) throw new Error("invalid age identity");
    x25519.push(decoded.bytes);
  }
  return { x25519, others };
}

/** A pool of `threads` workers (none: decrypts inline) holding `identities`; files go to the least busy worker. */
export function decryptPool(identities: readonly string[], threads: number): DecryptPool {
  if (threads === 0) return inlinePool(identities);
  const ageUrl = pathToFileURL(createRequire(import.meta.url).resolve("age-encryption")).href;
  const waiting = new Map<number, (r: Decrypted) => void>();
  let next = 0;
  let failure: Error | null = null;
  const workers = Array.from({ length: threads }, () => {
    const { x25519, others } = splitIdentities(identities);
    const w = evalWorker(WORKER, { ageUrl, x25519, identities: others });
    const state = { w, busy: 0 };
    w.on("message", (m: { n: number } & Decrypted) => {
      state.busy--;
      const done = waiting.get(m.n);
      waiting.delete(m.n);
      done?.(m.ok ? { ok: true, plaintext: m.plaintext } : { ok: false, notForKey: m.notForKey, message: m.message });
    });
    w.on("error", (e) => {
      failure = e;
      for (const done of waiting.values()) done({ ok: false, notForKey: false, message: `decryption thread failed: ${e.message}` });
      waiting.clear();
    });
    return state;
  });
  return {
    threads,
    decrypt(data) {
      if (failure) return Promise.resolve({ ok: false, notForKey: false, message: `decryption thread failed: ${failure.message}` });
      const n = next++;
      const target = workers.reduce((a, b) => (b.busy < a.busy ? b : a));
      target.busy++;
      // A copy the worker owns, so the vault's buffer stays whole here.
      const copy = data.slice();
      return new Promise((resolve) => {
        waiting.set(n, resolve);
        target.w.postMessage({ n, data: copy }, [copy.buffer]);
      });
    },
    async close() {
      await Promise.all(workers.map((s) => s.w.terminate()));
    },
  };
}
