// Trusting the newsroom's roster (docs/FORMAT.md "Newsroom root and roster"): every command that talks to
// the server verifies the roster it serves from the root this home pinned, refuses one that does not extend
// the log verified before (a rollback or a fork), checks that the keys the server hands sources' browsers
// are the ones the roster names, and then remembers the new head. The server is never believed about who
// reads: only this verified roster is.
import { z } from "zod";
import { rootFingerprint } from "../../core/fingerprint.js";
import { newsroomMismatch } from "../../core/newsroom-check.js";
import { checkExtends, type RosterError, type VerifiedEntry, type VerifiedRoster, verifyRoster } from "../../core/roster.js";
import { ApiError } from "../../core/api-error.js";
import { SealdropApi } from "../api.js";
import { CliError } from "../errors.js";
import type { EditorHome } from "../home.js";
import { readPin, writePin } from "../roster-pin.js";

/** `GET /api/roster`: the root public key and the log, which the CLI verifies itself. */
const rosterAnswer = z.object({ root: z.string(), entries: z.array(z.unknown()) });
export type RosterLog = z.infer<typeof rosterAnswer>;

/** What `GET /api/newsroom` (core/wire.ts `newsroomResponse`) tells sources about keys, and the root it claims. */
const newsroomKeys = z.object({
  desks: z.array(z.object({ id: z.string(), recipients: z.array(z.string()) })),
  roster: z.object({ fingerprint: z.string() }).nullish(),
});

export interface RosterCheck {
  roster: VerifiedRoster;
  root: string;
  fingerprint: string;
  /** The entries this home had not seen before, oldest first. */
  changes: VerifiedEntry[];
  /** The entries as the server sent them (what `editor approve` and the others sign after). */
  entries: unknown[];
}

/**
 * The roster the server serves; null when it has none (a newsroom from before rosters, or an older server).
 * `lenient`: an answer that is not a roster counts as none too (for a look at a server nothing is pinned
 * for, which then falls back to checking the older key-list fingerprint).
 */
export async function fetchRosterLog(base: string, lenient = false): Promise<RosterLog | null> {
  try {
    const log = await new SealdropApi(base).get("/api/roster", rosterAnswer);
    return log.entries.length === 0 ? null : log;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || (lenient && e.code === "bad_response"))) return null;
    throw e;
  }
}

/** A roster that failed verification, in words, with the verifier's stable code. */
export function rosterRefusal(error: RosterError, base: string): CliError {
  const why: Partial<Record<RosterError["code"], string>> = {
    roster_rollback: "it serves an older roster than the one this home verified before",
    roster_fork: "it serves a roster that differs from the one this home verified before",
    roster_root_mismatch: "its roster belongs to another root key than the one this home pinned",
  };
  return new CliError(
    `the roster from ${base} cannot be trusted: ${why[error.code] ?? "it does not verify"} (${error.message}). Someone may be tampering with the server or the connection; do not go on until you know why.`,
    1,
    error.code,
  );
}

/**
 * The keys the server hands sources' browsers for each desk (`GET /api/newsroom`) must be exactly the
 * roster's (core/newsroom-check.ts): a desk mapped to other keys, or a key added, means a source's tip
 * would reach someone the newsroom never named. Refused with `newsroom_mismatch`.
 */
export async function checkNewsroomAnswer(base: string, roster: VerifiedRoster): Promise<void> {
  const answer = await new SealdropApi(base).get("/api/newsroom", newsroomKeys);
  const found = newsroomMismatch(answer, roster);
  if (!found) return;
  const what =
    found.kind === "root"
      ? `the fingerprint ${found.claimed}, not this newsroom's ${found.fingerprint}`
      : found.kind === "head"
        ? `roster entry ${found.claimed} as the newest, not ${found.verified}`
        : `other keys for desk ${found.desk} than the roster names (${found.given} given, ${found.named} named, ${found.extra} not in the roster)`;
  throw new CliError(`the server at ${base} tells sources' browsers ${what}: it is lying or was altered. Do not go on until you know why.`, 1, "newsroom_mismatch");
}

