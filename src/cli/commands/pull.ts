// `sealdrop pull`: copies new ciphertext from the server into the vault (services/sync.ts).
import { HOME_OPTIONS, parseCommand } from "../args.js";
import type { Io } from "../io.js";
import { printJson } from "../present/json.js";
import { pullStepLine, pullSummaryText } from "../present/sync.js";
import { pull } from "../services/sync.js";
import { startProgress } from "../stream/progress.js";
import { unlockSession } from "../unlock.js";

export const PULL_HELP = `Usage: sealdrop pull [--home DIR] [--server URL] [--json]

Downloads submissions, attachments, the desk's replies to sources and desk notes that are not yet in
your vault (home/vault.sqlite). They stay encrypted there; \`sealdrop list\`, \`read\`, \`sources\`,
\`source\` and \`notes\` decrypt them. Safe to run again: it only fetches what is missing.

  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --server URL            talk to this server instead of the one in your key
  --json                  print the summary as JSON
`;

const OPTIONS = { ...HOME_OPTIONS, server: { type: "string" }, json: { type: "boolean" } } as const;

export async function pullCommand(argv: string[], io: Io): Promise<void> {
  const { values, help } = parseCommand("pull", argv, OPTIONS);
  if (help) return io.out(PULL_HELP);
  const session = await unlockSession(io, values);
  const summary = await pull(session, { onStep: (step) => io.err(pullStepLine(step)), progress: (label, total) => startProgress(io, label, total) });
  if (values.json) return printJson(io, summary);
  io.out(pullSummaryText(summary));
}
