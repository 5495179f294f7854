// `sealdrop home split`: the online half (signing key only) and the reading half (the whole key, no network)
// of an editor home (services/split-home.ts, docs/NEWSROOM.md "Split homes").
import { resolve } from "node:path";
import { HOME_OPTIONS, parseCommand, requireOption } from "../args.js";
import { UsageError } from "../errors.js";
import { resolveHome } from "../home.js";
import type { Io } from "../io.js";
import { unlockEditorKeepingPassphrase } from "../editor.js";
import { printJson } from "../present/json.js";
import { splitHome } from "../services/split-home.js";

export const HOME_HELP = `Usage: sealdrop home split --online-out DIR --offline-out DIR [options]

Splits your editor home in two, so that only an air-gapped reading machine can decrypt:

  the online half (--online-out) holds your signing key, the pinned roster and the vault's ciphertext. It
    pulls, deletes, changes the roster, and posts the replies and notes the reading half sealed; it cannot
    decrypt anything (commands that must, fail with no_decryption_key).
  the reading half (--offline-out) holds your whole key (age identity and signing key), the roster, the
    vault, and the root key and retired keys if this home has them. It never talks to a server: reply and
    note seal into its outbox, which \`sealdrop export --outbox\` carries to the online half.

Both keep this home's passphrase. This home is left as it was: once both halves work, delete it (it holds
the decryption key on whatever machine it is on). The carrying, both ways: docs/NEWSROOM.md "Split homes".

  --online-out DIR        a new or empty directory for the online half
  --offline-out DIR       a new or empty directory for the reading half
  --home DIR              the home to split (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  its key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --json                  print {online, reading, submissions, rootKey, retiredKeys}
`;

const OPTIONS = { ...HOME_OPTIONS, "online-out": { type: "string" }, "offline-out": { type: "string" }, json: { type: "boolean" } } as const;

export async function homeCommand(argv: string[], io: Io): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") return io.out(HOME_HELP);
  if (sub !== "split") throw new UsageError(`sealdrop home: unknown subcommand ${JSON.stringify(sub)}\nRun \`sealdrop home --help\` for usage.`);
  const { values, help } = parseCommand("home split", rest, OPTIONS);
  if (help) return io.out(HOME_HELP);
  const online = resolve(io.cwd, requireOption("home split", "online-out", values["online-out"]));
  const reading = resolve(io.cwd, requireOption("home split", "offline-out", values["offline-out"]));
  const home = resolveHome(values.home, io);
  const { editor, passphrase } = await unlockEditorKeepingPassphrase(home, io, values["passphrase-file"]);
  const result = await splitHome(home, editor, passphrase, { online, reading }, io.env);
  if (values.json) return printJson(io, result);
  io.out(`Online half: ${result.online} (signing key only: it pulls and posts, and cannot decrypt).`);
  io.out(`Reading half: ${result.reading} (the whole key${result.rootKey ? ", the root key" : ""}${result.retiredKeys ? `, ${result.retiredKeys} retired key(s)` : ""}; keep it on a machine that never goes online).`);
  io.out(`Both hold the vault (${result.submissions} submission(s)) and the pinned roster, under this home's passphrase.`);
  io.out(`${home.dir} still holds the decryption key: once both halves work, delete it.`);
}
