// `sealdrop list`: the vault's submissions, decrypted locally. No network.
import { HOME_OPTIONS, parseCommand } from "../args.js";
import type { Io } from "../io.js";
import { printJson } from "../present/json.js";
import { printSubmissionList } from "../present/submissions.js";
import { listSubmissions } from "../services/submissions.js";
import { unlockHome } from "../unlock.js";

export const LIST_HELP = `Usage: sealdrop list [--home DIR] [--json]

Lists the submissions in your vault, newest day first: id, day, desk, the source's pseudonym, the
number of attachments, and the first line of the message. Decrypts locally; does not use the network.

  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --json                  print an array of {id, day, desk, kind, source, firstLine, attachments, error?}
`;

const OPTIONS = { ...HOME_OPTIONS, json: { type: "boolean" } } as const;

export async function listCommand(argv: string[], io: Io): Promise<void> {
  const { values, help } = parseCommand("list", argv, OPTIONS);
  if (help) return io.out(LIST_HELP);
  const rows = await listSubmissions(await unlockHome(io, values));
  if (values.json) return printJson(io, rows);
  printSubmissionList(io, rows);
}
