// `sealdrop sources` and `sealdrop source`: the desk's sources by pseudonym, and one source's conversation
// (index/query.ts), served from the vault's local index (decrypts only what is new); no network.
import { HOME_OPTIONS, parseCommand } from "../args.js";
import { FILTER_OPTIONS, filtersOf } from "../index/filters.js";
import type { Io } from "../io.js";
import { startUnlocking } from "../unlock-early.js";

export const SOURCES_HELP = `Usage: sealdrop sources [--desk DESK] [--tag KEY:VALUE] [--grade GRADE] [--search TEXT] [--home DIR] [--json]

Lists the desk's sources by pseudonym, most recently seen first: how many submissions (follow-ups
included) and follow-ups they sent, how many replies the desk sent them, the last day seen, and the
desk's current grade and tags for them (from \`sealdrop note\`; only notes that verify against the
roster count). A submission whose source kept no
codename is its own source, "Anonymous <id prefix>", and cannot be answered. Served from the vault's
local index, which decrypts only what is new.

  --desk DESK             only sources who wrote to this desk
  --tag KEY:VALUE         only sources the desk tagged so, any case
  --grade GRADE           only sources graded so: a reliability A–F, a credibility 1–6, or both (B2)
  --search TEXT           only sources whose submissions or replies to them hold every word of TEXT
  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --json                  print an array of {pseudonym, canReply, submissions, followups, replies, notes,
                          unverifiedNotes, firstSeen, lastSeen, reliability, credibility, tags}
`;

export const SOURCE_HELP = `Usage: sealdrop source PSEUDONYM [--home DIR] [--json]

Shows one source's conversation, by day and within a day in the order things reached your vault
(a follow-up pulled after your reply comes after it): submissions and follow-ups (first line of the
message), the desk's replies, and desk notes, with the current grade and tags; a reply or note that does not verify
against the roster is marked "unverified (REASON)" and not counted. PSEUDONYM may be a unique prefix,
in any case ("amber her"), or a submission id (prefix) of theirs. Served from the vault's local index;
does not use the network.

  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --json                  print {pseudonym, canReply, firstSeen, lastSeen, reliability, credibility,
                          tags, timeline: [{type: submission|followup|reply|note, id, day, …}]}; replies
                          and notes carry signature (as in \`sealdrop notes --json\`)
`;

const OPTIONS = { ...HOME_OPTIONS, json: { type: "boolean" } } as const;

export async function sourcesCommand(argv: string[], io: Io): Promise<void> {
  const { values, help } = parseCommand("sources", argv, { ...OPTIONS, ...FILTER_OPTIONS });
  if (help) return io.out(SOURCES_HELP);
  const filters = filtersOf(values);
  await startUnlocking(io, values);
  // Loaded while the key is derived (unlock-early.ts).
  await (await import("./desk-read.js")).printSourceList(io, values, filters);
}

export async function sourceCommand(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("source", argv, OPTIONS, { min: 1, max: 1 });
  if (help) return io.out(SOURCE_HELP);
  await startUnlocking(io, values);
  await (await import("./desk-read.js")).printConversation(io, values, positionals[0]!);
}
