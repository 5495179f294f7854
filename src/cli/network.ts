// The source network as the desk sees it: every envelope, reply and note in the vault decrypted in memory,
// grouped by pseudonym. Sources are linked only here, after decryption (invariant 2, docs/INVARIANTS.md): a source's
// submissions, follow-ups and the replies to it share the reply recipient inside the ciphertext.
// Every reply and note is verified against the reader's verified roster (core/signed-message.ts): one that
// does not verify is kept and shown as unverified, but never counts towards grades, tags or links.
import { byCodeUnits } from "../core/canonical.js";
import type { Envelope } from "../core/envelope.js";
import type { Note, Reply } from "../core/messages.js";
import type { VerifiedRoster } from "../core/roster.js";
import { type DeskMessage, type MessageVerification, parseMessage, type UnverifiedReason, verifyMessage } from "../core/signed-message.js";
import type { TriageNote } from "../core/triage.js";
import { decryptPool } from "./index/decrypt-pool.js";
import { type IndexRecord, pseudonymOfRecipient, recordOf } from "./index/records.js";
import type { Vault } from "./vault.js";

/** Who signed a reply or note, as the reader's roster tells; stable in `--json` as `signature`. */
export type Signature =
  | { verified: true; author: { id: string; name: string }; desk: string }
  | { verified: false; reason: UnverifiedReason | "no_roster" };

/** What a reader decrypts and verifies with: their age identities (current and retired) and their verified roster. */
export interface DeskReader {
  identities: readonly string[];
  /** The age recipients of those identities: a message must name one of them. */
  recipients: readonly string[];
  /** Null for a newsroom without a roster: then nothing verifies. */
  roster: VerifiedRoster | null;
}

/** The local arrival number (vault.ts): orders items within a day. Local only: never shown, sent or exported. */
interface Arrival {
  seq?: number;
}
export interface OpenedSubmission extends Arrival {
  id: string;
  day: string;
  desk: string;
  envelope: Envelope;
  pseudonym: string;
}
export interface OpenedReply extends Arrival {
  id: string;
  day: string;
  reply: Reply;
  pseudonym: string;
  signature: Signature;
}
export interface OpenedNote extends Arrival {
  id: string;
  day: string;
  note: Note;
  signature: Signature;
}

/** A triage note (core/triage.ts): the desk's read marks, stars, statuses and assignees; never shown as a note. */
export interface OpenedTriage {
  id: string;
  day: string;
  triage: TriageNote;
  signature: Signature;
}

export interface DeskPicture {
  submissions: OpenedSubmission[];
  replies: OpenedReply[];
  /** In the order they combine: by day, then by the author's time inside the note, then as they reached the vault. */
  notes: OpenedNote[];
  /** Triage notes, verified or not, as the vault holds them (services/triage.ts reduces the verified ones). */
  triage: OpenedTriage[];
  /** Every submission id in the vault, readable or not (notes may name any of them). */
  submissionIds: string[];
  /** Items this editor's key cannot open: sealed before the editor was added, or damaged. */
  unreadable: { submissions: number; replies: number; notes: number };
  /** The submissions among them, and why each does not open (`list` shows them). */
  unreadableSubmissions?: UnreadableSubmission[];
}

export interface UnreadableSubmission {
  id: string;
  day: string;
  desk: string;
  reason: string;
}

/** A submission without a reply channel is its own source: it cannot be linked to anything. */
export const anonymousPseudonym = (submissionId: string): string => `Anonymous ${submissionId.slice(0, 8)}`;

export const pseudonymOf = (s: { id: string; envelope: Envelope }): string =>
  s.envelope.reply ? pseudonymOfRecipient(s.envelope.reply.recipient) : anonymousPseudonym(s.id);

export const signatureOf = (v: MessageVerification): Signature =>
  v.status === "verified" ? { verified: true, author: { id: v.author.id, name: v.author.name }, desk: v.desk } : { verified: false, reason: v.reason };

/** Whether a reply or note counts towards grades, tags and links: only one that verified (core's countsTowardsGrades). */
export const counts = (item: { signature: Signature }): boolean => item.signature.verified;

/** Checks a decrypted reply or note and verifies it; null when it did not open or is not a message of `kind`. */
function readMessage(raw: unknown, kind: "note" | "reply" | readonly DeskMessage["kind"][], reader: DeskReader): { message: DeskMessage; signature: Signature } | null {
  if (raw === null) return null;
  const message = parseMessage(raw);
  if (!message || !(typeof kind === "string" ? message.kind === kind : kind.includes(message.kind))) return null;
  if (!reader.roster) return { message, signature: { verified: false, reason: "no_roster" } };
  return { message, signature: signatureOf(verifyMessage(raw, reader.roster, { reader: reader.recipients })) };
}

