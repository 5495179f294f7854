// `sealdrop desk add|rename`: the newsroom's desks and their names in English, Korean and Chinese, as
// roster entries the admin running the command signs (services/editors.ts).
import { HOME_OPTIONS, parseCommand, requireOption } from "../args.js";
import { UsageError } from "../errors.js";
import type { Io } from "../io.js";
import { printJson } from "../present/json.js";
import { describeEntry } from "../present/roster.js";
import { addDesk, renameDesk } from "../services/editors.js";
import type { AppliedChanges } from "../services/roster-changes.js";
import { unlockSession } from "../unlock.js";

export const DESK_HELP = `Usage: sealdrop desk add ID --name NAME [--name-ko NAME] [--name-zh NAME] [--no-join] [options]
       sealdrop desk rename ID --name NAME [--name-ko NAME] [--name-zh NAME] [options]

add     a new desk (ID: lowercase letters, digits, dashes). You read it from the start, unless
        --no-join (then it has no readers, and sources cannot send to it, until \`sealdrop editor desks\`).
rename  new display names; sources see the one in their page's language, else the English one.

  --name NAME             English name (required)     --name-ko NAME  Korean    --name-zh NAME  Chinese
  --home DIR              your editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --server URL            talk to this server instead of the one in your key
  --json                  print the roster entries made
`;

const OPTIONS = {
  ...HOME_OPTIONS,
  server: { type: "string" },
  json: { type: "boolean" },
  name: { type: "string" },
  "name-ko": { type: "string" },
  "name-zh": { type: "string" },
  "no-join": { type: "boolean" },
} as const;

function print(io: Io, applied: AppliedChanges, json: boolean | undefined): void {
  const { state } = applied.roster;
  if (json) return printJson(io, { head: state.head, entries: applied.entries.map((e) => ({ seq: e.seq, hash: e.hash, type: e.body.type, text: describeEntry(e, state) })) });
  for (const e of applied.entries) io.out(`Roster entry ${e.seq}: ${describeEntry(e, state)}.`);
}

export async function deskCommand(argv: string[], io: Io): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") return io.out(DESK_HELP);
  if (sub !== "add" && sub !== "rename") throw new UsageError(`sealdrop desk: unknown subcommand ${JSON.stringify(sub)}\nRun \`sealdrop desk --help\` for usage.`);
  const { values, positionals, help } = parseCommand(`desk ${sub}`, rest, OPTIONS, { min: 1, max: 1 });
  if (help) return io.out(DESK_HELP);
  const id = positionals[0]!;
  const names = {
    en: requireOption(`desk ${sub}`, "name", values.name),
    ...(values["name-ko"] ? { ko: values["name-ko"] } : {}),
    ...(values["name-zh"] ? { zh: values["name-zh"] } : {}),
  };
  const session = await unlockSession(io, values);
  const applied = sub === "add" ? await addDesk(session, { id, names }, values["no-join"] !== true) : await renameDesk(session, id, names);
  print(io, applied, values.json);
}
