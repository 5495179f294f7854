// The newsroom's public record as the server hands it to sources' browsers, checked. With a roster, the
// fingerprint is the root key's: the roster is verified from it (from the root this home pinned, when it
// has one) and the keys the server gives sources must be the roster's. Without one (a newsroom from before
// rosters), the older key-list fingerprint is recomputed from the keys: a server that lied is caught.
import { newsroomFingerprint, rootFingerprint } from "../../core/fingerprint.js";
import { deskRecipients, verifyRoster } from "../../core/roster.js";
import { type NewsroomResponse, newsroomResponse } from "../../core/wire.js";
import { SealdropApi } from "../api.js";
import { CliError } from "../errors.js";
import type { EditorHome } from "../home.js";
import { readPin } from "../roster-pin.js";
import { checkNewsroomAnswer, checkServerRoster, fetchRosterLog, rosterRefusal } from "./roster.js";

export async function checkedNewsroom(server: string): Promise<NewsroomResponse> {
  const newsroom = await new SealdropApi(server).get("/api/newsroom", newsroomResponse);
  const computed = newsroomFingerprint(newsroom.desks.flatMap((d) => d.recipients));
  if (computed !== newsroom.fingerprint) {
    throw new CliError(`the server's fingerprint ${newsroom.fingerprint} does not match its keys (${computed}): do not trust this server until you know why`);
  }
  return newsroom;
}

export interface NewsroomFingerprint {
  name: string;
  fingerprint: string;
  /** "root": the root key's (a roster verified); "keys": the older key-list one (no roster yet). */
  kind: "root" | "keys";
  /** Whether the roster was checked against the root this home pinned (else only against itself). */
  pinned: boolean;
  desks: { id: string; name: string; recipients: string[] }[];
}

/** The fingerprint to compare with the published one, after every check this machine can make. */
export async function newsroomFingerprintOf(server: string, home: EditorHome | null): Promise<NewsroomFingerprint> {
  const pin = home ? await readPin(home) : null;
  if (home && pin) {
    const check = (await checkServerRoster(home, server))!;
    const { state } = check.roster;
    return { name: state.names.en, fingerprint: check.fingerprint, kind: "root", pinned: true, desks: state.desks.map((d) => ({ id: d.id, name: d.names.en, recipients: deskRecipients(state, d.id) })) };
  }
  const log = await fetchRosterLog(server, true);
  if (!log) {
    const newsroom = await checkedNewsroom(server);
    return { name: newsroom.name, fingerprint: newsroom.fingerprint, kind: "keys", pinned: false, desks: newsroom.desks.map((d) => ({ id: d.id, name: d.name, recipients: d.recipients })) };
  }
  const verified = verifyRoster(log.root, log.entries);
  if (!verified.ok) throw rosterRefusal(verified.error, server);
  const fingerprint = rootFingerprint(log.root);
  await checkNewsroomAnswer(server, verified);
  const { state } = verified;
  return { name: state.names.en, fingerprint, kind: "root", pinned: false, desks: state.desks.map((d) => ({ id: d.id, name: d.names.en, recipients: deskRecipients(state, d.id) })) };
}
