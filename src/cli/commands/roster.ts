// `sealdrop roster [pin|upgrade]`: the newsroom's roster as verified from the pinned root (history and who
// reads each desk), pinning the root by its published fingerprint, and giving a newsroom made before
// rosters its root and roster (services/roster.ts, services/upgrade.ts).
import { resolve } from "node:path";
import { HOME_OPTIONS, parseCommand, requireOption } from "../args.js";
import { readKeyFile } from "../editor.js";
import { CliError, UsageError } from "../errors.js";
import { resolveHome } from "../home.js";
import type { Io } from "../io.js";
import { obtainPassphrase, obtainRootPassphrase } from "../passphrase.js";
import { printJson } from "../present/json.js";
import { printRosterChanges, printRosterHistory, rosterJson } from "../present/roster.js";
import { checkServerRoster, pinByFingerprint } from "../services/roster.js";
import { upgradeNewsroom } from "../services/upgrade.js";
import { inlineSafe } from "../text.js";
import { unlockSession } from "../unlock.js";

export const ROSTER_HELP = `Usage: sealdrop roster [--json] [options]
       sealdrop roster pin --fingerprint FP [options]
       sealdrop roster upgrade [--admin EDITOR_ID]... [--root-out FILE] [options]

(none)   verifies the server's roster from the root your home pinned and shows its whole history
         (who added whom, revoked, rotated, which desks) and who reads each desk now. No passphrase.
pin      pins the newsroom's root in this home: the server's roster must come from the root key with
         the published fingerprint FP. For a home made before the newsroom had a roster.
upgrade  gives a newsroom made before rosters its root key and roster, once, run by one of its
         editors: you become its first admin, every other active editor keeps their key and desks
         (as an editor, or an admin with --admin ID). Tips sealed before stay readable. Then publish
         the new fingerprint, and every other editor runs \`sealdrop roster pin --fingerprint FP\`.
           --root-out FILE               write the root key there instead of home/root.key
           --root-passphrase-file FILE   its passphrase (else $SEALDROP_ROOT_PASSPHRASE, else asked)

  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  (upgrade) your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --server URL            talk to this server instead of the one in your key
  --json                  print the roster (entries with their words, desks, editors) as JSON
`;

const COMMON = { ...HOME_OPTIONS, server: { type: "string" }, json: { type: "boolean" } } as const;

export async function rosterCommand(argv: string[], io: Io): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === "pin") return pinCommand(rest, io);
  if (sub === "upgrade") return upgradeCommand(rest, io);
  if (sub !== undefined && !sub.startsWith("-")) throw new UsageError(`sealdrop roster: unknown subcommand ${JSON.stringify(sub)}\nRun \`sealdrop roster --help\` for usage.`);
  const { values, help } = parseCommand("roster", argv, COMMON);
  if (help) return io.out(ROSTER_HELP);
  const home = resolveHome(values.home, io);
  const server = values.server ?? (await readKeyFile(home)).server;
  const check = await checkServerRoster(home, server);
  if (!check) throw new CliError("this newsroom has no roster yet: an admin gives it one with `sealdrop roster upgrade`", 1, "roster_missing");
  if (values.json) return printJson(io, rosterJson(check));
  if (check.changes.length > 0) printRosterChanges(io, check);
  printRosterHistory(io, check);
}

async function pinCommand(argv: string[], io: Io): Promise<void> {
  const { values, help } = parseCommand("roster pin", argv, { ...COMMON, fingerprint: { type: "string" } } as const);
  if (help) return io.out(ROSTER_HELP);
  const home = resolveHome(values.home, io);
  const server = values.server ?? (await readKeyFile(home)).server;
  const check = await pinByFingerprint(home, server, requireOption("roster pin", "fingerprint", values.fingerprint));
  if (values.json) return printJson(io, rosterJson(check));
  io.out(`Pinned the root of "${inlineSafe(check.roster.state.names.en)}" (${check.fingerprint}) in ${home.rosterFile}.`);
  printRosterHistory(io, check);
}

async function upgradeCommand(argv: string[], io: Io): Promise<void> {
  const options = { ...COMMON, admin: { type: "string", multiple: true }, "root-out": { type: "string" }, "root-passphrase-file": { type: "string" } } as const;
  const { values, help } = parseCommand("roster upgrade", argv, options);
  if (help) return io.out(ROSTER_HELP);
  const session = await unlockSession(io, values);
  const rootKeyFile = values["root-out"] === undefined ? session.home.rootKeyFile : resolve(io.cwd, values["root-out"]);
  const root = await obtainRootPassphrase(io, {
    file: values["root-passphrase-file"],
    isNew: true,
    fallback: () => obtainPassphrase(io, { envVar: "SEALDROP_PASSPHRASE", file: values["passphrase-file"], prompt: "Passphrase" }),
  });
  const upgraded = await upgradeNewsroom(session, { rootKeyFile, rootPassphrase: root.passphrase, admins: values.admin ?? [], env: io.env });
  if (values.json) return printJson(io, upgraded);
  io.out(`The newsroom now has a root key and a roster of ${upgraded.entries} entries:`);
  for (const e of upgraded.editors) io.out(`  ${inlineSafe(e.name)} [${e.id.slice(0, 8)}]: ${e.role} on ${e.desks.join(", ") || "no desk"}`);
  io.out(`Root key: ${rootKeyFile}${root.sameAsEditor ? " (protected by the same passphrase as your editor key)" : ""}`);
  io.out(`Newsroom fingerprint: ${upgraded.fingerprint}`);
  io.out("Publish this fingerprint in place of the old one: it no longer changes when editors come and go.");
  io.out("Every other editor now runs: sealdrop roster pin --fingerprint FP (with the fingerprint above).");
  io.out("Everything sealed before stays readable: every editor keeps their key.");
}
