// The server's side of the roster (docs/FORMAT.md, "Newsroom root and roster"): it stores the signed log,
// serves it, and appends an entry only after the core verifier accepts it against the stored head. It
// holds no key that could sign one. The editors, desks and desk_editors tables are rewritten from the
// verified state with every append, so what the API enforces and answers is what the roster says.
import type { Kysely, Transaction } from "kysely";
import {
  appendToRoster,
  type RosterEntry,
  type RosterErrorCode,
  type RosterState,
  type VerifiedRoster,
  verifyRoster,
} from "../core/roster.js";
import { coarseDay } from "../core/time.js";
import type { Database } from "./db/schema.js";
import { DomainError } from "./domain-error.js";

const refuse = (result: { ok: false; error: { code: RosterErrorCode; message: string } }): never => {
  throw new DomainError(result.error.code, result.error.message);
};

interface StoredLog {
  entries: RosterEntry[];
  head: { seq: number; hash: string } | null;
}

async function readLog(db: Kysely<Database>): Promise<StoredLog> {
  const rows = await db.selectFrom("roster_entries").select(["seq", "hash", "entry"]).orderBy("seq").execute();
  const last = rows.at(-1);
  return { entries: rows.map((r) => JSON.parse(r.entry) as RosterEntry), head: last ? { seq: Number(last.seq), hash: last.hash } : null };
}

// Verifying a long log costs an Ed25519 check per entry, so verified logs are kept by their head hash:
// the hash chain makes one head hash stand for one whole log, whichever database holds it.
const cache = new Map<string, VerifiedRoster>();
const remember = (roster: VerifiedRoster): void => {
  if (cache.size >= 8) cache.delete(cache.keys().next().value!);
  cache.set(roster.head.hash, roster);
};

/** The stored roster, verified; null when the newsroom has none yet. */
export async function loadRoster(db: Kysely<Database>): Promise<VerifiedRoster | null> {
  const head = await db.selectFrom("roster_entries").select(["seq", "hash"]).orderBy("seq", "desc").limit(1).executeTakeFirst();
  if (!head) return null;
  const cached = cache.get(head.hash);
  if (cached && cached.head.seq === Number(head.seq)) return cached;
  const log = await readLog(db);
  const root = (log.entries[0]?.body as { root?: string } | undefined)?.root ?? "";
  const result = verifyRoster(root, log.entries);
  // What this server stored itself fails to verify: its database was altered. Nothing may rely on it.
  if (!result.ok) throw new Error(`the stored roster does not verify: ${result.error.code}`);
  remember(result);
  return result;
}

/** `GET /api/roster`: the root and the log, for the page and the CLI to verify themselves. */
export async function publicRoster(db: Kysely<Database>): Promise<{ root: string; entries: RosterEntry[] } | null> {
  const log = await readLog(db);
  if (log.entries.length === 0) return null;
  return { root: (log.entries[0]!.body as { root: string }).root, entries: log.entries };
}

/**
 * Appends entries after the stored head, or starts the roster with a genesis (a new newsroom, or one set
 * up before rosters existed). All or nothing: either every entry verifies and is stored with the new
 * projection, or nothing changes.
 */
export async function appendRoster(db: Kysely<Database>, entries: readonly unknown[], now: Date): Promise<VerifiedRoster> {
  const day = coarseDay(now);
  try {
    return await db.transaction().execute(async (tx) => {
      // Every read comes before the first write (D1 sends a transaction's writes as one batch).
      const stored = await loadRoster(tx as unknown as Kysely<Database>);
      const result = stored
        ? appendToRoster(stored, entries)
        : verifyRoster(((entries[0] as { body?: { root?: string } } | undefined)?.body?.root ?? ""), entries);
      if (!result.ok) return refuse(result);
      const desks = await tx.selectFrom("desks").select("id").execute();
      const editors = await tx.selectFrom("editors").select("id").execute();
      const newsroom = await tx.selectFrom("newsroom").select("id").executeTakeFirst();
      const first = stored ? stored.head.seq + 1 : 0;
      // One row per statement: D1 binds at most 100 parameters to one.
      for (const [i, e] of result.entries.slice(first).entries()) {
        await tx.insertInto("roster_entries").values({ seq: e.seq, hash: e.hash, entry: JSON.stringify(entries[i]) }).execute();
      }
      await project(tx, result.state, { desks: desks.map((d) => d.id), editors: editors.map((e) => e.id), newsroom: Boolean(newsroom), day });
      return result;
    }).then((result) => {
      remember(result);
      return result;
    });
  } catch (e) {
    // Two admins appending at once: the second insert of a sequence number fails. Tell them to fetch again.
    if (!(e instanceof DomainError) && (await headMoved(db, entries))) {
      throw new DomainError("roster_stale", "Another entry was appended meanwhile: fetch the roster and sign again.");
    }
    throw e;
  }
}

async function headMoved(db: Kysely<Database>, entries: readonly unknown[]): Promise<boolean> {
  const seq = (entries[0] as { body?: { seq?: unknown } } | undefined)?.body?.seq;
  if (typeof seq !== "number") return false;
  const taken = await db.selectFrom("roster_entries").select("seq").where("seq", "=", seq).executeTakeFirst().catch(() => undefined);
  return taken !== undefined;
}

/** Rewrites newsroom, desks, editors and their memberships from the verified state (writes only). */
async function project(
  tx: Transaction<Database>,
  state: RosterState,
  existing: { desks: string[]; editors: string[]; newsroom: boolean; day: string },
): Promise<void> {
  const names = JSON.stringify(state.names);
  if (existing.newsroom) await tx.updateTable("newsroom").set({ name: state.names.en, names }).where("id", "=", 1).execute();
  else await tx.insertInto("newsroom").values({ id: 1, name: state.names.en, names, created_day: existing.day }).execute();

  const listed = new Set(state.desks.map((d) => d.id));
  for (const [position, desk] of state.desks.entries()) {
    const row = { name: desk.names.en, names: JSON.stringify(desk.names), position, listed: 1 };
    if (existing.desks.includes(desk.id)) await tx.updateTable("desks").set(row).where("id", "=", desk.id).execute();
    else await tx.insertInto("desks").values({ id: desk.id, ...row }).execute();
  }
  // Desks the roster does not name keep their old submissions, but nobody is on them any more.
  for (const id of existing.desks.filter((d) => !listed.has(d))) await tx.updateTable("desks").set({ listed: 0 }).where("id", "=", id).execute();

  await tx.deleteFrom("desk_editors").execute();
  // An editor the roster does not name (one registered before the roster) loses every right.
  const named = new Set(state.editors.map((e) => e.id));
  for (const id of existing.editors.filter((e) => !named.has(e))) await tx.deleteFrom("editors").where("id", "=", id).execute();
  for (const e of state.editors) {
    const row = { name: e.name, age_recipient: e.ageRecipient, sign_public_key: e.signPublicKey, role: e.role, revoked: e.revoked ? 1 : 0 };
    if (existing.editors.includes(e.id)) await tx.updateTable("editors").set(row).where("id", "=", e.id).execute();
    else await tx.insertInto("editors").values({ id: e.id, ...row, added_day: existing.day }).execute();
  }
  for (const e of state.editors.filter((editor) => !editor.revoked)) {
    for (const desk_id of e.desks) await tx.insertInto("desk_editors").values({ desk_id, editor_id: e.id }).execute();
  }
}

/** Whether the newsroom has a roster (then editors change only through it). */
export async function hasRoster(db: Kysely<Database>): Promise<boolean> {
  return (await db.selectFrom("roster_entries").select("seq").limit(1).executeTakeFirst()) !== undefined;
}
