// `sealdrop export` and `sealdrop import`: the vault's ciphertext as one bundle file, to carry between an
// online and an offline machine (services/bundles.ts). No network, no passphrase.
import { resolve } from "node:path";
import { parseCommand, requireOption } from "../args.js";
import { resolveHome } from "../home.js";
import type { Io } from "../io.js";
import { printJson } from "../present/json.js";
import { exportVault, importBundle } from "../services/bundles.js";
import { startProgress } from "../stream/progress.js";

export const EXPORT_HELP = `Usage: sealdrop export --out FILE [--home DIR]

Writes every submission, attachment, reply and desk note in your vault, still encrypted, to FILE (a sealdrop vault
bundle), e.g. to carry on a USB stick to an offline machine and \`sealdrop import\` there. Large attachments kept
as files in home/vault-files are copied in too, streamed, so the bundle can be as large as they are.

  --out FILE   the bundle to write (refuses to overwrite)
  --home DIR   editor home (default: $SEALDROP_HOME or ~/.sealdrop)
`;

export const IMPORT_HELP = `Usage: sealdrop import FILE [--home DIR] [--json]

Loads a bundle written by \`sealdrop export\` into your vault. Checks the whole bundle first and adds
nothing from a damaged one; records already in the vault are left as they are.

  --home DIR   editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --json       print the counts as JSON
`;

const COMMON = { home: { type: "string" }, help: { type: "boolean", short: "h" } } as const;

export async function exportCommand(argv: string[], io: Io): Promise<void> {
  const { values, help } = parseCommand("export", argv, { ...COMMON, out: { type: "string" } } as const);
  if (help) return io.out(EXPORT_HELP);
  const out = resolve(io.cwd, requireOption("export", "out", values.out));
  const s = await exportVault(resolveHome(values.home, io), out, (label, total) => startProgress(io, label, total));
  io.out(
    `Wrote ${s.submissions} submission(s), ${s.attachments} attachment(s) (${s.largeAttachments} large, ${s.largeBytes} bytes), ${s.replies} reply(s) and ${s.notes} note(s) to ${out}.`,
  );
}

export async function importCommand(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("import", argv, { ...COMMON, json: { type: "boolean" } } as const, { min: 1, max: 1 });
  if (help) return io.out(IMPORT_HELP);
  const file = resolve(io.cwd, positionals[0]!);
  const counts = await importBundle(resolveHome(values.home, io), file, (label, total) => startProgress(io, label, total));
  if (values.json) return printJson(io, counts);
  io.out(
    `Imported ${counts.newSubmissions} new submission(s), ${counts.newAttachments} new attachment(s), ${counts.newReplies} new reply(s) and ${counts.newNotes} new note(s) from ${file}.`,
  );
}
