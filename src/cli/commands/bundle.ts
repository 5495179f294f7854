// `sealdrop export` and `sealdrop import`: the vault's ciphertext as one bundle file (src/cli/bundle.ts),
// to carry from the online machine that pulls to an offline machine that reads. No network, no passphrase:
// a bundle holds only age files, which are useless without the editor's key.
import { rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { parseCommand, requireOption } from "../args.js";
import { type ReadBundle, discardStaged, readBundle } from "../bundle-read.js";
import { writeBundle } from "../bundle-write.js";
import { fsyncDir } from "../files.js";
import { CliError } from "../errors.js";
import { exists } from "../files.js";
import { type EditorHome, resolveHome } from "../home.js";
import type { Io } from "../io.js";
import { startProgress } from "../stream/progress.js";
import { Vault, type VaultAttachmentFile } from "../vault.js";
import { printJson, withVault } from "./common.js";

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
  const home = resolveHome(values.home, io);
  const { bundle, files } = await withVault(home, async (vault) => ({
    bundle: { submissions: await vault.submissions(), attachments: await vault.attachments(), replies: await vault.items("replies"), notes: await vault.items("notes") },
    files: await vault.attachmentFiles(),
  }));
  const bytes = files.reduce((sum, f) => sum + f.size, 0);
  const bar = startProgress(io, "exporting large attachments", bytes);
  await writeBundle(out, bundle, files, { onProgress: (n) => bar.update(n) });
  if (files.length > 0) bar.finish();
  io.out(
    `Wrote ${bundle.submissions.length} submission(s), ${bundle.attachments.length + files.length} attachment(s) (${files.length} large, ${bytes} bytes), ${bundle.replies.length} reply(s) and ${bundle.notes.length} note(s) to ${out}.`,
  );
}

export async function importCommand(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("import", argv, { ...COMMON, json: { type: "boolean" } } as const, { min: 1, max: 1 });
  if (help) return io.out(IMPORT_HELP);
  const file = resolve(io.cwd, positionals[0]!);
  const home = resolveHome(values.home, io);
  const size = await stat(file).then((s) => s.size, () => 0);
  const bar = startProgress(io, "reading bundle", size);
  // The vault is only looked at (to skip large attachments it has) until the whole bundle has been checked:
  // a damaged bundle changes nothing, and does not even create a vault.
  const known = (await exists(home.vaultFile)) ? await Vault.open(home.vaultFile) : null;
  let bundle: ReadBundle;
  try {
    bundle = await readBundle(file, {
      stageDir: join(dirname(home.vaultFile), "vault-files"),
      wanted: async (id) => !(await known?.hasAttachment(id)),
      // Every attachment's submission must be in the bundle or the vault.
      check: async (b) => {
        const bundled = new Set(b.submissions.map((s) => s.id));
        for (const a of [...b.attachments, ...b.files]) {
          if (!bundled.has(a.submissionId) && !(await known?.hasSubmission(a.submissionId))) {
            throw new CliError(`damaged or incomplete bundle: attachment ${a.id} belongs to a submission that is neither in the bundle nor in the vault`);
          }
        }
      },
      onProgress: (n) => bar.update(n),
    });
  } finally {
    await known?.close();
  }
  bar.finish();
  let counts: Awaited<ReturnType<typeof commit>>;
  try {
    counts = await commit(home, bundle);
  } finally {
    await discardStaged(bundle.files);
  }
  if (values.json) return printJson(io, counts);
  io.out(
    `Imported ${counts.newSubmissions} new submission(s), ${counts.newAttachments} new attachment(s), ${counts.newReplies} new reply(s) and ${counts.newNotes} new note(s) from ${file}.`,
  );
}

/**
 * Stores a checked bundle: large attachments' files first (renamed into vault-files/, then the directory
 * fsynced), then every row in one transaction. If that fails (say, a submission was deleted meanwhile, so a
 * foreign key fails), the files it placed are removed again.
 */
function commit(home: EditorHome, bundle: ReadBundle) {
  return withVault(home, async (vault) => {
    let submissions = 0;
    let attachments = 0;
    for (const s of bundle.submissions) if (!(await vault.hasSubmission(s.id))) submissions++;
    for (const a of [...bundle.attachments, ...bundle.files]) if (!(await vault.hasAttachment(a.id))) attachments++;
    let replies = 0;
    let notes = 0;
    for (const r of bundle.replies) if (!(await vault.hasItem("replies", r.id))) replies++;
    for (const n of bundle.notes) if (!(await vault.hasItem("notes", n.id))) notes++;
    const placed: VaultAttachmentFile[] = [];
    try {
      for (const f of bundle.files) {
        if (f.temp === null || (await vault.hasAttachment(f.id))) continue;
        const path = join(vault.filesDir, `${f.id}.age`);
        await rename(f.temp, path);
        placed.push({ id: f.id, submissionId: f.submissionId, position: f.position, size: f.size, path });
      }
      if (placed.length > 0) await fsyncDir(vault.filesDir);
      await vault.putAll(bundle.submissions, bundle.attachments, { replies: bundle.replies, notes: bundle.notes, files: placed });
    } catch (e) {
      for (const p of placed) await rm(p.path, { force: true });
      throw e;
    }
    return {
      newSubmissions: submissions,
      newAttachments: attachments,
      newReplies: replies,
      newNotes: notes,
      inBundle: {
        submissions: bundle.submissions.length,
        attachments: bundle.attachments.length + bundle.files.length,
        largeAttachments: bundle.files.length,
        replies: bundle.replies.length,
        notes: bundle.notes.length,
      },
    };
  });
}