/**
 * The desk from what the vault's items decrypted to (../index/records.ts), in arrival order: every reply
 * and note verified against the reader's roster now. Within a day, the vault's arrival order is the order
 * things happened here (docs/FORMAT.md "Vault index"): a follow-up pulled after a reply was written comes after it.
 */
export function deskFromRecords(records: readonly IndexRecord[], reader: DeskReader): DeskPicture {
  const unreadable = { submissions: 0, replies: 0, notes: 0 };
  const submissions: OpenedSubmission[] = [];
  const unreadableSubmissions: UnreadableSubmission[] = [];
  const replies: OpenedReply[] = [];
  const notes: OpenedNote[] = [];
  const triage: OpenedTriage[] = [];
  const ordered = [...records].sort((a, b) => a.seq - b.seq);
  // A source's submissions share one reply recipient: hash it once, not once per submission.
  const pseudonyms = new Map<string, string>();
  const nameOf = (recipient: string): string => {
    let p = pseudonyms.get(recipient);
    if (p === undefined) pseudonyms.set(recipient, (p = pseudonymOfRecipient(recipient)));
    return p;
  };
  // Named when the item was indexed (records.ts), for an index written since records carry it.
  const pseudonymOfRecord = (r: { id: string; envelope: Envelope; pseudonym?: string }): string =>
    r.envelope.reply ? (r.pseudonym ?? nameOf(r.envelope.reply.recipient)) : anonymousPseudonym(r.id);
  for (const r of ordered) {
    if (r.kind === "submission") {
      if ("error" in r) {
        unreadable.submissions++;
        unreadableSubmissions.push({ id: r.id, day: r.day, desk: r.desk, reason: r.error });
      } else submissions.push({ id: r.id, day: r.day, desk: r.desk, seq: r.seq, envelope: r.envelope, pseudonym: pseudonymOfRecord(r) });
      continue;
    }
    // Triage notes are stored, fetched and padded like every note; only their plaintext tells them apart.
    const opened = readMessage(r.raw, r.kind === "reply" ? "reply" : ["note", "triage"], reader);
    if (!opened) unreadable[r.kind === "reply" ? "replies" : "notes"]++;
    else if (opened.message.kind === "triage") triage.push({ id: r.id, day: r.day, triage: opened.message, signature: opened.signature });
    else if (r.kind === "reply") {
      const reply = opened.message as Reply;
      replies.push({ id: r.id, day: r.day, seq: r.seq, reply, pseudonym: nameOf(reply.to), signature: opened.signature });
    } else notes.push({ id: r.id, day: r.day, seq: r.seq, note: opened.message as Note, signature: opened.signature });
  }
  // Days are all the server keeps; within one, the order items reached this vault (a stable sort keeps it).
  followupsAfterFirsts(submissions);
  submissions.sort((a, b) => byCodeUnits(a.day, b.day) || (a.seq ?? 0) - (b.seq ?? 0));
  replies.sort((a, b) => byCodeUnits(a.day, b.day));
  // Same-day notes reach vaults in different orders; the author's time inside the note settles it.
  notes.sort((a, b) => byCodeUnits(a.day, b.day) || byCodeUnits(a.note.written ?? "", b.note.written ?? ""));
  const submissionIds = ordered.filter((r) => r.kind === "submission").map((r) => r.id);
  return { submissions, replies, notes, triage, submissionIds, unreadable, unreadableSubmissions };
}

/**
 * One pull brings a day's submission and follow-up in the server's order, which says nothing of theirs
 * (the server keeps no order). A follow-up always came after a first submission, so within a day the
 * source's first submissions take its earliest arrival numbers of that day and the follow-ups the later ones; replies
 * and notes keep theirs, so a follow-up pulled after a reply was written still comes after it.
 */
function followupsAfterFirsts(submissions: readonly OpenedSubmission[]): void {
  const rank = (s: OpenedSubmission) => (s.envelope.kind === "followup" ? 1 : 0);
  const groups = new Map<string, OpenedSubmission[]>();
  for (const s of submissions) {
    const key = `${s.day}\n${s.pseudonym}`;
    const group = groups.get(key);
    if (group) group.push(s);
    else groups.set(key, [s]);
  }
  for (const day of groups.values()) {
    if (day.length < 2) continue;
    const seqs = day.map((s) => s.seq ?? 0).sort((a, b) => a - b);
    [...day].sort((a, b) => rank(a) - rank(b) || (a.seq ?? 0) - (b.seq ?? 0)).forEach((s, i) => (s.seq = seqs[i]!));
  }
}

