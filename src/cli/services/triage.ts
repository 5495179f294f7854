// The desk's shared triage, editor side (docs/FORMAT.md "Triage notes"; the reduction is core/triage.ts).
// A click (star, status, assignee, read mark) is queued locally, sealed to the editor's own key in
// `home/triage-queue.age`, and nothing reaches the server; `flushTriage` sends the whole queue as one
// signed triage note per desk (more only past MAX_TRIAGE_CHANGES), padded and posted like every desk note,
// so the server sees one note where the editor clicked many times and cannot tell it from a text note.
// Triage notes go to the desk's editors only, never into a source's mailbox. The CLI's `sealdrop triage`
// and the local inbox call these functions.
import { readFile } from "node:fs/promises";
import * as z from "zod/mini";
import { fromUtf8, randomId, toBase64, utf8 } from "../../core/bytes.js";
import { openBytes, sealBytes } from "../../core/envelope.js";
import { findEditor, type VerifiedRoster } from "../../core/roster.js";
import { coarseDay } from "../../core/time.js";
import {
  type AuthoredTriage,
  MAX_TRIAGE_CHANGES,
  nextTriageClock,
  reduceTriage,
  type TriageChange,
  triageChange,
  type TriageNote,
  type TriageProblem,
  type TriageState,
  type TriageTarget,
} from "../../core/triage.js";
import { itemReceipt } from "../../core/wire.js";
import { editorIdentities } from "../editor.js";
import { CliError } from "../errors.js";
import { writeFileAtomic } from "../files.js";
import type { EditorHome } from "../home.js";
import type { DeskPicture, Signature } from "../network.js";
import { requireRoster } from "./recipients.js";
import { messageAuthor, sealMessage } from "./seal-message.js";
import { type EditorSession, type UnlockedHome, withVault } from "./session.js";

/** One queued change and the desk whose editors it is for. `qid` names it in the queue only. */
export interface QueuedTriage {
  qid: string;
  desk: string;
  change: TriageChange;
}

const queueFile = z.strictObject({
  v: z.literal(1),
  changes: z.array(z.strictObject({ qid: z.string().check(z.regex(/^[0-9a-f]{32}$/)), desk: z.string().check(z.minLength(1), z.maxLength(64)), change: triageChange })),
});

// One queue per home in this process: read, change and write it one caller at a time.
const locks = new Map<string, Promise<unknown>>();
function locked<T>(home: EditorHome, fn: () => Promise<T>): Promise<T> {
  const previous = locks.get(home.triageQueueFile) ?? Promise.resolve();
  const next = previous.then(fn, fn);
  locks.set(home.triageQueueFile, next.catch(() => {}));
  return next;
}

