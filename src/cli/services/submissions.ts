// The vault's submissions: listed with their first lines (decrypted locally), and deleted from the server
// and, if asked, from the vault.
import { pseudonymFor } from "../../core/pseudonym.js";
import { ApiError } from "../../core/api-error.js";
import { deletedResponse } from "../../core/wire.js";
import { tryOpenEnvelope } from "../decrypt.js";
import { editorIdentities } from "../editor.js";
import { firstLine } from "../text.js";
import { type EditorSession, type UnlockedHome, withVault } from "./session.js";

export interface SubmissionRow {
  id: string;
  day: string;
  desk: string;
  kind: "submission" | "followup" | null;
  source: string | null;
  firstLine: string | null;
  attachments: number;
  /** Why this key cannot open it. */
  error?: string;
}

/** Every submission in the vault, newest day first; the ones this key cannot open say why. */
export function listSubmissions({ home, editor }: UnlockedHome): Promise<SubmissionRow[]> {
  return withVault(home, async (vault) => {
    const counts = await vault.attachmentCounts();
    const rows: SubmissionRow[] = [];
    for (const s of await vault.submissions()) {
      const opened = await tryOpenEnvelope(s, editorIdentities(editor));
      const base = { id: s.id, day: s.day, desk: s.desk };
      rows.push(
        opened.ok
          ? {
              ...base,
              kind: opened.envelope.kind,
              source: opened.envelope.reply ? pseudonymFor(opened.envelope.reply.recipient) : null,
              firstLine: firstLine(opened.envelope.message),
              attachments: opened.envelope.attachments.length,
            }
          : { ...base, kind: null, source: null, firstLine: null, attachments: counts.get(s.id) ?? 0, error: opened.reason },
      );
    }
    return rows;
  });
}

/** A full id, or the one submission in the vault whose id starts with `given`. */
export async function fullSubmissionId({ home }: Pick<UnlockedHome, "home">, given: string): Promise<string> {
  return given.length === 32 ? given : withVault(home, async (vault) => (await vault.resolve(given)).id);
}

/**
 * Deletes a submission from the server; with `local`, from the vault too, even when the server no longer
 * has it. Says where it was.
 */
export async function deleteSubmission(session: EditorSession, id: string, local: boolean): Promise<{ onServer: boolean; inVault: boolean | null }> {
  await session.roster();
  let onServer = true;
  try {
    await session.api.delete(`/api/editor/submissions/${id}`, deletedResponse);
  } catch (e) {
    if (!(e instanceof ApiError && e.code === "not_found" && local)) throw e;
    onServer = false;
  }
  const inVault = local ? await withVault(session.home, (vault) => vault.deleteSubmission(id)) : null;
  return { onServer, inVault };
}
