// The inbox's roster alert: which verified roster entries this editor has not yet seen in the inbox. The
// inbox keeps the head it last showed in home/inbox-roster-seen.json ({"sealdrop":"inbox-roster-seen-v1",
// "seq","hash"}); the first run records the head without an alert. The entries come from the home's pin,
// which is verified again on every read (roster-pin.ts): a server cannot add a line to this alert.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { VerifiedRoster } from "../../core/roster.js";
import { CliError } from "../errors.js";
import { writeFileAtomic } from "../files.js";
import type { EditorHome } from "../home.js";
import { describeEntry } from "../present/roster.js";
import type { RosterAlert } from "./wire.js";

export const ROSTER_SEEN_FORMAT = "inbox-roster-seen-v1";
export interface RosterSeen {
  seq: number;
  hash: string;
}
const seenSchema = z.object({ sealdrop: z.literal(ROSTER_SEEN_FORMAT), seq: z.number().int().nonnegative(), hash: z.string().regex(/^[0-9a-f]{64}$/) }).strict();

export const rosterSeenFile = (home: EditorHome): string => join(home.dir, "inbox-roster-seen.json");

async function readSeen(home: EditorHome): Promise<RosterSeen | null> {
  let text: string;
  try {
    text = await readFile(rosterSeenFile(home), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new CliError(`cannot read ${rosterSeenFile(home)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const parsed = seenSchema.safeParse(JSON.parse(text));
    if (parsed.success) return { seq: parsed.data.seq, hash: parsed.data.hash };
  } catch {
    // Damaged: shown as if never looked, so every entry is listed once more.
  }
  return { seq: -1, hash: "" };
}

const writeSeen = (home: EditorHome, seen: RosterSeen) => writeFileAtomic(rosterSeenFile(home), `${JSON.stringify({ sealdrop: ROSTER_SEEN_FORMAT, ...seen })}\n`, { mode: 0o600 });

/** The entries after the head this editor last saw in the inbox; null when there are none. */
export async function rosterAlert(home: EditorHome, roster: VerifiedRoster | null): Promise<RosterAlert | null> {
  if (!roster) return null;
  const head = roster.state.head;
  const seen = await readSeen(home);
  if (seen === null) {
    await writeSeen(home, { seq: head.seq, hash: head.hash });
    return null;
  }
  // A seen head that is not in this log (a restored home, say) shows everything again.
  const from = roster.entries.find((e) => e.seq === seen.seq)?.hash === seen.hash ? seen.seq + 1 : 0;
  const changes = roster.entries.filter((e) => e.seq >= from).map((e) => ({ seq: e.seq, text: describeEntry(e, roster.state) }));
  return changes.length === 0 ? null : { changes, head: { seq: head.seq, hash: head.hash } };
}

/** Records that the editor saw the roster up to `seen` (only a head of the verified log). */
export async function markRosterSeen(home: EditorHome, roster: VerifiedRoster | null, seen: RosterSeen): Promise<void> {
  if (!roster?.entries.some((e) => e.seq === seen.seq && e.hash === seen.hash)) throw new CliError("that is not an entry of the verified roster", 1, "inbox_bad_request");
  await writeSeen(home, seen);
}
