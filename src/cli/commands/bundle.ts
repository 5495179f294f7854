// `sealdrop export` and `sealdrop import`: the vault's ciphertext as one bundle file, to carry between an
// online and an offline machine (services/bundles.ts), and, for a split home, the reading half's outbox of
// sealed replies and notes, which the online half's `import` posts (services/outbox.ts).
import { open } from "node:fs/promises";
import { resolve } from "node:path";
import { HOME_OPTIONS, parseCommand, requireOption } from "../args.js";
import { CliError } from "../errors.js";
import { resolveHome } from "../home.js";
import type { Io } from "../io.js";
import { looksLikeOutbox } from "../outbox-bundle.js";
import { printJson } from "../present/json.js";
import { exportVault, importBundle } from "../services/bundles.js";
import { exportOutbox, postOutbox } from "../services/outbox.js";
import { startProgress } from "../stream/progress.js";
import { connect, unlockSigningHome } from "../unlock.js";

export const EXPORT_HELP = `Usage: sealdrop export --out FILE [--outbox] [--home DIR]

Writes every submission, attachment, reply and desk note in your vault, still encrypted, and the roster
this home verified, to FILE (a sealdrop vault bundle), e.g. to carry on a USB stick to an offline machine
and \`sealdrop import\` there, which verifies the roster again from its own pinned root. Large attachments
kept as files in home/vault-files are copied in too, streamed, so the bundle can be as large as they are.

With --outbox (on the reading half of a split home, \`sealdrop home split\`): writes the replies and notes
sealed here and not yet confirmed posted to FILE, an outbox bundle signed with your key, for
\`sealdrop import FILE\` on the online half, which posts them. Export again until a vault bundle from the
online half brings them back; posting a bundle twice posts each item once.

  --out FILE              the bundle to write (refuses to overwrite)
  --outbox                the outbox instead of the vault (asks for your key's passphrase: it signs)
  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  with --outbox: your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
`;

export const IMPORT_HELP = `Usage: sealdrop import FILE [--home DIR] [--server URL] [--json]

Loads a vault bundle written by \`sealdrop export\` into your vault. Checks the whole bundle first, and its
roster from this home's pinned root (refusing another root's, a fork or a forgery), and adds nothing from a
damaged one; records already in the vault are left as they are.

Given an outbox bundle (\`sealdrop export --outbox\` on the reading half of a split home), checks that it
is whole and signed by your key, and posts each reply and note in it that this home has not posted before.

  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  for an outbox bundle: your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --server URL            for an outbox bundle: post to this server instead of the one in your key
  --json                  print the counts as JSON
`;

export async function exportCommand(argv: string[], io: Io): Promise<void> {
  const { values, help } = parseCommand("export", argv, { ...HOME_OPTIONS, out: { type: "string" }, outbox: { type: "boolean" } } as const);
  if (help) return io.out(EXPORT_HELP);
  const out = resolve(io.cwd, requireOption("export", "out", values.out));
  if (values.outbox) {
    const s = await exportOutbox(await unlockSigningHome(io, values), out);
    io.out(`Wrote ${s.replies} reply(s) and ${s.notes} note(s) from the outbox to ${out}; \`sealdrop import\` it on the online half to post them.`);
    if (s.remaining > 0) io.out(`${s.remaining} more wait in the outbox: export again for the next bundle.`);
    return;
  }
  const s = await exportVault(resolveHome(values.home, io), out, (label, total) => startProgress(io, label, total));
  io.out(
    `Wrote ${s.submissions} submission(s), ${s.attachments} attachment(s) (${s.largeAttachments} large, ${s.largeBytes} bytes), ${s.replies} reply(s), ${s.notes} note(s) and the roster (${s.rosterEntries} entries) to ${out}.`,
  );
}

/** The first bytes of `file`, to tell an outbox bundle from a vault bundle. */
async function head(file: string): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(file, "r");
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const buf = new Uint8Array(64);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export async function importCommand(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("import", argv, { ...HOME_OPTIONS, server: { type: "string" }, json: { type: "boolean" } } as const, { min: 1, max: 1 });
  if (help) return io.out(IMPORT_HELP);
  const file = resolve(io.cwd, positionals[0]!);
  if (looksLikeOutbox(await head(file))) {
    const posting = await postOutbox(connect(io, await unlockSigningHome(io, values), values.server), file);
    if (values.json) return printJson(io, posting);
    io.out(`Posted ${posting.posted.length} of ${posting.items} item(s) from ${file}${posting.alreadyPosted ? ` (${posting.alreadyPosted} were posted before)` : ""}.`);
    return;
  }
  const counts = await importBundle(resolveHome(values.home, io), file, (label, total) => startProgress(io, label, total));
  if (values.json) return printJson(io, counts);
  io.out(
    `Imported ${counts.newSubmissions} new submission(s), ${counts.newAttachments} new attachment(s), ${counts.newReplies} new reply(s) and ${counts.newNotes} new note(s) from ${file}.`,
  );
  if (counts.roster.status === "advanced") io.out(`The roster verified from this home's pinned root: ${counts.roster.newEntries} new entr${counts.roster.newEntries === 1 ? "y" : "ies"}.`);
  if (counts.roster.status === "unpinned") io.err("warning: the bundle's roster was not used: this home has pinned no root (`sealdrop roster pin`)");
  if (counts.outboxConfirmed > 0) io.out(`${counts.outboxConfirmed} item(s) of the outbox came back posted and left it.`);
}
