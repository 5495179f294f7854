// The roster an editor home trusts (`home/roster.json`, docs/FORMAT.md "Pinned roster"): the root public key
// pinned at `init`, `join` or `roster pin`, and the whole log as last verified. Every roster fetched later
// must verify from that root and extend that log (services/roster.ts); the file is rewritten only with a
// log that did. Reading it re-verifies it, so a damaged or edited file is refused, not trusted.
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { rootFingerprint } from "../core/fingerprint.js";
import { type RosterEntry, type VerifiedRoster, verifyRoster } from "../core/roster.js";
import { CliError } from "./errors.js";
import { writeFileAtomic } from "./files.js";
import type { EditorHome } from "./home.js";

export const ROSTER_PIN_FORMAT = "roster-pin-v1";

const pinSchema = z
  .object({
    sealdrop: z.literal(ROSTER_PIN_FORMAT),
    root: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
    entries: z.array(z.unknown()).min(1),
  })
  .strict();

export interface PinnedRoster {
  root: string;
  fingerprint: string;
  roster: VerifiedRoster;
  /** The entries as received (what the next verification starts from). */
  entries: unknown[];
}

/** The home's pinned roster, verified again; null when the home has pinned none yet. */
export async function readPin(home: EditorHome): Promise<PinnedRoster | null> {
  let text: string;
  try {
    text = await readFile(home.rosterFile, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new CliError(`cannot read ${home.rosterFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let parsed;
  try {
    parsed = pinSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = null;
  }
  if (!parsed?.success) throw new CliError(`${home.rosterFile} is damaged; restore it from a backup, or move it away and pin the root again with \`sealdrop roster pin\``, 1, "roster_pin_damaged");
  const verified = verifyRoster(parsed.data.root, parsed.data.entries);
  if (!verified.ok) throw new CliError(`${home.rosterFile} no longer verifies (${verified.error.message}); restore it from a backup`, 1, "roster_pin_damaged");
  return { root: parsed.data.root, fingerprint: rootFingerprint(parsed.data.root), roster: verified, entries: parsed.data.entries };
}

/** Writes the log that just verified from `root` as the home's pin. */
export async function writePin(home: EditorHome, root: string, entries: readonly (RosterEntry | unknown)[]): Promise<void> {
  const text = `${JSON.stringify({ sealdrop: ROSTER_PIN_FORMAT, root, entries }, null, 1)}\n`;
  await writeFileAtomic(home.rosterFile, text, { mode: 0o600 });
}
