// `sealdrop sources` and `sealdrop source`: the desk's sources by pseudonym, and one source's timeline.
// Decrypts the vault locally; no network.
import { HOME_OPTIONS, parseCommand } from "../args.js";
import { type Editor, unlockEditor } from "../editor.js";
import { CliError } from "../errors.js";
import { resolveHome } from "../home.js";
import type { Io } from "../io.js";
import { type DeskPicture, findSubject, type OpenedNote, openDesk, type SourceView, sourcesOf } from "../network.js";
import { firstLine, terminalSafe } from "../text.js";
import { printJson, withVault } from "./common.js";

export const SOURCES_HELP = `Usage: sealdrop sources [--home DIR] [--json]

Lists the desk's sources by pseudonym, most recently seen first: how many submissions (follow-ups
included) and follow-ups they sent, how many replies the desk sent them, the last day seen, and the
desk's current grade and tags for them (from \`sealdrop note\`). A submission whose source kept no
codename is its own source, "Anonymous <id prefix>", and cannot be answered. Decrypts locally.

  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --json                  print an array of {pseudonym, canReply, submissions, followups, replies, notes,
                          firstSeen, lastSeen, reliability, credibility, tags}
`;

export const SOURCE_HELP = `Usage: sealdrop source PSEUDONYM [--home DIR] [--json]

Shows one source's timeline, by day: submissions and follow-ups (first line of the message), the
desk's replies, and desk notes, with the current grade and tags. PSEUDONYM may be a unique prefix,
in any case ("amber her"), or a submission id (prefix) of theirs. Decrypts locally; does not use the network.

  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --json                  print {pseudonym, canReply, firstSeen, lastSeen, reliability, credibility,
                          tags, timeline: [{type: submission|followup|reply|note, id, day, …}]}
`;

const OPTIONS = { ...HOME_OPTIONS, json: { type: "boolean" } } as const;

export interface DeskSession {
  editor: Editor;
  desk: DeskPicture;
  sources: SourceView[];
}

/** Unlocks the key and decrypts the vault; says on stderr how much this key cannot read. */
export async function openDeskSession(io: Io, values: { home?: string | undefined; "passphrase-file"?: string | undefined }): Promise<DeskSession> {
  const home = resolveHome(values.home, io);
  const editor = await unlockEditor(home, io, values["passphrase-file"]);
  const desk = await withVault(home, (vault) => openDesk(vault, editor.secrets.ageIdentity));
  const { submissions, replies, notes } = desk.unreadable;
  if (submissions + replies + notes > 0) {
    io.err(`note: ${submissions} submission(s), ${replies} reply(s) and ${notes} note(s) in the vault are not encrypted to your key (sent before you were added?); they are left out`);
  }
  return { editor, desk, sources: sourcesOf(desk) };
}

export function sourceSummary(s: SourceView) {
  return {
    pseudonym: s.pseudonym,
    canReply: s.canReply,
    submissions: s.submissions.length,
    followups: s.submissions.filter((x) => x.envelope.kind === "followup").length,
    replies: s.replies.length,
    notes: s.notes.length,
    firstSeen: s.firstSeen,
    lastSeen: s.lastSeen,
    reliability: s.reliability,
    credibility: s.credibility,
    tags: s.tags,
  };
}

export const grade = (s: { reliability: string | null; credibility: number | null }): string => `${s.reliability ?? "-"}${s.credibility ?? "-"}`;

export async function sourcesCommand(argv: string[], io: Io): Promise<void> {
  const { values, help } = parseCommand("sources", argv, OPTIONS);
  if (help) return io.out(SOURCES_HELP);
  const { sources } = await openDeskSession(io, values);
  const rows = sources.map(sourceSummary);
  if (values.json) return printJson(io, rows);
  if (rows.length === 0) return io.out("No sources yet. Run `sealdrop pull` to fetch submissions.");
  for (const r of rows) {
    const counts = `${r.submissions} sub. (${r.followups} f/u), ${r.replies} repl.`;
    const tags = r.tags.map(terminalSafe).join(" ");
    io.out(`${terminalSafe(r.pseudonym).padEnd(24)} ${counts.padEnd(24)} last ${r.lastSeen ?? "-".padEnd(10)}  ${grade(r)}  ${r.canReply ? "" : "(no codename) "}${tags}`.trimEnd());
  }
  io.err(`${rows.length} source(s). \`sealdrop source PSEUDONYM\` shows one (a prefix is enough).`);
}

