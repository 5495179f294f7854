// `sealdrop pull`: copies new ciphertext from the server into the vault. Nothing is decrypted here, so a
// pull can run on an online machine and the vault be carried (`export`) to an offline one for reading.
import { z } from "zod";
import { LIMITS, storedItem, submissionSummary } from "../../core/wire.js";
import { HOME_OPTIONS, parseCommand } from "../args.js";
import { isAgeFile } from "../ciphertext.js";
import { CliError } from "../errors.js";
import { resolveHome } from "../home.js";
import { downloadToFile } from "../stream/download.js";
import { startProgress } from "../stream/progress.js";
import { MAX_VAULT_BLOB_BYTES, VAULT_FILE_THRESHOLD } from "../vault.js";
import type { Io } from "../io.js";
import { editorSession, printJson, withVault } from "./common.js";

export const PULL_HELP = `Usage: sealdrop pull [--home DIR] [--server URL] [--json]

Downloads submissions, attachments, the desk's replies to sources and desk notes that are not yet in
your vault (home/vault.sqlite). They stay encrypted there; \`sealdrop list\`, \`read\`, \`sources\`,
\`source\` and \`notes\` decrypt them. Safe to run again: it only fetches what is missing.

  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --server URL            talk to this server instead of the one in your key
  --json                  print the summary as JSON
`;

const OPTIONS = { ...HOME_OPTIONS, server: { type: "string" }, json: { type: "boolean" } } as const;
const submissionsResponse = z.object({ submissions: z.array(submissionSummary) });
const repliesResponse = z.object({ replies: z.array(storedItem) });
const notesResponse = z.object({ notes: z.array(storedItem) });

export async function pullCommand(argv: string[], io: Io): Promise<void> {
  const { values, help } = parseCommand("pull", argv, OPTIONS);
  if (help) return io.out(PULL_HELP);
  const home = resolveHome(values.home, io);
  const { api } = await editorSession(home, io, values);
  const { submissions } = await api.get("/api/editor/submissions", submissionsResponse);
  const { replies } = await api.get("/api/editor/replies", repliesResponse);
  const { notes } = await api.get("/api/editor/notes", notesResponse);

  const summary = { onServer: submissions.length, newSubmissions: 0, newAttachments: 0, newReplies: 0, newNotes: 0, bytes: 0 };
  const fetchAgeFile = async (path: string, size: number, max: number): Promise<Uint8Array> => {
    if (size > max) throw new CliError(`${path} is ${size} bytes, more than this version of sealdrop can store (${max}); upgrade sealdrop`);
    const data = await api.download(path, size);
    if (data.length !== size || !isAgeFile(data)) throw new CliError(`the server sent a damaged file for ${path}; try again later`);
    summary.bytes += data.length;
    return data;
  };

  await withVault(home, async (vault) => {
    let n = 0;
    for (const s of submissions) {
      n++;
      const missing = [];
      for (const a of s.attachments) if (!(await vault.hasAttachment(a.id))) missing.push(a);
      const hasEnvelope = await vault.hasSubmission(s.id);
      if (hasEnvelope && missing.length === 0) continue;
      io.err(`[${n}/${submissions.length}] ${s.id.slice(0, 8)} ${s.desk} ${s.day}: ${hasEnvelope ? "" : "envelope"}${!hasEnvelope && missing.length ? " + " : ""}${missing.length ? `${missing.length} attachment(s)` : ""}`);
      if (!hasEnvelope) {
        const envelope = await fetchAgeFile(`/api/editor/submissions/${s.id}/envelope`, s.envelopeSize, LIMITS.maxEnvelopeBytes);
        await vault.putSubmission({ id: s.id, desk: s.desk, day: s.day, envelopeSize: s.envelopeSize, envelope });
        summary.newSubmissions++;
      }
      // Each attachment is stored as it arrives: an interrupted pull resumes where it stopped.
      for (const a of missing) {
        // Large ones stream to a file beside the vault (version 3), never whole in memory.
        if (a.size > VAULT_FILE_THRESHOLD) {
          if (a.size > LIMITS.maxAttachmentBytes) throw new CliError(`attachment ${a.id} is ${a.size} bytes, more than this version of sealdrop accepts`);
          const bar = startProgress(io, `  attachment ${a.position + 1}`, a.size);
          const path = await downloadToFile(api, `/api/editor/attachments/${a.id}`, a.size, vault.filesDir, a.id, (n) => bar.update(n));
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

  if (values.json) return printJson(io, summary);
  io.out(
    `${summary.newSubmissions} new submission(s), ${summary.newAttachments} new attachment(s), ${summary.newReplies} new reply(s) to sources, ${summary.newNotes} new desk note(s) (${summary.bytes} bytes of ciphertext); ${summary.onServer} submission(s) on the server.`,
  );
}
