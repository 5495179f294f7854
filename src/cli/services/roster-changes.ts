// Changing the roster: an admin's CLI builds the next entries after the verified head, signs them with the
// admin's own signing key, checks them with the same rules the server and every reader apply
// (appendToRoster), posts them (`POST /api/editor/roster`), and pins the result. The server can refuse an
// entry but cannot make or alter one.
import { z } from "zod";
import {
  appendToRoster,
  findEditor,
  nextEntryBody,
  type RosterChange,
  type RosterEntry,
  type RosterState,
  signRosterEntry,
  type SignFn,
  type VerifiedEntry,
  type VerifiedRoster,
} from "../../core/roster.js";
import { ApiError } from "../../core/api-error.js";
import { CliError } from "../errors.js";
import { writePin } from "../roster-pin.js";
import { requireRoster } from "./recipients.js";
import { sodiumSigner } from "./seal-message.js";
import type { EditorSession } from "./session.js";
import { invalidEntry } from "../setup.js";

const headAnswer = z.object({ head: z.object({ seq: z.number(), hash: z.string() }) });

/** The editor's own signing key as a SignFn (libsodium). */
export const editorSigner = (session: EditorSession): SignFn => sodiumSigner(session.editor.secrets.signSecretKey);

export interface AppliedChanges {
  entries: VerifiedEntry[];
  roster: VerifiedRoster;
}

/** Refuses unless this editor is an active admin in the verified roster. */
export function requireAdmin(state: RosterState, editorId: string): void {
  const me = findEditor(state, editorId);
  if (!me || me.revoked || me.role !== "admin") throw new CliError("only an admin of this newsroom may change its roster (see `sealdrop roster`)", 1, "not_admin");
}

/**
 * Appends `changes` as entries signed by this editor (an admin), after the head this session verified.
 * `compute` may look at the verified state to build them. Nothing is sent unless every entry passes the
 * roster's rules here first.
 */
export async function applyRosterChanges(session: EditorSession, compute: (state: RosterState) => RosterChange[] | Promise<RosterChange[]>, sign: SignFn = editorSigner(session)): Promise<AppliedChanges> {
  // Fetched afresh: the entries must follow the newest head, or the server refuses them as stale.
  const check = await requireRoster(session, true);
  requireAdmin(check.roster.state, session.editor.header.editorId);
  const changes = await compute(check.roster.state);
  const entries: RosterEntry[] = [];
  let head = check.roster.head;
  const signer = session.editor.header.editorId;
  for (const change of changes) {
    const body = nextEntryBody(head, signer, change);
    const invalid = invalidEntry(body);
    if (invalid) throw new CliError(`invalid roster change: ${invalid}`, 2, "roster_malformed");
    const entry = await signRosterEntry(body, sign);
    entries.push(entry);
    const after = appendToRoster(check.roster, entries);
    if (!after.ok) throw new CliError(`the roster's rules refuse this change: ${after.error.message}`, 1, after.error.code);
    head = after.head;
  }
  const result = appendToRoster(check.roster, entries);
  if (!result.ok) throw new CliError(`the roster's rules refuse this change: ${result.error.message}`, 1, result.error.code);
  let answer;
  try {
    answer = await session.api.post("/api/editor/roster", { entries }, headAnswer);
  } catch (e) {
    if (e instanceof ApiError && e.code === "roster_stale") throw new CliError("another admin changed the roster meanwhile; run the command again", 1, "roster_stale");
    throw e;
  }
  if (answer.head.seq !== result.head.seq || answer.head.hash !== result.head.hash) {
    throw new CliError("the server stored another roster head than the one just signed; run `sealdrop roster` to see what it holds", 1, "roster_fork");
  }
  await writePin(session.home, check.root, [...check.entries, ...entries]);
  return { entries: result.entries.slice(check.roster.head.seq + 1), roster: result };
}
