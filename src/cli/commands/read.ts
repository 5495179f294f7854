// `sealdrop read`: one submission in full, and its attachments checked against the manifest and saved
// (services/attachments.ts). Attachments are written as files and never opened or rendered.
import { resolve } from "node:path";
import { HOME_OPTIONS, parseCommand } from "../args.js";
import { CliError } from "../errors.js";
import type { Io } from "../io.js";
import { printJson } from "../present/json.js";
import { printSubmission, submissionJson, unsavedSummary } from "../present/submissions.js";
import { readSubmission } from "../services/attachments.js";
import { startProgress } from "../stream/progress.js";
import { inlineSafe } from "../text.js";
import { unlockHome } from "../unlock.js";

export const READ_HELP = `Usage: sealdrop read ID [--out DIR] [--home DIR] [--json]

Shows a submission from your vault (ID or a unique prefix of it): message, fields, attachments. Each
attachment is decrypted, checked against the size and SHA-256 the source's browser recorded, and saved
under a safe file name. sealdrop never opens attachments: inspect them on an offline machine.

  --out DIR               where to save attachments (default: home/attachments/ID/)
  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --json                  print the submission as JSON
`;

const OPTIONS = { ...HOME_OPTIONS, out: { type: "string" }, json: { type: "boolean" } } as const;

export async function readCommand(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("read", argv, OPTIONS, { min: 1, max: 1 });
  if (help) return io.out(READ_HELP);
  const unlocked = await unlockHome(io, values);
  const read = await readSubmission(unlocked, positionals[0]!, {
    ...(values.out === undefined ? {} : { outDir: resolve(io.cwd, values.out) }),
    progress: (label, total) => startProgress(io, label, total),
  });
  for (const w of read.warnings) io.err(`warning: ${inlineSafe(w)}`);
  if (values.json) printJson(io, submissionJson(read));
  else printSubmission(io, read);
  const unsaved = unsavedSummary(read.attachments);
  if (unsaved !== null) throw new CliError(unsaved);
}
