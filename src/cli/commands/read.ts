// `sealdrop read`: one submission in full, and its attachments checked against the manifest and saved.
// Attachments are written as files and never opened or rendered: they may be hostile.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { link, mkdir, readdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Envelope } from "../../core/envelope.js";
import { pseudonymFor } from "../../core/pseudonym.js";
import { HOME_OPTIONS, parseCommand } from "../args.js";
import { type CheckedAttachment, openAttachment, tryOpenEnvelope } from "../decrypt.js";
import { unlockEditor } from "../editor.js";
import { CliError } from "../errors.js";
import { writeFileAtomic } from "../files.js";
import { dedupeFileName, sanitizeFileName } from "../filenames.js";
import { resolveHome } from "../home.js";
import type { Io } from "../io.js";
import { terminalSafe } from "../text.js";
import { decryptAttachmentToFile } from "../stream/attachment.js";
import { startProgress } from "../stream/progress.js";
import { printJson, withVault } from "./common.js";

/** Attachments from this size on are decrypted as a stream, straight to a file, never whole in memory. */
const STREAM_FROM_BYTES = 16 << 20;

/** A large attachment, already decrypted and checked into a temporary file in the output folder. */
type Checked = CheckedAttachment | { ok: true; manifest: CheckedAttachment["manifest"]; tempFile: string };

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

interface SavedAttachment {
  position: number;
  name: string;
  type: string;
  size: number;
  sha256: string;
  savedAs: string | null;
  error?: string;
}

export async function readCommand(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("read", argv, OPTIONS, { min: 1, max: 1 });
  if (help) return io.out(READ_HELP);
  const home = resolveHome(values.home, io);
  const editor = await unlockEditor(home, io, values["passphrase-file"]);
  const identity = editor.secrets.ageIdentity;

  const { submission, envelope, checked, outDir } = await withVault(home, async (vault) => {
    const submission = await vault.resolve(positionals[0]!);
    const opened = await tryOpenEnvelope(submission, identity);
    if (!opened.ok) throw new CliError(`submission ${submission.id}: ${opened.reason}`);
    const outDir = values.out === undefined ? join(home.attachmentsDir, submission.id) : resolve(io.cwd, values.out);
    const stored = new Map((await vault.attachments(submission.id)).map((a) => [a.position, a]));
    const files = new Map((await vault.attachmentFiles(submission.id)).map((a) => [a.position, a]));
    for (const [position, f] of files) if (!stored.has(position)) stored.set(position, { ...f, data: new Uint8Array(0) });
    const checked: Checked[] = [];
    for (const [i, manifest] of opened.envelope.attachments.entries()) {
      const blob = stored.get(i);
      const file = files.get(i);
      if (blob === undefined || (file === undefined && blob.data.length < STREAM_FROM_BYTES)) {
        checked.push(await openAttachment(blob, manifest, identity));
        continue;
      }
      // Large: streamed through the native decryptor into the output folder, checked, then named.
      await mkdir(outDir, { recursive: true, mode: 0o700 });
      const tempFile = join(outDir, `.attachment-${i + 1}.${randomBytes(6).toString("hex")}.tmp`);
      const bar = startProgress(io, `decrypting attachment ${i + 1}`, file?.size ?? blob.data.length);
      const source = file ? { path: file.path, size: file.size } : { bytes: blob.data };
      const result = await decryptAttachmentToFile(source, [identity], manifest, tempFile, { onProgress: (n) => bar.update(n) });
      bar.finish();
      checked.push(result.ok ? { ok: true, manifest, tempFile } : { ok: false, manifest, reason: result.reason });
    }
    if (stored.size > opened.envelope.attachments.length) io.err(`warning: the vault holds ${stored.size} attachments but the envelope lists ${opened.envelope.attachments.length}; the extra ones are ignored`);
    return { submission, envelope: opened.envelope, checked, outDir };
  });

  const saved = await saveAttachments(checked, outDir);

  if (values.json) {
    printJson(io, {
      id: submission.id,
      desk: submission.desk,
      day: submission.day,
      kind: envelope.kind,
      lang: envelope.lang,
      client: envelope.client,
      message: envelope.message,
      fields: envelope.fields,
      source: envelope.reply ? pseudonymFor(envelope.reply.recipient) : null,
      reply: envelope.reply ? { recipient: envelope.reply.recipient, mailbox: envelope.reply.mailbox.id } : null,
      attachments: saved,
    });
  } else {
    printSubmission(io, submission, envelope, saved);
  }
  const failed = saved.filter((a) => a.error !== undefined);
  if (failed.length > 0) {
    throw new CliError(`${failed.length} attachment(s) not saved: ${failed.map((a) => `#${a.position + 1} ${a.error}`).join("; ")}`);
  }
}

async function saveAttachments(checked: Checked[], outDir: string): Promise<SavedAttachment[]> {
  const result: SavedAttachment[] = [];
  if (checked.some((c) => c.ok)) await mkdir(outDir, { recursive: true, mode: 0o700 });
  const existing = checked.some((c) => c.ok) ? await readdir(outDir) : [];
  const taken = new Set<string>();
  for (const [position, c] of checked.entries()) {
    const { name, type, size, sha256: digest } = c.manifest;
    const entry: SavedAttachment = { position, name, type, size, sha256: digest, savedAs: null };
    if (!c.ok) {
      result.push({ ...entry, error: c.reason });
      continue;
    }
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

function printSubmission(io: Io, s: { id: string; desk: string; day: string }, e: Envelope, saved: SavedAttachment[]): void {
  io.out(`Submission ${s.id}`);
  io.out(`Desk: ${s.desk}   Day: ${s.day}   Kind: ${e.kind}   Language: ${terminalSafe(e.lang) || "-"}`);
  io.out(e.reply ? `Source: ${pseudonymFor(e.reply.recipient)} (replies possible)` : "Source: unknown (no reply channel, replies not possible)");
  const fields = Object.entries(e.fields);
  if (fields.length > 0) {
    io.out("Fields:");
    for (const [k, v] of fields) io.out(`  ${terminalSafe(k)}: ${terminalSafe(v).replace(/\n/g, "\n    ")}`);
  }
  if (saved.length > 0) {
    io.out("Attachments:");
    for (const a of saved) {
      const where = a.savedAs ? `saved as ${a.savedAs}` : `NOT SAVED: ${a.error}`;
      io.out(`  ${a.position + 1}. ${terminalSafe(a.name)} (${terminalSafe(a.type) || "unknown type"}, ${a.size} bytes): ${where}`);
    }
  }
  io.out("Message:");
  io.out(terminalSafe(e.message) || "(empty)");
}
