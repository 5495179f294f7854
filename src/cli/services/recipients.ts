// Who may read a note or a reply (need-to-know, issue 13): only keys the verified roster names, never the
// server's key list. A note goes to the editors of its subject's desk; a reply to the source and the
// editors of the conversation's desk. This is the one place that decides it: signing (which names these
// recipients inside the message, services/seal-message.ts) and the split reading machine build on it.
import { keyKindOf } from "../../core/derive.js";
import { deskRecipients, findDesk, findEditor, type RosterHead, type VerifiedRoster } from "../../core/roster.js";
import { CliError } from "../errors.js";
import type { EditorSession } from "./session.js";
import type { RosterCheck } from "./roster.js";

export interface MessageAudience {
  /** The desk the message belongs to. */
  desk: string;
  /** Every age recipient to encrypt to: the desk's active editors in roster order, after the source for a reply. */
  recipients: string[];
  /** The roster head the recipients were taken from. */
  roster: RosterHead;
}

/** The verified roster, which a note or reply cannot do without. */
export async function requireRoster(session: EditorSession, refresh = false): Promise<RosterCheck> {
  const check = await session.roster(refresh);
  if (!check) {
    throw new CliError(
      "this newsroom has no roster yet, so there is no list of readers the server cannot change: an admin gives it one with `sealdrop roster upgrade`",
      1,
      "roster_missing",
    );
  }
  return check;
}

/**
 * The recipients of a message by `author` (an editor id) for `desk`, from a verified roster; with
 * `source` (a source's reply recipient), a reply. Refuses an author who is not an active editor of that desk.
 */
export function messageAudience(roster: VerifiedRoster, author: string, desk: string, source?: string): MessageAudience {
  const { state, head } = roster;
  if (!findDesk(state, desk)) throw new CliError(`desk ${desk} is not in the newsroom's roster`, 1, "unknown_desk");
  const me = findEditor(state, author);
  if (!me || me.revoked) throw new CliError("you are not an active editor in the newsroom's roster", 1, me ? "editor_revoked" : "unknown_editor");
  if (!me.desks.includes(desk)) throw new CliError(`you are not on desk ${desk}; only its editors may write about what it holds`, 1, "outside_desk");
  const editors = deskRecipients(state, desk);
  if (source !== undefined && keyKindOf(source) !== state.keyKind) {
    throw new CliError(`the source's reply key is ${keyKindOf(source) === "pq" ? "post-quantum" : "classic X25519"} but the newsroom's keys are not; age cannot mix them in one file`);
  }
  const recipients = [...new Set(source === undefined ? editors : [source, ...editors])];
  return { desk, recipients, roster: { ...head } };
}
