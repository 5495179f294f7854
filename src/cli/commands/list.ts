// `sealdrop list`: the vault's submissions on the editor's desks, from the vault's local index (decrypts
// only what is new since the last command). No network.
import { HOME_OPTIONS, parseCommand } from "../args.js";
import { editorDesks, listSubmissions, type ListFilters, openDesk, parseGrade } from "../index/query.js";
import type { Io } from "../io.js";
import { printJson } from "../present/json.js";
import { printUnreadable } from "../present/sources.js";
import { printSubmissionList } from "../present/submissions.js";
import { unlockHome } from "../unlock.js";

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

/** The filter options `list` and `sources` share. */
export const FILTER_OPTIONS = { desk: { type: "string" }, tag: { type: "string" }, grade: { type: "string" }, search: { type: "string" } } as const;
const OPTIONS = { ...HOME_OPTIONS, ...FILTER_OPTIONS, json: { type: "boolean" } } as const;

export function filtersOf(values: { desk?: string | undefined; tag?: string | undefined; grade?: string | undefined; search?: string | undefined }): ListFilters {
  return { desk: values.desk, tag: values.tag, grade: values.grade === undefined ? undefined : parseGrade(values.grade), search: values.search };
}

export async function listCommand(argv: string[], io: Io): Promise<void> {
  const { values, help } = parseCommand("list", argv, OPTIONS);
  if (help) return io.out(LIST_HELP);
  const filters = filtersOf(values);
  const unlocked = await unlockHome(io, values);
  const view = await openDesk(unlocked);
  printUnreadable(io, view);
  const rows = listSubmissions(view, filters, await editorDesks(unlocked));
  if (values.json) return printJson(io, rows);
  printSubmissionList(io, rows);
}
