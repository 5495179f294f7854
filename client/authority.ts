// Whom this page may encrypt to, decided here in the browser and not on the server's word (docs/FORMAT.md,
// "What the page verifies"). With a roster: verified from its root (core/roster.ts, the same function the
// server and the CLI use), the fingerprint shown is that root's, and the newsroom answer must say exactly
// what the roster says (core/newsroom-check.ts); tips go only to the keys the roster names for their desk.
// Without one (a newsroom from before rosters): the older key-list fingerprint, computed from the keys
// themselves. Loaded beside the newsroom answer, before any form shows.
import { newsroomFingerprint, rootFingerprint } from "../src/core/fingerprint.js";
import { newsroomMismatch } from "../src/core/newsroom-check.js";
import { deskRecipients, localName, type LocalizedNames, verifyRoster, type VerifiedRoster } from "../src/core/roster.js";
import type { NewsroomResponse, RosterResponse } from "../src/core/wire.js";
import type { Desk } from "./tip.js";

interface TrustedDesk {
  id: string;
  names: LocalizedNames;
  recipients: string[];
}

export type Authority =
  | {
      ok: true;
      /** "root": a verified roster; "keys": no roster, the key-list fingerprint. */
      kind: "root" | "keys";
      fingerprint: string;
      /** The verified roster (replies are checked against it), or null for a newsroom without one. */
      roster: VerifiedRoster | null;
      names: LocalizedNames;
      /** Desks that have someone to read them, with the keys to encrypt to. */
      desks: TrustedDesk[];
    }
  | {
      ok: false;
      /** invalid: the roster does not verify; mismatch: the answer differs from it; noDesks: nobody to read a tip. */
      problem: "invalid" | "mismatch" | "noDesks";
      /** The fingerprint to show, if one could be computed. */
      fingerprint: string | null;
      names: LocalizedNames;
    };

const safeRootFingerprint = (root: string): string | null => {
  try {
    return rootFingerprint(root);
  } catch {
    return null;
  }
};

/** What the page may do with this newsroom answer and roster (null: the server serves none). */
export function decideAuthority(newsroom: NewsroomResponse, log: RosterResponse | null): Authority {
  const claimedNames: LocalizedNames = { ...newsroom.names, en: newsroom.names?.en ?? newsroom.name };
  if (log === null) {
    // A server that says it has a roster but serves none is hiding it.
    if (newsroom.roster) return { ok: false, problem: "invalid", fingerprint: safeRootFingerprint(newsroom.roster.root), names: claimedNames };
    const recipients = newsroom.desks.flatMap((d) => d.recipients);
    const fingerprint = newsroomFingerprint(recipients);
    if (recipients.length === 0) return { ok: false, problem: "noDesks", fingerprint, names: claimedNames };
    if (fingerprint !== newsroom.fingerprint) return { ok: false, problem: "mismatch", fingerprint, names: claimedNames };
    const desks = newsroom.desks
      .filter((d) => d.recipients.length > 0)
      .map((d) => ({ id: d.id, names: { ...d.names, en: d.names?.en ?? d.name }, recipients: [...d.recipients] }));
    return { ok: true, kind: "keys", fingerprint, roster: null, names: claimedNames, desks };
  }
  const fingerprint = safeRootFingerprint(log.root);
  const verified = verifyRoster(log.root, log.entries);
  if (!verified.ok || fingerprint === null) return { ok: false, problem: "invalid", fingerprint, names: claimedNames };
  const { state } = verified;
  if (newsroomMismatch(newsroom, verified, { strict: true })) return { ok: false, problem: "mismatch", fingerprint, names: state.names };
  const desks = state.desks.map((d) => ({ id: d.id, names: d.names, recipients: deskRecipients(state, d.id) })).filter((d) => d.recipients.length > 0);
  if (desks.length === 0) return { ok: false, problem: "noDesks", fingerprint, names: state.names };
  return { ok: true, kind: "root", fingerprint, roster: verified, names: state.names, desks };
}

/**
 * Fetches the newsroom answer and the roster side by side and decides. A staffing change landing between
 * the two would look like a lie, so a mismatch is looked at once more before the page believes it.
 */
export async function loadAuthority(
  fetchBoth: () => Promise<[NewsroomResponse, RosterResponse | null]>,
  first: Promise<[NewsroomResponse, RosterResponse | null]> = fetchBoth(),
): Promise<{ newsroom: NewsroomResponse; authority: Authority }> {
  let [newsroom, log] = await first;
  let authority = decideAuthority(newsroom, log);
  if (!authority.ok && authority.problem === "mismatch") {
    [newsroom, log] = await fetchBoth();
    authority = decideAuthority(newsroom, log);
  }
  return { newsroom, authority };
}

/** The desks to offer, named in the page's language. */
export const desksIn = (desks: readonly TrustedDesk[], lang: string): Desk[] =>
  desks.map((d) => ({ id: d.id, name: localName(d.names, lang), names: d.names, recipients: d.recipients }));

/** A name in the page's language, or the English one. */
export const nameIn = localName;