export function noteJson(n: OpenedNote, pseudonymOfSubmission: (id: string) => string | null) {
  const { subject, tags, reliability, credibility, text, links, author } = n.note;
  return {
    id: n.id,
    day: n.day,
    author,
    subject:
      subject.type === "source"
        ? { type: "source" as const, pseudonym: subject.pseudonym }
        : { type: "submission" as const, id: subject.id, source: pseudonymOfSubmission(subject.id) },
    tags,
    reliability,
    credibility,
    text,
    links: links.map((l) => ({ ...l, source: pseudonymOfSubmission(l.submission) })),
  };
}

export function timelineOf(source: SourceView, desk: DeskPicture) {
  const pseudonymOfSubmission = (id: string) => desk.submissions.find((s) => s.id === id)?.pseudonym ?? null;
  const entries = [
    ...source.submissions.map((s) => ({
      type: s.envelope.kind,
      id: s.id,
      day: s.day,
      desk: s.desk,
      firstLine: firstLine(s.envelope.message),
      attachments: s.envelope.attachments.length,
      canReply: s.envelope.reply !== null,
    })),
    ...source.replies.map((r) => ({ type: "reply" as const, id: r.id, day: r.day, from: r.reply.from, inReplyTo: r.reply.inReplyTo, message: r.reply.message })),
    ...source.notes.map((n) => ({ type: "note" as const, ...noteJson(n, pseudonymOfSubmission) })),
  ];
  // A stable sort keeps, within one day, submissions before replies before notes, each in its own order.
  return entries.sort((a, b) => a.day.localeCompare(b.day));
}

export async function sourceCommand(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("source", argv, OPTIONS, { min: 1, max: 1 });
  if (help) return io.out(SOURCE_HELP);
  const { desk, sources } = await openDeskSession(io, values);
  const found = findSubject(positionals[0]!, desk, sources);
  if ("error" in found) throw new CliError(found.error);
  // A submission id names the source that sent it.
  const source = found.type === "source" ? found.source : sources.find((s) => s.pseudonym === found.submission?.pseudonym);
  if (!source) throw new CliError(`submission ${found.type === "submission" ? found.id : ""} is not encrypted to your key; its source is unknown to you`);
  const { submissions: _s, followups: _f, replies: _r, notes: _n, ...about } = sourceSummary(source);
  const timeline = timelineOf(source, desk);
  if (values.json) return printJson(io, { ...about, timeline });

  io.out(`${terminalSafe(source.pseudonym)}${source.canReply ? "" : "  (kept no codename: cannot receive replies)"}`);
  io.out(`Seen ${source.firstSeen ?? "-"} to ${source.lastSeen ?? "-"}   Grade ${grade(source)}   Tags ${source.tags.map(terminalSafe).join(" ") || "-"}`);
  for (const e of timeline) {
    if (e.type === "note") {
      io.out(`${e.day}  note       ${e.id.slice(0, 12)}  by ${terminalSafe(e.author)}: ${describeNote(e)}`);
    } else if (e.type === "reply") {
      io.out(`${e.day}  reply      ${e.id.slice(0, 12)}  from ${terminalSafe(e.from)}${e.inReplyTo ? ` to ${e.inReplyTo.slice(0, 12)}` : ""}: ${firstLine(e.message)}`);
    } else {
      io.out(`${e.day}  ${e.type.padEnd(10)} ${e.id.slice(0, 12)}  ${e.desk}  ${e.attachments} att.  ${e.firstLine || "(no message)"}`);
    }
  }
}

export function describeNote(n: ReturnType<typeof noteJson>): string {
  const parts: string[] = [];
  if (n.subject.type === "submission") parts.push(`on ${n.subject.id.slice(0, 12)}`);
  if (n.reliability !== null || n.credibility !== null) parts.push(`grade ${grade(n)}`);
  if (n.tags.length) parts.push(n.tags.map(terminalSafe).join(" "));
  for (const l of n.links) parts.push(`${l.relation} ${l.submission.slice(0, 12)}${l.source ? ` (${terminalSafe(l.source)})` : ""}`);
  if (n.text) parts.push(JSON.stringify(firstLine(n.text, 80)));
  return parts.join("; ");
}
