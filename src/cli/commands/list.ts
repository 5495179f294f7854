// `sealdrop list`: the vault's submissions, decrypted locally. No network.
import { pseudonymFor } from "../../core/pseudonym.js";
import { HOME_OPTIONS, parseCommand } from "../args.js";
import { tryOpenEnvelope } from "../decrypt.js";
import { unlockEditor } from "../editor.js";
import { resolveHome } from "../home.js";
import type { Io } from "../io.js";
import { firstLine } from "../text.js";
import { printJson, withVault } from "./common.js";

export const LIST_HELP = `Usage: sealdrop list [--home DIR] [--json]

Lists the submissions in your vault, newest day first: id, day, desk, the source's pseudonym, the
number of attachments, and the first line of the message. Decrypts locally; does not use the network.

  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --json                  print an array of {id, day, desk, kind, source, firstLine, attachments, error?}
`;

const OPTIONS = { ...HOME_OPTIONS, json: { type: "boolean" } } as const;

export async function listCommand(argv: string[], io: Io): Promise<void> {
  const { values, help } = parseCommand("list", argv, OPTIONS);
  if (help) return io.out(LIST_HELP);
  const home = resolveHome(values.home, io);
  const editor = await unlockEditor(home, io, values["passphrase-file"]);
  const rows = await withVault(home, async (vault) => {
    const counts = await vault.attachmentCounts();
    const out = [];
    for (const s of await vault.submissions()) {
      const opened = await tryOpenEnvelope(s, editor.secrets.ageIdentity);
      const base = { id: s.id, day: s.day, desk: s.desk };
      out.push(
        opened.ok
          ? {
              ...base,
              kind: opened.envelope.kind,
              source: opened.envelope.reply ? pseudonymFor(opened.envelope.reply.recipient) : null,
              firstLine: firstLine(opened.envelope.message),
              attachments: opened.envelope.attachments.length,
            }
          : { ...base, kind: null, source: null, firstLine: null, attachments: counts.get(s.id) ?? 0, error: opened.reason },
      );
    }
    return out;
  });
  if (values.json) return printJson(io, rows);
  if (rows.length === 0) return io.out("The vault is empty. Run `sealdrop pull` to fetch submissions.");
  for (const r of rows) {
    const text = r.firstLine ?? `(${r.error})`;
    const source = (r.source ?? "(no reply channel)").padEnd(20);
    io.out(`${r.id.slice(0, 12)}  ${r.day}  ${r.desk.padEnd(14)} ${source} ${String(r.attachments).padStart(2)} att.  ${text || "(no message)"}`);
  }
  io.err(`${rows.length} submission(s). \`sealdrop read ID\` shows one (an id prefix is enough).`);
}
