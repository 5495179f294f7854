// The vault's submissions: found by id prefix, and deleted from the server and, if asked, from the vault.
// Listing them is the index's (../index/query.ts listSubmissions).
import { ApiError } from "../../core/api-error.js";
import { deletedResponse } from "../../core/wire.js";
import { type EditorSession, type UnlockedHome, withVault } from "./session.js";

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
