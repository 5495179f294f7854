// Export and import: the vault's ciphertext as one bundle file (../bundle.ts), to carry from the online
// machine that pulls to an offline machine that reads. No network and no key: a bundle holds only age
// files, which are useless without an editor's identity.
import { rename, rm, stat } from "node:fs/promises";
import { type ReadBundle, discardStaged, readBundle } from "../bundle-read.js";
import { writeBundle } from "../bundle-write.js";
import { CliError } from "../errors.js";
import { exists, fsyncDir } from "../files.js";
import type { EditorHome } from "../home.js";
import { Vault, type VaultAttachmentFile } from "../vault.js";
import { noProgress, type ProgressSink, withVault } from "./session.js";

export interface ExportSummary {
  submissions: number;
  attachments: number;
  largeAttachments: number;
  largeBytes: number;
  replies: number;
  notes: number;
}

/** Writes every record of the home's vault to the bundle `out` (refusing to overwrite it). */
export async function exportVault(home: EditorHome, out: string, progress: ProgressSink = noProgress): Promise<ExportSummary> {
  const { bundle, files } = await withVault(home, async (vault) => ({
    bundle: { submissions: await vault.submissions(), attachments: await vault.attachments(), replies: await vault.items("replies"), notes: await vault.items("notes") },
    files: await vault.attachmentFiles(),
  }));
  const largeBytes = files.reduce((sum, f) => sum + f.size, 0);
  const bar = progress("exporting large attachments", largeBytes);
  await writeBundle(out, bundle, files, { onProgress: (n) => bar.update(n) });
  if (files.length > 0) bar.finish();
  return {
    submissions: bundle.submissions.length,
    attachments: bundle.attachments.length + files.length,
    largeAttachments: files.length,
    largeBytes,
    replies: bundle.replies.length,
    notes: bundle.notes.length,
  };
}

export interface ImportSummary {
  newSubmissions: number;
  newAttachments: number;
  newReplies: number;
  newNotes: number;
  inBundle: { submissions: number; attachments: number; largeAttachments: number; replies: number; notes: number };
}

/** Checks the whole bundle `file`, then adds what the vault lacks; a damaged bundle changes nothing. */
export async function importBundle(home: EditorHome, file: string, progress: ProgressSink = noProgress): Promise<ImportSummary> {
  const size = await stat(file).then((s) => s.size, () => 0);
  const bar = progress("reading bundle", size);
  // The vault is only looked at (to skip large attachments it has) until the whole bundle has been checked:
  // a damaged bundle changes nothing, and does not even create a vault.
  const known = (await exists(home.vaultFile)) ? await Vault.open(home.vaultFile) : null;
  let bundle: ReadBundle;
  try {
    bundle = await readBundle(file, {
      stageDir: Vault.filesDirOf(home.vaultFile),
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
  try {
    return await commit(home, bundle);
  } finally {
    await discardStaged(bundle.files);
  }
}

/**
 * Stores a checked bundle: large attachments' files first (renamed into vault-files/, then the directory
 * fsynced), then every row in one transaction. If that fails (say, a submission was deleted meanwhile, so a
 * foreign key fails), the files it placed are removed again.
 */
function commit(home: EditorHome, bundle: ReadBundle): Promise<ImportSummary> {
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
        const path = vault.attachmentFilePath(f.id);
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