/**
 * Verifies the server's roster for `home`: from the pinned root, extending the pinned log, matching what
 * the server tells sources; then pins the new head. Null when neither the home nor the server has a roster
 * (a newsroom from before rosters: `sealdrop roster upgrade` gives it one).
 */
export async function checkServerRoster(home: EditorHome, base: string): Promise<RosterCheck | null> {
  const pin = await readPin(home);
  const log = await fetchRosterLog(base);
  if (!pin) {
    if (!log) return null;
    throw new CliError(
      `this home has not pinned the newsroom's root key yet: run \`sealdrop roster pin --fingerprint FP\` with the fingerprint your newsroom published (the server says ${safeFingerprint(log.root)})`,
      1,
      "roster_not_pinned",
    );
  }
  if (!log) {
    throw new CliError(
      `the server at ${base} serves no roster, but this home verified one with ${pin.roster.entries.length} entries: someone may have replaced the server or its database. Do not go on until you know why.`,
      1,
      "roster_rollback",
    );
  }
  const verified = verifyRoster(pin.root, log.entries);
  if (!verified.ok) throw rosterRefusal(verified.error, base);
  const diverged = checkExtends(pin.roster.head, verified);
  if (diverged) throw rosterRefusal(diverged, base);
  await checkNewsroomAnswer(base, verified);
  const changes = verified.entries.slice(pin.roster.head.seq + 1);
  if (changes.length > 0) await writePin(home, pin.root, log.entries);
  return { roster: verified, root: pin.root, fingerprint: pin.fingerprint, changes, entries: log.entries };
}

function safeFingerprint(root: string): string {
  try {
    return rootFingerprint(root);
  } catch {
    return "nothing valid";
  }
}

/**
 * Pins the root whose fingerprint the newsroom published: the server's roster must come from a root
 * with exactly that fingerprint, and verify. Used by `join` and `roster pin`.
 */
export async function pinByFingerprint(home: EditorHome, base: string, fingerprint: string): Promise<RosterCheck> {
  const wanted = normalizeFingerprint(fingerprint);
  const log = await fetchRosterLog(base);
  if (!log) throw new CliError(`the server at ${base} serves no roster: its newsroom has not been set up with one (see \`sealdrop roster upgrade\`)`, 1, "roster_missing");
  if (safeFingerprint(log.root) !== wanted) {
    throw new CliError(
      `the server's root key has the fingerprint ${safeFingerprint(log.root)}, not ${wanted}: this is not the newsroom you meant, or someone is impersonating it`,
      1,
      "fingerprint_mismatch",
    );
  }
  const verified = verifyRoster(log.root, log.entries);
  if (!verified.ok) throw rosterRefusal(verified.error, base);
  const existing = await readPin(home);
  if (existing && existing.root !== log.root) throw new CliError(`${home.rosterFile} already pins another root (${existing.fingerprint})`, 1, "roster_root_mismatch");
  if (existing) {
    const diverged = checkExtends(existing.roster.head, verified);
    if (diverged) throw rosterRefusal(diverged, base);
  }
  await checkNewsroomAnswer(base, verified);
  await writePin(home, log.root, log.entries);
  return { roster: verified, root: log.root, fingerprint: wanted, changes: verified.entries.slice(existing ? existing.roster.head.seq + 1 : 0), entries: log.entries };
}

/** "d925fead…" or "D925 FEAD …" in any spacing and case, as the canonical "D925 FEAD …" display. */
export function normalizeFingerprint(text: string): string {
  const hex = text.replace(/[\s:-]/g, "").toUpperCase();
  if (!/^[0-9A-F]{40}$/.test(hex)) throw new CliError(`${JSON.stringify(text)} is not a newsroom fingerprint (40 hex digits, as \`sealdrop fingerprint\` prints it)`, 2);
  return hex.match(/.{4}/g)!.join(" ");
}
