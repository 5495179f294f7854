// The outbox of a split home (docs/NEWSROOM.md "Split homes"). On the reading half, a session's client is
// the outbox: what `sealdrop reply` and `sealdrop note` would POST (sealed, signed inside, exactly as on a
// whole home: services/replies.ts, notes.ts) is kept in `home/outbox/<id>.json`, and every other request is
// refused (`reading_half`). `sealdrop export --outbox` writes the pending items to a signed outbox bundle
// (../outbox-bundle.ts); on the online half `sealdrop import` checks it and posts each item once, recording
// what it posted in `home/posted.json`. The reading half drops an item from its outbox when a later vault
// bundle brings the same ciphertext back (posted, then pulled).
import { createHash } from "node:crypto";
import { readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { fromBase64, randomId } from "../../core/bytes.js";
import { coarseDay } from "../../core/time.js";
import { itemReceipt, postNoteRequest, postReplyRequest } from "../../core/wire.js";
import { CliError } from "../errors.js";
import { exists, writeFileAtomic } from "../files.js";
import type { EditorHome } from "../home.js";
import { MAX_OUTBOX_BUNDLE_BYTES, MAX_OUTBOX_ITEMS, type OutboxItem, outboxBundleText, outboxItem, parseOutboxBundle } from "../outbox-bundle.js";
import { readPin } from "../roster-pin.js";
import { readingHalfOffline } from "../split.js";
import type { VaultItem } from "../vault.js";
import type { RosterCheck } from "./roster.js";
import { requireRoster } from "./recipients.js";
import { type ApiClient, type EditorSession, type SigningHome, withVault } from "./session.js";

const PATHS = { reply: "/api/editor/replies", note: "/api/editor/notes" } as const;

/** The roster the reading half trusts: its pin, verified again (it only changes by importing a vault bundle). */
export async function pinnedRosterCheck(home: EditorHome): Promise<RosterCheck | null> {
  const pin = await readPin(home);
  if (!pin) return null;
  return { roster: pin.roster, root: pin.root, fingerprint: pin.fingerprint, changes: [], entries: pin.entries };
}

const itemFile = (home: EditorHome, id: string) => join(home.outboxDir, `${id}.json`);

/** The client of the reading half: POSTs of replies and notes go to the outbox; nothing else goes anywhere. */
class OutboxApi implements ApiClient {
  readonly base = "outbox:";
  constructor(private readonly home: EditorHome) {}

  get<T>(path: string, _schema: z.core.$ZodType<T>): Promise<T> {
    return Promise.reject(readingHalfOffline(`fetch ${path}`));
  }
  delete<T>(path: string, _schema: z.core.$ZodType<T>): Promise<T> {
    return Promise.reject(readingHalfOffline(`delete on the server (${path})`));
  }
  stream(path: string): Promise<never> {
    return Promise.reject(readingHalfOffline(`download ${path}`));
  }
  download(path: string): Promise<never> {
    return Promise.reject(readingHalfOffline(`download ${path}`));
  }

  async post<T>(path: string, body: unknown, schema: z.core.$ZodType<T>): Promise<T> {
    const kind = path === PATHS.reply ? "reply" : path === PATHS.note ? "note" : null;
    if (kind === null) throw readingHalfOffline(`post to ${path}`);
    const item = outboxItem.parse({ id: randomId(), kind, day: coarseDay(new Date()), body: (kind === "reply" ? postReplyRequest : postNoteRequest).parse(body) });
    await writeFileAtomic(itemFile(this.home, item.id), `${JSON.stringify({ sealdrop: "outbox-item-v1", item })}\n`, { mode: 0o600, exclusive: true });
    // The caller keeps the sealed item in its vault under this id, as it would the server's.
    return z.parse(schema, itemReceipt.parse({ id: item.id, day: item.day }));
  }
}

/** A session on the reading half: the pinned roster, and the outbox for a server. */
export function outboxSession({ home, editor }: SigningHome): EditorSession {
  return { home, editor, half: "reading", api: new OutboxApi(home), outbox: true, roster: () => pinnedRosterCheck(home) };
}

/** The items waiting in the outbox, oldest day first (then by id). */
export async function pendingItems(home: EditorHome): Promise<OutboxItem[]> {
  let names: string[];
  try {
    names = (await readdir(home.outboxDir)).filter((n) => /^[0-9a-f]{32}\.json$/.test(n));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  const items: OutboxItem[] = [];
  for (const name of names) {
    const path = join(home.outboxDir, name);
    let parsed;
    try {
      const json = JSON.parse(await readFile(path, "utf8")) as { sealdrop?: unknown; item?: unknown };
      parsed = json.sealdrop === "outbox-item-v1" ? outboxItem.safeParse(json.item) : null;
    } catch {
      parsed = null;
    }
    if (!parsed?.success || `${parsed.data.id}.json` !== name) throw new CliError(`${path} is damaged; move it away to go on (what it held was not posted)`, 1, "outbox_damaged");
    items.push(parsed.data);
  }
  return items.sort((a, b) => a.day.localeCompare(b.day) || a.id.localeCompare(b.id));
}

const digestOf = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

/**
 * Drops outbox items whose ciphertext came back from the server: `carried` are the replies and notes of an
 * imported vault bundle, listed under the server's ids, so each was posted. Returns how many were dropped.
 */
export async function clearConfirmed(home: EditorHome, carried: readonly VaultItem[]): Promise<number> {
  const items = await pendingItems(home);
  if (items.length === 0) return 0;
  const local = new Set(items.map((i) => i.id));
  const confirmed = new Set(carried.filter((i) => !local.has(i.id)).map((i) => digestOf(i.data)));
  let cleared = 0;
  for (const item of items) {
    if (!confirmed.has(digestOf(fromBase64(item.body.ciphertext)))) continue;
    await rm(itemFile(home, item.id), { force: true });
    cleared++;
  }
  return cleared;
}

export interface OutboxExport {
  items: number;
  replies: number;
  notes: number;
  /** Items left for another bundle (more than one bundle holds). */
  remaining: number;
}

/** Writes the pending items to the signed outbox bundle `out` (refusing to overwrite it). */
export async function exportOutbox({ home, editor }: SigningHome, out: string): Promise<OutboxExport> {
  const pending = await pendingItems(home);
  if (pending.length === 0) throw new CliError("the outbox is empty: seal a reply or note here first (`sealdrop reply`, `sealdrop note`)", 1, "outbox_empty");
  const items = pending.slice(0, MAX_OUTBOX_ITEMS);
  if (await exists(out)) throw new CliError(`${out} already exists; refusing to overwrite it`);
  await writeFileAtomic(out, await outboxBundleText(editor.header.editorId, items, editor.secrets.signSecretKey), { mode: 0o600, exclusive: true });
  return { items: items.length, replies: items.filter((i) => i.kind === "reply").length, notes: items.filter((i) => i.kind === "note").length, remaining: pending.length - items.length };
}

/** What the online half has posted: outbox item id → the server's id for it. */
async function readPosted(home: EditorHome): Promise<Record<string, { id: string; day: string }>> {
  let text: string;
  try {
    text = await readFile(home.postedFile, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new CliError(`cannot read ${home.postedFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const json = JSON.parse(text) as { sealdrop?: unknown; posted?: unknown };
    if (json.sealdrop === "outbox-posted-v1" && json.posted && typeof json.posted === "object") return json.posted as Record<string, { id: string; day: string }>;
  } catch {
    // fall through
  }
  throw new CliError(`${home.postedFile} is damaged; restore it from a backup (without it, posting a bundle again would post its items twice)`, 1, "outbox_damaged");
}

export interface OutboxPosting {
  items: number;
  posted: { id: string; kind: OutboxItem["kind"]; serverId: string; day: string }[];
  /** Items this home had posted before (the bundle was imported again). */
  alreadyPosted: number;
}

/** Reads the outbox bundle `file`, checks it is whole and this editor's, then posts each item not yet posted. */
export async function postOutbox(session: EditorSession, file: string): Promise<OutboxPosting> {
  const { home, editor, api } = session;
  if (session.outbox) throw readingHalfOffline("post an outbox bundle");
  const size = await stat(file).then((s) => s.size, (e: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read ${file}: ${e.code ?? e.message}`);
  });
  if (size > MAX_OUTBOX_BUNDLE_BYTES) throw new CliError(`${file} is larger than an outbox bundle can be`, 1, "outbox_damaged");
  const items = await parseOutboxBundle(new Uint8Array(await readFile(file)), editor.header.editorId, editor.secrets.signPublicKey);
  // Nothing is posted to a server whose roster does not verify.
  await requireRoster(session);
  const posted = await readPosted(home);
  const result: OutboxPosting = { items: items.length, posted: [], alreadyPosted: 0 };
  for (const item of items) {
    if (posted[item.id]) {
      result.alreadyPosted++;
      continue;
    }
    const receipt = await api.post(PATHS[item.kind], item.body, itemReceipt);
    posted[item.id] = { id: receipt.id, day: receipt.day };
    // Recorded before the next item, so an interruption leaves at most this one unrecorded.
    await writeFileAtomic(home.postedFile, `${JSON.stringify({ sealdrop: "outbox-posted-v1", posted }, null, 1)}\n`, { mode: 0o600 });
    const data = fromBase64(item.body.ciphertext);
    await withVault(home, (vault) => vault.putItem(item.kind === "reply" ? "replies" : "notes", { id: receipt.id, day: receipt.day, size: data.length, data }));
    result.posted.push({ id: item.id, kind: item.kind, serverId: receipt.id, day: receipt.day });
  }
  return result;
}
