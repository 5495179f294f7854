// `sealdrop sources` and `sealdrop source`: the desk's sources by pseudonym, and one source's timeline
// (services/desk.ts). Decrypts the vault locally; no network.
import { HOME_OPTIONS, parseCommand } from "../args.js";
import type { Io } from "../io.js";
import { printJson } from "../present/json.js";
import { printSource, printSources, printUnreadable } from "../present/sources.js";
import { openDeskView, sourceSummary, sourceTimeline } from "../services/desk.js";
import { unlockHome } from "../unlock.js";

export const SOURCES_HELP = `Usage: sealdrop sources [--home DIR] [--json]

Lists the desk's sources by pseudonym, most recently seen first: how many submissions (follow-ups
included) and follow-ups they sent, how many replies the desk sent them, the last day seen, and the
desk's current grade and tags for them (from \`sealdrop note\`; only notes that verify against the
roster count). A submission whose source kept no
codename is its own source, "Anonymous <id prefix>", and cannot be answered. Decrypts locally.

  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --json                  print an array of {pseudonym, canReply, submissions, followups, replies, notes,
                          unverifiedNotes, firstSeen, lastSeen, reliability, credibility, tags}
`;

export const SOURCE_HELP = `Usage: sealdrop source PSEUDONYM [--home DIR] [--json]

Shows one source's timeline, by day: submissions and follow-ups (first line of the message), the
desk's replies, and desk notes, with the current grade and tags; a reply or note that does not verify
against the roster is marked "unverified (REASON)" and not counted. PSEUDONYM may be a unique prefix,
in any case ("amber her"), or a submission id (prefix) of theirs. Decrypts locally; does not use the network.

  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --json                  print {pseudonym, canReply, firstSeen, lastSeen, reliability, credibility,
                          tags, timeline: [{type: submission|followup|reply|note, id, day, …}]}; replies
                          and notes carry signature (as in \`sealdrop notes --json\`)
`;

const OPTIONS = { ...HOME_OPTIONS, json: { type: "boolean" } } as const;

export async function sourcesCommand(argv: string[], io: Io): Promise<void> {
  const { values, help } = parseCommand("sources", argv, OPTIONS);
  if (help) return io.out(SOURCES_HELP);
  const view = await openDeskView(await unlockHome(io, values));
  printUnreadable(io, view);
  const rows = view.sources.map(sourceSummary);
  if (values.json) return printJson(io, rows);
  printSources(io, rows);
}

export async function sourceCommand(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("source", argv, OPTIONS, { min: 1, max: 1 });
  if (help) return io.out(SOURCE_HELP);
  const view = await openDeskView(await unlockHome(io, values));
  printUnreadable(io, view);
  const source = sourceTimeline(view, positionals[0]!);
  if (values.json) return printJson(io, source);
  printSource(io, source);
}
