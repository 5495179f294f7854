// `sealdrop list`: the vault's submissions on the editor's desks, from the vault's local index (decrypts
// only what is new since the last command). No network.
import { HOME_OPTIONS, parseCommand } from "../args.js";
import { FILTER_OPTIONS, filtersOf } from "../index/filters.js";
import type { Io } from "../io.js";
import { startUnlocking } from "../unlock-early.js";

export const LIST_HELP = `Usage: sealdrop list [--desk DESK] [--tag KEY:VALUE] [--grade GRADE] [--search TEXT] [--home DIR] [--json]

Lists the submissions in your vault on your desks (as the verified roster names them), newest day
first and, within a day, the latest to reach your vault first: id, day, desk, the source's pseudonym,
the number of attachments, and the first line of the message. Served from the vault's local index,
which decrypts only what is new; does not use the network.

  --desk DESK             only this desk's
  --tag KEY:VALUE         only from sources the desk tagged so (\`sealdrop note --tag\`), any case
  --grade GRADE           only from sources graded so: a reliability A–F, a credibility 1–6, or both (B2)
  --search TEXT           only those whose message, fields or attachment names hold every word of TEXT
  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --json                  print an array of {id, day, desk, kind, source, firstLine, attachments, error?}
`;

const OPTIONS = { ...HOME_OPTIONS, ...FILTER_OPTIONS, json: { type: "boolean" } } as const;

export async function listCommand(argv: string[], io: Io): Promise<void> {
  const { values, help } = parseCommand("list", argv, OPTIONS);
  if (help) return io.out(LIST_HELP);
  const filters = filtersOf(values);
  await startUnlocking(io, values);
  // Loaded while the key is derived (unlock-early.ts).
  await (await import("./desk-read.js")).printList(io, values, filters);
}
