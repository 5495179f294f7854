// Deleting editors' items and whole sources from the server (docs/THREAT-MODEL.md, "Retention and
// deletion"), and from the vault as well when asked. A reply or note is named by its id or a unique
// prefix of one in the vault. A source is named as `sealdrop source` names it: the vault, decrypted
// here, is the only place that knows which submissions, mailbox and notes are that source's, and the
// one request that deletes them is the only time the server is told.
import { ApiError } from "../../core/api-error.js";
import { deletedResponse, sourceDeletedResponse } from "../../core/wire.js";
import { CliError } from "../errors.js";
import type { SourceView } from "../network.js";
import type { VaultItemKind } from "../vault.js";
import { type DeskView, resolveSubject } from "./desk.js";
import { type EditorSession, type UnlockedHome, withVault } from "./session.js";

const WHAT: Record<VaultItemKind, string> = { replies: "reply", notes: "note" };

/** A full reply or note id, or the one in the vault whose id starts with `given`. */
export async function fullItemId({ home }: Pick<UnlockedHome, "home">, kind: VaultItemKind, given: string): Promise<string> {
  if (!/^[0-9a-f]{1,32}$/.test(given)) throw new CliError(`${JSON.stringify(given)} is not a ${WHAT[kind]} id (lowercase hex)`);
  if (given.length === 32) return given;
  const matches = await withVault(home, async (vault) => (await vault.items(kind)).filter((i) => i.id.startsWith(given)).map((i) => i.id));
  if (matches.length === 0) throw new CliError(`no ${WHAT[kind]} ${given} in the vault; give the full id or run \`sealdrop pull\``);
  if (matches.length > 1) throw new CliError(`${given} matches more than one ${WHAT[kind]}; give more of the id`);
  return matches[0]!;
}

/** Deletes a reply or note from the server and, with `local`, from the vault (even when the server no longer has it). */
export async function deleteItem(session: EditorSession, kind: VaultItemKind, id: string, local: boolean): Promise<{ onServer: boolean; inVault: boolean | null }> {
  await session.roster();
  let onServer = true;
  try {
    await session.api.delete(`/api/editor/${kind}/${id}`, deletedResponse);
  } catch (e) {
    if (!(e instanceof ApiError && e.code === "not_found" && local)) throw e;
    onServer = false;
  }
  const inVault = local ? await withVault(session.home, (vault) => vault.deleteItem(kind, id)) : null;
  return { onServer, inVault };
}

/** Everything of one source that the vault knows, by id: what `deleteSource` sends. */
export interface SourceDeletion {
  pseudonym: string;
  submissions: string[];
  /** The mailbox its codename opens (every submission of a source carries the same one). */
  mailboxes: string[];
  /** The desk's replies to it: on the server they go with the mailbox. */
  replies: string[];
  notes: string[];
}

/** What deleting the source `named` (a pseudonym or a submission id of theirs, or a prefix) would delete. */
export function planSourceDeletion(view: DeskView, named: string): SourceDeletion {
  const found = resolveSubject(named, view);
  const source: SourceView | undefined = found.type === "source" ? found.source : view.sources.find((s) => s.pseudonym === found.submission?.pseudonym);
  if (!source) throw new CliError(`submission ${found.type === "submission" ? found.id : ""} is not encrypted to your key; its source is unknown to you`);
  return {
    pseudonym: source.pseudonym,
    submissions: source.submissions.map((s) => s.id),
    mailboxes: [...new Set(source.submissions.flatMap((s) => (s.envelope.reply ? [s.envelope.reply.mailbox.id] : [])))],
    replies: source.replies.map((r) => r.id),
    notes: source.notes.map((n) => n.id),
  };
}

export interface SourceDeleted {
  /** What the server had and deleted. */
  server: { submissions: number; replies: number; notes: number; mailboxes: number };
  /** What the vault had and deleted; null without `local`. */
  vault: { submissions: number; replies: number; notes: number } | null;
}

/** Deletes the planned source from the server in one request and, with `local`, from the vault. */
export async function deleteSource(session: EditorSession, plan: SourceDeletion, local: boolean): Promise<SourceDeleted> {
  await session.roster();
  const { deleted } = await session.api.post(
    "/api/editor/sources/delete",
    { submissions: plan.submissions, mailboxes: plan.mailboxes, notes: plan.notes },
    sourceDeletedResponse,
  );
  if (!local) return { server: deleted, vault: null };
  const vault = await withVault(session.home, async (v) => {
    const count = async (ids: string[], remove: (id: string) => Promise<boolean>) => {
      let n = 0;
      for (const id of ids) if (await remove(id)) n++;
      return n;
    };
    return {
      submissions: await count(plan.submissions, (id) => v.deleteSubmission(id)),
      replies: await count(plan.replies, (id) => v.deleteItem("replies", id)),
      notes: await count(plan.notes, (id) => v.deleteItem("notes", id)),
    };
  });
  return { server: deleted, vault };
}