/** Decrypts the whole vault on this thread, without the index: what the index saves (and the benchmark's baseline). */
export async function openDesk(vault: Vault, reader: DeskReader): Promise<DeskPicture> {
  const pool = decryptPool(reader.identities, 0);
  const records: IndexRecord[] = [];
  for (const e of await vault.entries()) {
    const data = (await vault.ciphertexts(e.kind, [e.id])).get(e.id)!;
    records.push(recordOf(e, await pool.decrypt(data)));
  }
  return deskFromRecords(records, reader);
}

export interface SourceView {
  pseudonym: string;
  /** Whether a submission carried a reply channel (the source kept a codename). */
  canReply: boolean;
  /** Submissions and follow-ups, oldest first. */
  submissions: OpenedSubmission[];
  replies: OpenedReply[];
  /** Notes about the source or any of its submissions, in the order they combine. */
  notes: OpenedNote[];
  firstSeen: string | null;
  lastSeen: string | null;
  /** The latest grades given, and every tag given, in the order first given: by verified notes only. */
  reliability: Note["reliability"];
  credibility: Note["credibility"];
  tags: string[];
}

/** Which source a note is about, if the desk can tell. */
export function noteSourceOf(note: Note, bySubmission: Map<string, OpenedSubmission>): string | null {
  if (note.subject.type === "source") return note.subject.pseudonym;
  const s = bySubmission.get(note.subject.id);
  return s ? s.pseudonym : null;
}

/** Every source the desk knows, from submissions, replies and notes; the most recently seen first. */
export function sourcesOf(desk: DeskPicture): SourceView[] {
  const views = new Map<string, SourceView>();
  const view = (pseudonym: string): SourceView => {
    let v = views.get(pseudonym);
    if (!v) {
      v = { pseudonym, canReply: false, submissions: [], replies: [], notes: [], firstSeen: null, lastSeen: null, reliability: null, credibility: null, tags: [] };
      views.set(pseudonym, v);
    }
    return v;
  };
  const bySubmission = new Map(desk.submissions.map((s) => [s.id, s]));
  for (const s of desk.submissions) {
    const v = view(s.pseudonym);
    v.submissions.push(s);
    if (s.envelope.reply) v.canReply = true;
    if (v.firstSeen === null || s.day < v.firstSeen) v.firstSeen = s.day;
    if (v.lastSeen === null || s.day > v.lastSeen) v.lastSeen = s.day;
  }
  for (const r of desk.replies) view(r.pseudonym).replies.push(r);
  for (const n of desk.notes) {
    const pseudonym = noteSourceOf(n.note, bySubmission);
    if (pseudonym === null) continue;
    const v = view(pseudonym);
    v.notes.push(n);
    // Shown, but an unverified note grades and tags nobody.
    if (!counts(n)) continue;
    if (n.note.reliability !== null) v.reliability = n.note.reliability;
    if (n.note.credibility !== null) v.credibility = n.note.credibility;
    for (const tag of n.note.tags) if (!v.tags.includes(tag)) v.tags.push(tag);
  }
  return [...views.values()].sort((a, b) => byCodeUnits(b.lastSeen ?? "", a.lastSeen ?? "") || byCodeUnits(a.pseudonym, b.pseudonym));
}

export type Subject = { type: "source"; source: SourceView } | { type: "submission"; id: string; submission: OpenedSubmission | null };

const normalize = (text: string): string => text.trim().replace(/\s+/g, " ").toLowerCase();

/**
 * Finds what an editor named on the command line: a submission by id or unique id prefix (lowercase hex),
 * or a source by pseudonym or a unique case-insensitive prefix of it. Returns a reason when it cannot.
 */
export function findSubject(text: string, desk: DeskPicture, sources: SourceView[]): Subject | { error: string } {
  const wanted = normalize(text);
  if (wanted === "") return { error: "give a pseudonym or a submission id" };
  const ids = /^[0-9a-f]{1,32}$/.test(text) ? desk.submissionIds.filter((id) => id.startsWith(text)) : [];
  const exact = sources.filter((s) => normalize(s.pseudonym) === wanted);
  const named = exact.length === 1 ? exact : sources.filter((s) => normalize(s.pseudonym).startsWith(wanted));
  const candidates = ids.length + named.length;
  if (candidates === 0) return { error: `no source or submission in the vault matches ${JSON.stringify(text)}; see \`sealdrop sources\` and \`sealdrop list\`` };
  if (candidates > 1) {
    const shown = [...ids.map((id) => `submission ${id}`), ...named.map((s) => s.pseudonym)];
    return { error: `${JSON.stringify(text)} matches ${candidates}: ${shown.slice(0, 6).join(", ")}${candidates > 6 ? ", …" : ""}; say more` };
  }
  if (ids.length === 1) return { type: "submission", id: ids[0]!, submission: desk.submissions.find((s) => s.id === ids[0]) ?? null };
  return { type: "source", source: named[0]! };
}
