// Export and import: the vault's ciphertext as one bundle file (../bundle.ts), to carry from the online
// machine that pulls to an offline machine that reads. No network and no key: a bundle holds only age
// files, which are useless without an editor's identity, and the exporting home's pinned roster, which the
// importing home verifies again from its own pinned root before it believes a word of it.
import { createHash } from "node:crypto";
import { rename, rm, stat } from "node:fs/promises";
import { checkExtends, verifyRoster } from "../../core/roster.js";
import type { BundleRoster } from "../bundle.js";
import { type ReadBundle, discardStaged, readBundle } from "../bundle-read.js";
import { writeBundle } from "../bundle-write.js";
import { CliError } from "../errors.js";
import { exists, fsyncDir } from "../files.js";
import type { EditorHome } from "../home.js";
import { readPin, writePin } from "../roster-pin.js";
import { Vault, type VaultAttachmentFile, type VaultItem } from "../vault.js";
import { clearConfirmed } from "./outbox.js";
import { rosterRefusal } from "./roster.js";
import { noProgress, type ProgressSink, withVault } from "./session.js";

export interface ExportSummary {
  submissions: number;
  attachments: number;
  largeAttachments: number;
  largeBytes: number;
  replies: number;
  notes: number;
  /** Entries of the pinned roster the bundle carries (0: the home pinned none). */
  rosterEntries: number;
}

/** Writes every record of the home's vault to the bundle `out` (refusing to overwrite it). */
export async function exportVault(home: EditorHome, out: string, progress: ProgressSink = noProgress): Promise<ExportSummary> {
  const pin = await readPin(home);
  const roster = pin ? { root: pin.root, entries: pin.entries } : null;
  const { bundle, files } = await withVault(home, async (vault) => ({
    bundle: { roster, submissions: await vault.submissions(), attachments: await vault.attachments(), replies: await vault.items("replies"), notes: await vault.items("notes") },
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
    rosterEntries: roster?.entries.length ?? 0,
  };
}

/**
 * What import did with the bundle's roster: `none` (it carried none), `unpinned` (this home pinned no root,
 * so it was not believed; pin one with `sealdrop roster pin`), `kept` (the pin already had all of it) or
 * `advanced` (it verified and extended the pin, which now holds it).
 */
export interface RosterImport {
  status: "none" | "unpinned" | "kept" | "advanced";
  entries: number;
  newEntries: number;
}

/** Verifies a bundle's roster from the home's pinned root, as a server's would be; refuses a fork or another root. */
async function checkBundleRoster(home: EditorHome, roster: BundleRoster | null): Promise<{ result: RosterImport; pin?: BundleRoster }> {
  if (!roster) return { result: { status: "none", entries: 0, newEntries: 0 } };
  const pin = await readPin(home);
  if (!pin) return { result: { status: "unpinned", entries: roster.entries.length, newEntries: 0 } };
  if (roster.root !== pin.root) {
    throw new CliError(`the bundle's roster belongs to another root key than the one this home pinned (${pin.fingerprint}): it is another newsroom's, or forged`, 1, "roster_root_mismatch");
  }
  const verified = verifyRoster(pin.root, roster.entries);
  if (!verified.ok) throw rosterRefusal(verified.error, "the bundle");
  const pinned = pin.roster.head;
  if (verified.head.seq <= pinned.seq) {
    // An older bundle (carried after a newer one): fine if it is the start of what this home verified.
    const fork = checkExtends(verified.head, pin.roster);
    if (fork) throw rosterRefusal(fork, "the bundle");
    return { result: { status: "kept", entries: pin.entries.length, newEntries: 0 } };
  }
  const diverged = checkExtends(pinned, verified);
  if (diverged) throw rosterRefusal(diverged, "the bundle");
  return { result: { status: "advanced", entries: roster.entries.length, newEntries: verified.head.seq - pinned.seq }, pin: roster };
}

export interface ImportSummary {
  newSubmissions: number;
  newAttachments: number;
  newReplies: number;
  newNotes: number;
  inBundle: { submissions: number; attachments: number; largeAttachments: number; replies: number; notes: number };
  roster: RosterImport;
  /** Items of this home's outbox that the bundle brought back from the server (posted), now dropped from it. */
  outboxConfirmed: number;
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
    // The roster is checked before anything is stored: a bundle with a forged or forked one changes nothing.
    const roster = await checkBundleRoster(home, bundle.roster);
    const summary = await commit(home, bundle);
    if (roster.pin) await writePin(home, roster.pin.root, roster.pin.entries);
    const outboxConfirmed = await clearConfirmed(home, [...bundle.replies, ...bundle.notes]);
    return { ...summary, roster: roster.result, outboxConfirmed };
  } finally {
    await discardStaged(bundle.files);
  }
}

const digest = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

/**
 * The replies or notes of a bundle that the vault lacks, by id and by content: a reply sealed on the reading
 * half is in its vault under the outbox's id, and comes back from the server under the server's.
 */
async function newItems(vault: Vault, kind: "replies" | "notes", items: VaultItem[]): Promise<VaultItem[]> {
  const held = new Set((await vault.items(kind)).map((i) => digest(i.data)));
  const fresh: VaultItem[] = [];
  for (const i of items) if (!(await vault.hasItem(kind, i.id)) && !held.has(digest(i.data))) fresh.push(i);
  return fresh;
}

/**
 * Stores a checked bundle: large attachments' files first (renamed into vault-files/, then the directory
 * fsynced), then every row in one transaction. If that fails (say, a submission was deleted meanwhile, so a
 * foreign key fails), the files it placed are removed again.
 */
function commit(home: EditorHome, bundle: ReadBundle): Promise<Omit<ImportSummary, "roster" | "outboxConfirmed">> {
  return withVault(home, async (vault) => {
    let submissions = 0;
    let attachments = 0;
    for (const s of bundle.submissions) if (!(await vault.hasSubmission(s.id))) submissions++;
    for (const a of [...bundle.attachments, ...bundle.files]) if (!(await vault.hasAttachment(a.id))) attachments++;
    const replies = await newItems(vault, "replies", bundle.replies);
    const notes = await newItems(vault, "notes", bundle.notes);
    const placed: VaultAttachmentFile[] = [];
    try {
      for (const f of bundle.files) {
        if (f.temp === null || (await vault.hasAttachment(f.id))) continue;
        const path = vault.attachmentFilePath(f.id);
        await rename(f.temp, path);
        placed.push({ id: f.id, submissionId: f.submissionId, position: f.position, size: f.size, path });
      }
      if (placed.length > 0) await fsyncDir(vault.filesDir);
      await vault.putAll(bundle.submissions, bundle.attachments, { replies, notes, files: placed });
    } catch (e) {
      for (const p of placed) await rm(p.path, { force: true });
      throw e;
    }
    return {
      newSubmissions: submissions,
      newAttachments: attachments,
      newReplies: replies.length,
      newNotes: notes.length,
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
