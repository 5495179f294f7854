// Reading one submission: its envelope decrypted, and each attachment decrypted, checked against the size
// and SHA-256 the source's browser recorded, and placed under a safe file name in the output folder.
// Attachments are written as files and never opened or rendered: they may be hostile.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { link, mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Envelope } from "../../core/envelope.js";
import { type CheckedAttachment, openAttachment, tryOpenEnvelope } from "../decrypt.js";
import { editorIdentities } from "../editor.js";
import { CliError } from "../errors.js";
import { writeFileAtomic } from "../files.js";
import { dedupeFileName, sanitizeFileName } from "../filenames.js";
import { decryptAttachmentToFile } from "../stream/attachment.js";
import type { VaultSubmission } from "../vault.js";
import { noProgress, type ProgressSink, type UnlockedHome, withVault } from "./session.js";

/** Attachments from this size on are decrypted as a stream, straight to a file, never whole in memory. */
const STREAM_FROM_BYTES = 16 << 20;

/** A large attachment, already decrypted and checked into a temporary file in the output folder. */
type Checked = CheckedAttachment | { ok: true; manifest: CheckedAttachment["manifest"]; tempFile: string; sha256: string };

export interface SavedAttachment {
  position: number;
  name: string;
  type: string;
  size: number;
  /** SHA-256 of the saved file; of a file that failed its checks, the manifest's (null if it gave the pieces digest). */
  sha256: string | null;
  savedAs: string | null;
  error?: string;
}

export interface ReadSubmission {
  submission: Pick<VaultSubmission, "id" | "desk" | "day">;
  envelope: Envelope;
  attachments: SavedAttachment[];
  warnings: string[];
}

/**
 * Opens the submission `idOrPrefix` names and saves its attachments into `outDir` (default:
 * home/attachments/ID/). Attachments that fail their checks are reported in the result, not saved.
 */
export async function readSubmission({ home, editor }: UnlockedHome, idOrPrefix: string, options: { outDir?: string; progress?: ProgressSink } = {}): Promise<ReadSubmission> {
  const identities = editorIdentities(editor);
  const progress = options.progress ?? noProgress;
  const warnings: string[] = [];
  const { submission, envelope, checked, outDir } = await withVault(home, async (vault) => {
    const submission = await vault.resolve(idOrPrefix);
    const opened = await tryOpenEnvelope(submission, identities);
    if (!opened.ok) throw new CliError(`submission ${submission.id}: ${opened.reason}`);
    const outDir = options.outDir ?? join(home.attachmentsDir, submission.id);
    const stored = new Map((await vault.attachments(submission.id)).map((a) => [a.position, a]));
    const files = new Map((await vault.attachmentFiles(submission.id)).map((a) => [a.position, a]));
    for (const [position, f] of files) if (!stored.has(position)) stored.set(position, { ...f, data: new Uint8Array(0) });
    const checked: Checked[] = [];
    for (const [i, manifest] of opened.envelope.attachments.entries()) {
      const blob = stored.get(i);
      const file = files.get(i);
      if (blob === undefined || (file === undefined && blob.data.length < STREAM_FROM_BYTES)) {
        checked.push(await openAttachment(blob, manifest, identities));
        continue;
      }
      // Large: streamed through the native decryptor into the output folder, checked, then named.
      await mkdir(outDir, { recursive: true, mode: 0o700 });
      const tempFile = join(outDir, `.attachment-${i + 1}.${randomBytes(6).toString("hex")}.tmp`);
      const bar = progress(`decrypting attachment ${i + 1}`, file?.size ?? blob.data.length);
      const source = file ? { path: file.path, size: file.size } : { bytes: blob.data };
      const result = await decryptAttachmentToFile(source, identities, manifest, tempFile, { onProgress: (n) => bar.update(n) });
      bar.finish();
      checked.push(result.ok ? { ok: true, manifest, tempFile, sha256: result.sha256 } : { ok: false, manifest, reason: result.reason });
    }
    if (stored.size > opened.envelope.attachments.length) {
      warnings.push(`the vault holds ${stored.size} attachments but the envelope lists ${opened.envelope.attachments.length}; the extra ones are ignored`);
    }
    return { submission, envelope: opened.envelope, checked, outDir };
  });
  const attachments = await saveAttachments(checked, outDir);
  return { submission: { id: submission.id, desk: submission.desk, day: submission.day }, envelope, attachments, warnings };
}

async function saveAttachments(checked: Checked[], outDir: string): Promise<SavedAttachment[]> {
  const result: SavedAttachment[] = [];
  if (checked.some((c) => c.ok)) await mkdir(outDir, { recursive: true, mode: 0o700 });
  const existing = checked.some((c) => c.ok) ? await readdir(outDir) : [];
  const taken = new Set<string>();
  for (const [position, c] of checked.entries()) {
    const { name, type, size } = c.manifest;
    const entry: SavedAttachment = { position, name, type, size, sha256: c.ok ? c.sha256 : (c.manifest.sha256 ?? null), savedAs: null };
    if (!c.ok) {
      result.push({ ...entry, error: c.reason });
      continue;
    }
    const digest = c.sha256;
    let fileName = dedupeFileName(sanitizeFileName(name, `attachment-${position + 1}`), taken);
    let path = join(outDir, fileName);
    // Reading the same submission twice finds its files already saved; anything else is not replaced.
    if (existing.includes(fileName) && !(await sameContent(path, digest))) {
      for (const n of existing) taken.add(n.toLowerCase());
      fileName = dedupeFileName(fileName, taken);
      path = join(outDir, fileName);
      await place(c, path);
    } else if (!existing.includes(fileName)) {
      await place(c, path);
    } else if ("tempFile" in c) {
      await rm(c.tempFile, { force: true });
    }
    result.push({ ...entry, savedAs: path });
  }
  return result;
}

/** Writes an attachment under `path`, never replacing a file: from memory, or by linking its checked temporary file. */
async function place(c: Checked & { ok: true }, path: string): Promise<void> {
  if (!("tempFile" in c)) return writeFileAtomic(path, c.plaintext, { mode: 0o600, exclusive: true });
  try {
    await link(c.tempFile, path);
  } finally {
    await rm(c.tempFile, { force: true });
  }
}

async function sameContent(path: string, digest: string): Promise<boolean> {
  try {
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return hash.digest("hex") === digest;
  } catch {
    return false;
  }
}