async function readQueue({ home, editor }: UnlockedHome): Promise<QueuedTriage[]> {
  let data: Uint8Array;
  try {
    data = await readFile(home.triageQueueFile);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  try {
    return queueFile.parse(JSON.parse(fromUtf8(await openBytes(data, editorIdentities(editor))))).changes;
  } catch {
    throw new CliError(`${home.triageQueueFile} is damaged or not sealed to your key; move it away to go on (its changes were not sent)`, 1, "triage_queue_damaged");
  }
}

async function writeQueue({ home, editor }: UnlockedHome, changes: readonly QueuedTriage[]): Promise<void> {
  const sealed = await sealBytes(utf8(JSON.stringify(queueFile.parse({ v: 1, changes }))), [editor.ageRecipient]);
  await writeFileAtomic(home.triageQueueFile, sealed, { mode: 0o600 });
}

/** Adds changes to this home's queue; nothing is sent. Answers how many changes wait. */
export function queueTriage(unlocked: UnlockedHome, changes: readonly { desk: string; change: TriageChange }[]): Promise<number> {
  const parsed = changes.map((c) => ({ qid: randomId(), desk: c.desk, change: triageChange.parse(c.change) }));
  return locked(unlocked.home, async () => {
    const queue = [...(await readQueue(unlocked)), ...parsed];
    await writeQueue(unlocked, queue);
    return queue.length;
  });
}

/** The changes waiting to be sent, oldest first. */
export const pendingTriage = (unlocked: UnlockedHome): Promise<QueuedTriage[]> => locked(unlocked.home, () => readQueue(unlocked));

export interface FlushedTriage {
  /** The note's id on the server. */
  id: string;
  desk: string;
  changes: number;
  clock: number;
}

/**
 * Sends every queued change: one signed, padded triage note per desk (and per MAX_TRIAGE_CHANGES), each
 * sealed to that desk's editors in the verified roster. A change leaves the queue only once its note is
 * stored on the server (or in the outbox on a reading half) and in the vault, so a failure sends it again later.
 */
export async function flushTriage(session: EditorSession, unlocked: UnlockedHome, desk: DeskPicture): Promise<FlushedTriage[]> {
  const queue = await pendingTriage(unlocked);
  if (queue.length === 0) return [];
  const { roster } = await requireRoster(session);
  const author = messageAuthor(session.editor);
  let clock = nextTriageClock(desk.triage.filter((t) => t.signature.verified).map((t) => ({ note: t.triage })));
  const byDesk = new Map<string, QueuedTriage[]>();
  for (const q of queue) byDesk.set(q.desk, [...(byDesk.get(q.desk) ?? []), q]);
  const sent: FlushedTriage[] = [];
  for (const [deskId, all] of byDesk) {
    for (let start = 0; start < all.length; start += MAX_TRIAGE_CHANGES) {
      const batch = all.slice(start, start + MAX_TRIAGE_CHANGES);
      const note: TriageNote = { v: 1, kind: "triage", clock, changes: batch.map((q) => q.change), day: coarseDay(new Date()) };
      const { ciphertext } = await sealMessage(roster, author, note, deskId);
      const stored = await session.api.post("/api/editor/notes", { ciphertext: toBase64(ciphertext), desk: deskId }, itemReceipt);
      await withVault(session.home, (vault) => vault.putItem("notes", { id: stored.id, day: stored.day, size: ciphertext.length, data: ciphertext }));
      const done = new Set(batch.map((q) => q.qid));
      await locked(unlocked.home, async () => writeQueue(unlocked, (await readQueue(unlocked)).filter((q) => !done.has(q.qid))));
      sent.push({ id: stored.id, desk: deskId, changes: batch.length, clock });
      clock++;
    }
  }
  return sent;
}

export interface DeskTriage {
  /** By core/triage.ts targetKey: `source:PSEUDONYM` or `submission:ID`. Targets no note names are absent (state "new"). */
  state: Map<string, TriageState>;
  /** Triage notes that did not verify: shown, never applied. */
  unverified: { id: string; day: string; reason: Extract<Signature, { verified: false }>["reason"] }[];
  problems: TriageProblem[];
}

/** The desks a target is on, as the vault tells (null when the vault does not know it). */
export function targetDesks(desk: DeskPicture, target: TriageTarget): string[] | null {
  const desks =
    target.type === "submission" ? desk.submissions.filter((s) => s.id === target.id).map((s) => s.desk) : desk.submissions.filter((s) => s.pseudonym === target.pseudonym).map((s) => s.desk);
  return desks.length > 0 ? [...new Set(desks)] : null;
}

/** Whether `editor` (an id) is an active editor of `desk` in the roster. */
export function assignableIn(roster: VerifiedRoster | null): (editor: string, desk: string) => boolean {
  return (editor, deskId) => {
    const found = roster ? findEditor(roster.state, editor) : undefined;
    return found !== undefined && !found.revoked && found.desks.includes(deskId);
  };
}

/**
 * The desk's triage as this vault tells it: the verified triage notes reduced in the one order every
 * editor uses, then, when `pending` is given, this editor's queued changes on top (as they will read once sent).
 */
export function triageState(desk: DeskPicture, roster: VerifiedRoster | null, pending?: { author: string; changes: readonly QueuedTriage[] }): DeskTriage {
  const verified: AuthoredTriage[] = [];
  const unverified: DeskTriage["unverified"] = [];
  for (const t of desk.triage) {
    if (t.signature.verified) verified.push({ noteId: t.id, author: t.signature.author.id, desk: t.signature.desk, note: t.triage });
    else unverified.push({ id: t.id, day: t.day, reason: t.signature.reason });
  }
  if (pending && pending.changes.length > 0) {
    const clock = nextTriageClock(verified);
    // The queue is applied after every note the vault holds, in the order it was queued.
    pending.changes.forEach((q, i) =>
      verified.push({ noteId: `~pending-${String(i).padStart(8, "0")}`, author: pending.author, desk: q.desk, note: { v: 1, kind: "triage", clock, changes: [q.change], day: "" } }),
    );
  }
  const { state, problems } = reduceTriage(verified, { desksOf: (t) => targetDesks(desk, t), assignable: assignableIn(roster) });
  return { state, unverified, problems };
}
