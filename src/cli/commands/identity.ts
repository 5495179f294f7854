// `sealdrop identity export --age`: the editor's age identity as a plain identity file for the `age` tool
// (`age -d -i FILE`), so stored ciphertext stays readable without sealdrop (invariant 5, docs/INVARIANTS.md).
import { parseCommand, HOME_OPTIONS } from "../args.js";
import { unlockEditor } from "../editor.js";
import { UsageError } from "../errors.js";
import { writeFileAtomic } from "../files.js";
import { resolveHome } from "../home.js";
import type { Io } from "../io.js";
import { inlineSafe } from "../text.js";
import { resolve } from "node:path";

export const IDENTITY_HELP = `Usage: sealdrop identity export --age [--out FILE] [--home DIR]

Writes your age identity in the format the age tool reads (age -d -i FILE). The file is NOT encrypted:
keep it on an offline machine, and delete it when you are done. Post-quantum identities need an age
version that supports them; the Debian age tool reads only classic (--classic) identities.

  --age                   the age identity file format (the only one so far)
  --out FILE              write to FILE (mode 0600; refuses to overwrite); default: standard output
  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  read the key's passphrase from FILE
`;

const OPTIONS = { ...HOME_OPTIONS, age: { type: "boolean" }, out: { type: "string" } } as const;

export async function identityCommand(argv: string[], io: Io): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") return io.out(IDENTITY_HELP);
  if (sub !== "export") throw new UsageError(`sealdrop identity: unknown subcommand ${JSON.stringify(sub)}\nRun \`sealdrop identity --help\` for usage.`);
  const { values, help } = parseCommand("identity export", rest, OPTIONS);
  if (help) return io.out(IDENTITY_HELP);
  if (!values.age) throw new UsageError("sealdrop identity export: say which format: --age");
  const editor = await unlockEditor(resolveHome(values.home, io), io, values["passphrase-file"]);
  const text = `# sealdrop editor ${inlineSafe(editor.header.name)}\n# public key: ${editor.ageRecipient}\n${editor.secrets.ageIdentity}\n`;
  io.err("warning: this age identity file is NOT encrypted; anyone who reads it can decrypt every tip sent to you");
  if (values.out === undefined) return io.out(text);
  const out = resolve(io.cwd, values.out);
  await writeFileAtomic(out, text, { mode: 0o600, exclusive: true });
  io.err(`wrote ${out}`);
}
