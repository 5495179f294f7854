// `sealdrop export` and `sealdrop import`: the vault's ciphertext as one bundle file (src/cli/bundle.ts),
// to carry from the online machine that pulls to an offline machine that reads. No network, no passphrase:
// a bundle holds only age files, which are useless without the editor's key.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseCommand, requireOption } from "../args.js";
import { decodeBundle, encodeBundle } from "../bundle.js";
import { CliError } from "../errors.js";
import { writeFileAtomic } from "../files.js";
import { resolveHome } from "../home.js";
import type { Io } from "../io.js";
import { printJson, withVault } from "./common.js";

export const EXPORT_HELP = `Usage: sealdrop export --out FILE [--home DIR]

Writes every submission, attachment, reply and desk note in your vault, still encrypted, to FILE (a sealdrop vault
bundle), e.g. to carry on a USB stick to an offline machine and \`sealdrop import\` there.

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
  const home = resolveHome(values.home, io);
  const bundle = await withVault(home, async (vault) => ({
    submissions: await vault.submissions(),
    attachments: await vault.attachments(),
    replies: await vault.items("replies"),
    notes: await vault.items("notes"),
    largeFiles: (await vault.attachmentFiles()).length,
  }));
  // Large attachments live as files beside the vault (version 3); the bundle format does not carry them yet.
  if (bundle.largeFiles > 0) io.err(`warning: ${bundle.largeFiles} large attachment(s) kept as files in ${home.dir}/vault-files are not in the bundle; copy those files separately`);
  await writeFileAtomic(out, encodeBundle(bundle), { mode: 0o600, exclusive: true });
  io.out(
    `Wrote ${bundle.submissions.length} submission(s), ${bundle.attachments.length} attachment(s), ${bundle.replies.length} reply(s) and ${bundle.notes.length} note(s) to ${out}.`,
  );
}

export async function importCommand(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("import", argv, { ...COMMON, json: { type: "boolean" } } as const, { min: 1, max: 1 });
  if (help) return io.out(IMPORT_HELP);
  const file = resolve(io.cwd, positionals[0]!);
  let data: Uint8Array;
  try {
    data = await readFile(file);
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const bundle = decodeBundle(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  const home = resolveHome(values.home, io);
  const counts = await withVault(home, async (vault) => {
    const bundled = new Set(bundle.submissions.map((s) => s.id));
    for (const a of bundle.attachments) {
      if (!bundled.has(a.submissionId) && !(await vault.hasSubmission(a.submissionId))) {
        throw new CliError(`damaged or incomplete bundle: attachment ${a.id} belongs to a submission that is neither in the bundle nor in the vault`);
      }
    }
    let submissions = 0;
    let attachments = 0;
    for (const s of bundle.submissions) if (!(await vault.hasSubmission(s.id))) submissions++;
    for (const a of bundle.attachments) if (!(await vault.hasAttachment(a.id))) attachments++;
    let replies = 0;
    let notes = 0;
    for (const r of bundle.replies) if (!(await vault.hasItem("replies", r.id))) replies++;
    for (const n of bundle.notes) if (!(await vault.hasItem("notes", n.id))) notes++;
    await vault.putAll(bundle.submissions, bundle.attachments, { replies: bundle.replies, notes: bundle.notes });
    return {
      newSubmissions: submissions,
      newAttachments: attachments,
      newReplies: replies,
      newNotes: notes,
      inBundle: { submissions: bundle.submissions.length, attachments: bundle.attachments.length, replies: bundle.replies.length, notes: bundle.notes.length },
    };
  });
  if (values.json) return printJson(io, counts);
  io.out(
    `Imported ${counts.newSubmissions} new submission(s), ${counts.newAttachments} new attachment(s), ${counts.newReplies} new reply(s) and ${counts.newNotes} new note(s) from ${file}.`,
  );
}
