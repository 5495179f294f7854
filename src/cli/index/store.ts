// Keeping the vault index (index-file.ts) in step with the vault. The vault is the truth: every time the
// desk is opened, the vault's listing (no ciphertext read) is compared with the index; items the index
// lacks, or holds under another arrival number, day, desk or size, are decrypted and added (spread over
// the machine's cores when there are many: decrypt-pool.ts), items the vault no longer has are dropped,
// and an index that cannot be used at all is rebuilt with a message saying why. Only the new items are
// decrypted, so after `pull`, `reply` or `note` the next command pays for what arrived, not for the vault.
import { readFile } from "node:fs/promises";
import type { Editor } from "../editor.js";
import { writeFileAtomic } from "../files.js";
import type { EditorHome } from "../home.js";
import type { Vault, VaultEntry } from "../vault.js";
import { decryptPool, threadsFor } from "./decrypt-pool.js";
import { identitiesDigest, indexKey, IndexUnusable, openIndex, sealIndex } from "./index-file.js";
import { type IndexRecord, recordOf, sameItem } from "./records.js";

export const INDEX_VERSION = 1;
/** Ciphertexts read from the vault at a time while indexing: bounds memory on a large first indexing. */
const BATCH = 256;

interface IndexHeader {
  v: number;
  identities: string;
}

export interface IndexSync {
  records: IndexRecord[];
  /** Items decrypted this time (0 once the index is current), and on how many threads. */
  decrypted: number;
  threads: number;
  /** Why the index on disk could not be used, when it could not (then it was rebuilt). */
  rebuiltBecause: string | null;
}

const keyOf = (e: Pick<VaultEntry, "kind" | "id">) => `${e.kind}:${e.id}`;

function looksLikeRecord(x: unknown): x is IndexRecord {
  const r = x as Partial<IndexRecord> | null;
  return typeof r === "object" && r !== null && typeof r.id === "string" && typeof r.seq === "number" && typeof r.day === "string" && typeof r.size === "number" &&
    (r.kind === "submission"
      ? ("envelope" in r && (r.pseudonym === undefined || typeof r.pseudonym === "string")) || "error" in r
      : (r.kind === "reply" || r.kind === "note") && "raw" in r);
}

/** The index file's bytes, or why it cannot be read; null when there is no index yet. Needs no key. */
export type IndexBytes = Uint8Array | { unusable: string } | null;

export async function readIndexBytes(file: string): Promise<IndexBytes> {
  try {
    return await readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    return { unusable: `it cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
}

/** The index's records, or why they cannot be used; null when there is no index yet. */
async function readIndex(bytes: IndexBytes, key: Uint8Array, digest: string): Promise<{ records: IndexRecord[] } | { unusable: string } | null> {
  if (bytes === null || "unusable" in bytes) return bytes;
  try {
    const [header, ...records] = await openIndex(key, bytes);
    const h = header as Partial<IndexHeader> | null;
    if (h?.v !== INDEX_VERSION) return { unusable: `it is of another format version (${JSON.stringify(h?.v ?? null)})` };
    if (h.identities !== digest) return { unusable: "it was built with other keys (rotated since?)" };
    if (!records.every(looksLikeRecord)) return { unusable: "it holds a malformed entry" };
    return { records };
  } catch (e) {
    if (e instanceof IndexUnusable) return { unusable: e.message };
    throw e;
  }
}

/**
 * What syncIndex reads that needs no key, read while the key is still being derived (index/prefetch.ts):
 * the vault's listing and the index file's bytes, taken together.
 */
export interface IndexInputs {
  entries: VaultEntry[];
  bytes: IndexBytes;
}

export async function readIndexInputs(home: EditorHome, vault: Vault): Promise<IndexInputs> {
  const bytes = readIndexBytes(home.indexFile);
  return { entries: await vault.entries(), bytes: await bytes };
}

/**
 * Brings the home's index in step with `vault` and returns every item's record, in arrival order.
 * `inputs`, when given, is what readIndexInputs read of this home and vault a moment before.
 */
export async function syncIndex(home: EditorHome, editor: Editor, identities: readonly string[], vault: Vault, inputs?: IndexInputs): Promise<IndexSync> {
  const { entries, bytes } = inputs ?? (await readIndexInputs(home, vault));
  const key = await indexKey(editor.secrets.ageIdentity);
  const digest = await identitiesDigest(identities);
  const found = await readIndex(bytes, key, digest);
  const rebuiltBecause = found !== null && "unusable" in found ? found.unusable : null;
  const known = new Map((found !== null && "records" in found ? found.records : []).map((r) => [keyOf(r), r]));

  const records: (IndexRecord | null)[] = entries.map((e) => {
    const r = known.get(keyOf(e));
    return r && sameItem(r, e) ? r : null;
  });
  const missing = entries.filter((_, i) => records[i] === null);
  const threads = threadsFor(missing.length);
  if (missing.length > 0) {
    const pool = decryptPool(identities, threads);
    try {
      const fresh = new Map<string, IndexRecord>();
      for (let at = 0; at < missing.length; at += BATCH) {
        const batch = missing.slice(at, at + BATCH);
        const ciphertexts = new Map<string, Uint8Array>();
        for (const kind of ["submission", "reply", "note"] as const) {
          for (const [id, data] of await vault.ciphertexts(kind, batch.filter((e) => e.kind === kind).map((e) => e.id))) ciphertexts.set(`${kind}:${id}`, data);
        }
        const opened = await Promise.all(batch.map((e) => pool.decrypt(ciphertexts.get(keyOf(e)) ?? new Uint8Array())));
        batch.forEach((e, i) => fresh.set(keyOf(e), recordOf(e, opened[i]!)));
      }
      entries.forEach((e, i) => (records[i] ??= fresh.get(keyOf(e))!));
    } finally {
      await pool.close();
    }
  }
  const current = records as IndexRecord[];
  const dropped = known.size - (entries.length - missing.length);
  if (missing.length > 0 || dropped > 0 || found === null || rebuiltBecause !== null) {
    const header: IndexHeader = { v: INDEX_VERSION, identities: digest };
    await writeFileAtomic(home.indexFile, await sealIndex(key, [header, ...current]), { mode: 0o600 });
  }
  return { records: current, decrypted: missing.length, threads, rebuiltBecause };
}
