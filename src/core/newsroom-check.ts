// The newsroom answer (`GET /api/newsroom`) against a verified roster (docs/FORMAT.md, "What the page
// verifies"). The answer is the server's word: the keys it tells sources' browsers to encrypt to, and the
// root, fingerprint and head it claims. Page and CLI check it here, the same way, and trust nothing in it
// that the roster does not say too.
import { rootFingerprint } from "./fingerprint.js";
import { deskRecipients, type VerifiedRoster } from "./roster.js";

/** The parts of a newsroom answer this check reads (core/wire.ts `newsroomResponse`). */
export interface NewsroomClaims {
  fingerprint?: string;
  desks: readonly { id: string; recipients: readonly string[] }[];
  roster?: { fingerprint: string; root?: string; head?: { seq: number; hash: string } } | null;
}

export type NewsroomMismatch =
  /** The answer's fingerprint or root is not the verified roster's root. */
  | { kind: "root"; claimed: string; fingerprint: string }
  /** The answer describes another roster head than the one verified (an older or a newer roster). */
  | { kind: "head"; claimed: number; verified: number }
  /** A desk's keys in the answer are not exactly the ones the roster names for it (either way). */
  | { kind: "desk"; desk: string; given: number; named: number; extra: number };

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && [...a].sort().join("\n") === [...b].sort().join("\n");

/**
 * The first way the answer differs from the verified roster, or null when it says exactly what the roster
 * says. `strict`: the answer must also describe the verified head and list every desk the roster gives
 * keys to (the page, which fetches both at once; the CLI checks the keys only).
 */
export function newsroomMismatch(claims: NewsroomClaims, roster: VerifiedRoster, options: { strict?: boolean } = {}): NewsroomMismatch | null {
  const fingerprint = rootFingerprint(roster.state.root);
  const claimedRoot = claims.roster;
  if (claimedRoot && (claimedRoot.fingerprint !== fingerprint || (claimedRoot.root !== undefined && claimedRoot.root !== roster.state.root))) {
    return { kind: "root", claimed: claimedRoot.fingerprint, fingerprint };
  }
  if (options.strict) {
    if (claims.fingerprint !== fingerprint) return { kind: "root", claimed: claims.fingerprint ?? "", fingerprint };
    if (!claimedRoot || claimedRoot.root === undefined) return { kind: "root", claimed: "", fingerprint };
    const head = claimedRoot.head;
    if (!head || head.seq !== roster.head.seq || head.hash !== roster.head.hash) {
      return { kind: "head", claimed: head?.seq ?? -1, verified: roster.head.seq };
    }
  }
  const { state } = roster;
  const named = (id: string) => (state.desks.some((d) => d.id === id) ? deskRecipients(state, id) : []);
  for (const desk of claims.desks) {
    const keys = named(desk.id);
    if (!sameSet(desk.recipients, keys)) {
      return { kind: "desk", desk: desk.id, given: desk.recipients.length, named: keys.length, extra: desk.recipients.filter((r) => !keys.includes(r)).length };
    }
  }
  if (options.strict) {
    for (const desk of state.desks) {
      const keys = deskRecipients(state, desk.id);
      if (keys.length > 0 && !claims.desks.some((d) => d.id === desk.id)) return { kind: "desk", desk: desk.id, given: 0, named: keys.length, extra: 0 };
    }
  }
  return null;
}
