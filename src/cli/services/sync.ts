// Pulling: copies new ciphertext from the server into the vault. Nothing is decrypted here, so a pull can
// run on an online machine and the vault be carried (`export`) to an offline one for reading. Each item is
// stored as it arrives: an interrupted pull resumes where it stopped.
import { isAgeFile } from "../../core/age.js";
import { LIMITS, noteList, replyList, submissionList } from "../../core/wire.js";
import { CliError } from "../errors.js";
import { downloadToFile } from "../stream/download.js";
import { MAX_VAULT_BLOB_BYTES, VAULT_FILE_THRESHOLD } from "../vault.js";
import { type EditorSession, noProgress, type ProgressSink, withVault } from "./session.js";

export interface PullSummary {
  onServer: number;
  newSubmissions: number;
  newAttachments: number;
  newReplies: number;
  newNotes: number;
  /** Bytes of ciphertext downloaded. */
  bytes: number;
}

/** A submission about to be fetched: its envelope, some attachments, or both. */
export interface PullStep {
  index: number;
  of: number;
  id: string;
  desk: string;
  day: string;
  envelope: boolean;
  attachments: number;
}

export interface PullOptions {
  onStep?: (step: PullStep) => void;
  progress?: ProgressSink;
}

export async function pull(session: EditorSession, options: PullOptions = {}): Promise<PullSummary> {
  const { api, home } = session;
  // A server whose roster does not verify (or rolled back, or forked) is not pulled from at all.
  await session.roster();
  const progress = options.progress ?? noProgress;
  const { submissions } = await api.get("/api/editor/submissions", submissionList);
  const { replies } = await api.get("/api/editor/replies", replyList);
  const { notes } = await api.get("/api/editor/notes", noteList);

  const summary: PullSummary = { onServer: submissions.length, newSubmissions: 0, newAttachments: 0, newReplies: 0, newNotes: 0, bytes: 0 };
  const fetchAgeFile = async (path: string, size: number, max: number): Promise<Uint8Array> => {
    if (size > max) throw new CliError(`${path} is ${size} bytes, more than this version of sealdrop can store (${max}); upgrade sealdrop`);
    const data = await api.download(path, size);
    if (data.length !== size || !isAgeFile(data)) throw new CliError(`the server sent a damaged file for ${path}; try again later`);
    summary.bytes += data.length;
    return data;
  };

  await withVault(home, async (vault) => {
    for (const [i, s] of submissions.entries()) {
      const missing = [];
      for (const a of s.attachments) if (!(await vault.hasAttachment(a.id))) missing.push(a);
      const hasEnvelope = await vault.hasSubmission(s.id);
      if (hasEnvelope && missing.length === 0) continue;
      options.onStep?.({ index: i + 1, of: submissions.length, id: s.id, desk: s.desk, day: s.day, envelope: !hasEnvelope, attachments: missing.length });
      if (!hasEnvelope) {
        const envelope = await fetchAgeFile(`/api/editor/submissions/${s.id}/envelope`, s.envelopeSize, LIMITS.maxEnvelopeBytes);
        await vault.putSubmission({ id: s.id, desk: s.desk, day: s.day, envelopeSize: s.envelopeSize, envelope });
        summary.newSubmissions++;
      }
      for (const a of missing) {
        // Large ones stream to a file beside the vault (version 3), never whole in memory.
        if (a.size > VAULT_FILE_THRESHOLD) {
          if (a.size > LIMITS.maxAttachmentBytes) throw new CliError(`attachment ${a.id} is ${a.size} bytes, more than this version of sealdrop accepts`);
          const bar = progress(`  attachment ${a.position + 1}`, a.size);
          const path = await downloadToFile(api, `/api/editor/attachments/${a.id}`, a.size, vault.attachmentFilePath(a.id), (n) => bar.update(n));
          bar.finish();
          await vault.putAttachmentFile({ id: a.id, submissionId: s.id, position: a.position, size: a.size, path });
          summary.bytes += a.size;
          summary.newAttachments++;
          continue;
        }
        const data = await fetchAgeFile(`/api/editor/attachments/${a.id}`, a.size, MAX_VAULT_BLOB_BYTES);
        await vault.putAttachment({ id: a.id, submissionId: s.id, position: a.position, size: a.size, data });
        summary.newAttachments++;
      }
    }
    // Replies and notes are small; each is stored as it arrives, like attachments.
    const pullItems = async (kind: "replies" | "notes", items: { id: string; day: string; size: number }[], max: number): Promise<number> => {
      let added = 0;
      for (const item of items) {
        if (await vault.hasItem(kind, item.id)) continue;
        const data = await fetchAgeFile(`/api/editor/${kind}/${item.id}`, item.size, max);
        await vault.putItem(kind, { ...item, data });
        added++;
      }
      return added;
    };
    summary.newReplies = await pullItems("replies", replies, LIMITS.maxReplyBytes);
    summary.newNotes = await pullItems("notes", notes, LIMITS.maxNoteBytes);
  });
  return summary;
}
