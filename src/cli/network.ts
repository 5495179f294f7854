// The source network as the desk sees it: every envelope, reply and note in the vault decrypted in memory,
// grouped by pseudonym. Sources are linked only here, after decryption (invariant 2, docs/INVARIANTS.md): a source's
// submissions, follow-ups and the replies to it share the reply recipient inside the ciphertext.
import type { Envelope } from "../core/envelope.js";
import { type Note, noteSchema, openJson, type Reply, replySchema } from "../core/messages.js";
import { pseudonymFor } from "../core/pseudonym.js";
import { tryOpenEnvelope } from "./decrypt.js";
import type { Vault, VaultSubmission } from "./vault.js";

export interface OpenedSubmission {
  id: string;
  day: string;
  desk: string;
  envelope: Envelope;
  pseudonym: string;
}
export interface OpenedReply {
  id: string;
  day: string;
  reply: Reply;
  pseudonym: string;
}
export interface OpenedNote {
  id: string;
  day: string;
  note: Note;
}

export interface DeskPicture {
  submissions: OpenedSubmission[];
  replies: OpenedReply[];
  /** In the order they combine: by day, then by the author's time inside the note, then as they reached the vault. */
  notes: OpenedNote[];
  /** Every submission id in the vault, readable or not (notes may name any of them). */
  submissionIds: string[];
  /** Items this editor's key cannot open: sealed before the editor was added, or damaged. */
  unreadable: { submissions: number; replies: number; notes: number };
}

/** A submission without a reply channel is its own source: it cannot be linked to anything. */
export const anonymousPseudonym = (submissionId: string): string => `Anonymous ${submissionId.slice(0, 8)}`;

export const pseudonymOf = (s: { id: string; envelope: Envelope }): string =>
  s.envelope.reply ? pseudonymFor(s.envelope.reply.recipient) : anonymousPseudonym(s.id);

async function tryOpenJson<T>(schema: Parameters<typeof openJson<T>>[0], data: Uint8Array, identity: string): Promise<T | null> {
  try {
    return await openJson(schema, data, [identity]);
  } catch {
    return null;
  }
}

/** Decrypts the whole vault with the editor's identity. Plaintext stays in memory. */
export async function openDesk(vault: Vault, identity: string): Promise<DeskPicture> {
  const unreadable = { submissions: 0, replies: 0, notes: 0 };
  const stored: VaultSubmission[] = await vault.submissions();
  const submissions: OpenedSubmission[] = [];
  for (const s of stored) {
    const opened = await tryOpenEnvelope(s, identity);
    if (!opened.ok) {
      unreadable.submissions++;
      continue;
    }
    submissions.push({ id: s.id, day: s.day, desk: s.desk, envelope: opened.envelope, pseudonym: pseudonymOf({ id: s.id, envelope: opened.envelope }) });
  }
  // Days are all the server keeps; within one, a follow-up came after the submission it follows.
  const rank = (s: OpenedSubmission) => (s.envelope.kind === "followup" ? 1 : 0);
  submissions.sort((a, b) => a.day.localeCompare(b.day) || rank(a) - rank(b) || a.id.localeCompare(b.id));

  const replies: OpenedReply[] = [];
  for (const item of await vault.items("replies")) {
    const reply = await tryOpenJson(replySchema, item.data, identity);
    if (reply) replies.push({ id: item.id, day: item.day, reply, pseudonym: pseudonymFor(reply.to) });
    else unreadable.replies++;
  }
  const notes: OpenedNote[] = [];
  for (const item of await vault.items("notes")) {
    const note = await tryOpenJson(noteSchema, item.data, identity);
    if (note) notes.push({ id: item.id, day: item.day, note });
    else unreadable.notes++;
  }
  // Same-day notes reach vaults in different orders; the author's time inside the note settles it.
  notes.sort((a, b) => a.day.localeCompare(b.day) || (a.note.written ?? "").localeCompare(b.note.written ?? ""));
  return { submissions, replies, notes, submissionIds: stored.map((s) => s.id), unreadable };
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
  /** The latest grades given, and every tag given, in the order first given. */
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
    if (n.note.reliability !== null) v.reliability = n.note.reliability;
    if (n.note.credibility !== null) v.credibility = n.note.credibility;
    for (const tag of n.note.tags) if (!v.tags.includes(tag)) v.tags.push(tag);
  }
  return [...views.values()].sort((a, b) => (b.lastSeen ?? "").localeCompare(a.lastSeen ?? "") || a.pseudonym.localeCompare(b.pseudonym));
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
