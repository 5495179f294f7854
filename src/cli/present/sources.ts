// Text views of the desk: its sources, one source's timeline, and desk notes. Pseudonyms, tags, authors and
// desk names come from ciphertext that other people wrote, so each passes through ../text.ts first.
import type { Io } from "../io.js";
import type { Signature } from "../network.js";
import type { NoteRow, SourceSummary, sourceTimeline } from "../services/desk.js";
import type { DeskView } from "../services/desk.js";
import { firstLine, inlineSafe } from "../text.js";

/** How a reply or note's signature reads after its author: nothing when it verified, the reason when not. */
export const unverifiedMark = (signature: Signature, notCounted = true): string =>
  signature.verified ? "" : ` [unverified (${signature.reason})${notCounted ? ", not counted" : ""}]`;

/** The author a note names: the roster's, when it verified; the claim as written, marked, when not. */
const noteAuthor = (n: NoteRow): string => (n.signature.verified ? inlineSafe(n.signature.author.name) : `${inlineSafe(n.author)}${unverifiedMark(n.signature)}`);

export const grade = (s: { reliability: string | null; credibility: number | null }): string => `${s.reliability ?? "-"}${s.credibility ?? "-"}`;

/** Says on stderr how the view was made (an index rebuilt) and how much of the vault this key cannot read. */
export function printUnreadable(io: Io, { desk, notices }: DeskView): void {
  for (const n of notices ?? []) io.err(`warning: ${inlineSafe(n)}`);
  const { submissions, replies, notes } = desk.unreadable;
  if (submissions + replies + notes > 0) {
    io.err(`note: ${submissions} submission(s), ${replies} reply(s) and ${notes} note(s) in the vault are not encrypted to your key (sent before you were added?); they are left out`);
  }
}

export function printSources(io: Io, rows: SourceSummary[]): void {
  if (rows.length === 0) return io.out("No sources yet. Run `sealdrop pull` to fetch submissions.");
  // One write for the whole list: a write per line costs a system call each on a file or pipe.
  io.out(
    rows
      .map((r) => {
        const counts = `${r.submissions} sub. (${r.followups} f/u), ${r.replies} repl.`;
        const tags = r.tags.map(inlineSafe).join(" ");
        const unverified = r.unverifiedNotes > 0 ? ` (${r.unverifiedNotes} unverified note(s), not counted)` : "";
        return `${inlineSafe(r.pseudonym).padEnd(24)} ${counts.padEnd(24)} last ${r.lastSeen === null ? "-".padEnd(10) : inlineSafe(r.lastSeen)}  ${grade(r)}  ${r.canReply ? "" : "(no codename) "}${tags}${unverified}`.trimEnd();
      })
      .join("\n"),
  );
  io.err(`${rows.length} source(s). \`sealdrop source PSEUDONYM\` shows one (a prefix is enough).`);
}

export function printSource(io: Io, source: ReturnType<typeof sourceTimeline>): void {
  io.out(`${inlineSafe(source.pseudonym)}${source.canReply ? "" : "  (kept no codename: cannot receive replies)"}`);
  io.out(`Seen ${inlineSafe(source.firstSeen ?? "-")} to ${inlineSafe(source.lastSeen ?? "-")}   Grade ${grade(source)}   Tags ${source.tags.map(inlineSafe).join(" ") || "-"}`);
  for (const e of source.timeline) {
    const day = inlineSafe(e.day);
    const id = inlineSafe(e.id.slice(0, 12));
    if (e.type === "note") {
      io.out(`${day}  note       ${id}  by ${noteAuthor(e)}: ${describeNote(e)}`);
    } else if (e.type === "reply") {
      const by = e.signature.verified ? ` (${inlineSafe(e.signature.author.name)})` : unverifiedMark(e.signature, false);
      io.out(`${day}  reply      ${id}  from ${inlineSafe(e.from)}${by}${e.inReplyTo ? ` to ${e.inReplyTo.slice(0, 12)}` : ""}: ${firstLine(e.message)}`);
    } else {
      io.out(`${day}  ${e.type.padEnd(10)} ${id}  ${inlineSafe(e.desk)}  ${e.attachments} att.  ${e.firstLine || "(no message)"}`);
    }
  }
}

export function printNotes(io: Io, rows: (NoteRow & { about: string | null })[]): void {
  if (rows.length === 0) return io.out("No notes. `sealdrop note` adds one; `sealdrop pull` fetches colleagues' notes.");
  for (const r of rows) {
    const about = r.about ?? (r.subject.type === "submission" ? `submission ${r.subject.id.slice(0, 12)}` : "");
    io.out(`${inlineSafe(r.day)}  ${inlineSafe(r.id.slice(0, 12))}  ${inlineSafe(about)}  by ${noteAuthor(r)}: ${describeNote(r)}`);
  }
}

export function describeNote(n: NoteRow): string {
  const parts: string[] = [];
  if (n.subject.type === "submission") parts.push(`on ${n.subject.id.slice(0, 12)}`);
  if (n.reliability !== null || n.credibility !== null) parts.push(`grade ${grade(n)}`);
  if (n.tags.length) parts.push(n.tags.map(inlineSafe).join(" "));
  for (const l of n.links) parts.push(`${l.relation} ${l.submission.slice(0, 12)}${l.source ? ` (${inlineSafe(l.source)})` : ""}`);
  if (n.text) parts.push(JSON.stringify(firstLine(n.text, 80)));
  return parts.join("; ");
}
