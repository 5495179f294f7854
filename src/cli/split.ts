// Which half of a split editor home this is (docs/NEWSROOM.md "Split homes", docs/FORMAT.md "Split home"):
// `home/split.json` is {"sealdrop":"split-home-v1","half":"online"|"reading","editorId"}. The online half's
// key file holds only the signing key (keyfile.ts); the reading half holds the whole key and never talks to
// the server: its replies and notes go to the outbox. A home without the file is whole.
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { id } from "../core/wire.js";
import { CliError } from "./errors.js";
import { writeFileAtomic } from "./files.js";
import type { EditorHome } from "./home.js";

export const SPLIT_HOME_FORMAT = "split-home-v1";
export type SplitHalf = "online" | "reading";

const splitSchema = z.object({ sealdrop: z.literal(SPLIT_HOME_FORMAT), half: z.enum(["online", "reading"]), editorId: id }).strict();

/** The half this home is, or null for a whole home. */
export async function readSplit(home: EditorHome): Promise<SplitHalf | null> {
  let text: string;
  try {
    text = await readFile(home.splitFile, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new CliError(`cannot read ${home.splitFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let parsed;
  try {
    parsed = splitSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = null;
  }
  if (!parsed?.success) throw new CliError(`${home.splitFile} is damaged: it should say which half of a split home this is`, 1, "split_damaged");
  return parsed.data.half;
}

export async function writeSplit(home: EditorHome, half: SplitHalf, editorId: string): Promise<void> {
  await writeFileAtomic(home.splitFile, `${JSON.stringify({ sealdrop: SPLIT_HOME_FORMAT, half, editorId })}\n`, { mode: 0o600, exclusive: true });
}

/** The refusal of anything that would reach the server from the reading half. */
export function readingHalfOffline(what: string): CliError {
  return new CliError(
    `this home is the reading half of a split home and never talks to the server, so it cannot ${what}. Carry bundles instead: \`sealdrop export --outbox\` here, \`sealdrop import\` on the online half`,
    1,
    "reading_half",
  );
}
