// `sealdrop delete`: removes a submission from the server; with --local, from the vault as well
// (services/submissions.ts).
import { HOME_OPTIONS, parseCommand } from "../args.js";
import { UsageError } from "../errors.js";
import type { Io } from "../io.js";
import { deleteSubmission, fullSubmissionId } from "../services/submissions.js";
import { unlockSession } from "../unlock.js";

export const DELETE_HELP = `Usage: sealdrop delete ID [--local] [--home DIR]

Deletes a submission and its attachments from the server. Your vault keeps its copy unless you add
--local. ID may be a unique prefix of a submission in your vault; otherwise give the full id.

  --local                 also delete it from your vault
  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --server URL            talk to this server instead of the one in your key
`;

const OPTIONS = { ...HOME_OPTIONS, server: { type: "string" }, local: { type: "boolean" } } as const;

export async function deleteCommand(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("delete", argv, OPTIONS, { min: 1, max: 1 });
  if (help) return io.out(DELETE_HELP);
  const given = positionals[0]!;
  if (!/^[0-9a-f]{1,32}$/.test(given)) throw new UsageError(`sealdrop delete: ${JSON.stringify(given)} is not a submission id`);
  const session = await unlockSession(io, values);
  const id = await fullSubmissionId(session, given);
  const local = values.local === true;
  const { onServer, inVault } = await deleteSubmission(session, id, local);
  io.out(onServer ? `Deleted ${id} from the server.` : `${id} was not on the server.`);
  if (local) io.out(inVault ? "Deleted it from your vault too." : "It was not in your vault.");
  else io.out("Your vault still has a copy (add --local to delete that too).");
}
