// `sealdrop editor approve|add|list|revoke|rotate|role|desks`: the newsroom's editors, changed by roster
// entries that the admin running the command signs (services/editors.ts).
import { isId } from "../../core/bytes.js";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Role } from "../../core/roster.js";
import { HOME_OPTIONS, parseCommand, requireOption } from "../args.js";
import { CliError, UsageError } from "../errors.js";
import { editorHome } from "../home.js";
import type { Io } from "../io.js";
import { decodeJoinRequest, joinCheckCode } from "../join-request.js";
import { obtainPassphrase } from "../passphrase.js";
import { printNewsroomEditors } from "../present/editors.js";
import { printJson } from "../present/json.js";
import { describeEntry } from "../present/roster.js";
import { addEditor, approveJoin, newsroomEditors, revokeEditor, rotateOwnKeys, setDesks, setRole } from "../services/editors.js";
import type { AppliedChanges } from "../services/roster-changes.js";
import { ensureNoKey } from "../setup.js";
import { inlineSafe } from "../text.js";
import { unlockSession } from "../unlock.js";

export const EDITOR_HELP = `Usage: sealdrop editor approve REQUEST --desk DESK... [--role editor|admin] [options]
       sealdrop editor list [--json] [options]
       sealdrop editor revoke EDITOR_ID [--compromised] [options]
       sealdrop editor rotate [--age] [--compromised] [options]
       sealdrop editor role EDITOR_ID (admin | editor) [options]
       sealdrop editor desks EDITOR_ID --desk DESK... [options]
       sealdrop editor add --name NAME --desk DESK... --out-home DIR [options]

Each change is a roster entry that you, an admin, sign; the server stores it but cannot make one.

approve  adds the colleague whose join request (a file, or the sealdrop-join-v1:… text itself) you were
         given; they made it with \`sealdrop join\`. Compare the check code it prints with theirs.
           --desk DESK          a desk they read (repeatable)    --role ROLE   editor (default) or admin
list     shows the newsroom's desks and editors, from the verified roster.
revoke   the editor reads and signs nothing from now on: new tips, replies and notes are not encrypted
         to their key and the server refuses their requests. What was encrypted to them before stays
         readable by their old key. --compromised: also distrust every signature they ever made.
rotate   replaces your own signing key (with --age, your age key too). Your old key file moves to
         home/retired/; the new key file keeps the old age identity as well, so what was sealed to
         it stays readable.
role     makes an editor an admin, or removes their admin role (the last admin cannot lose it).
desks    sets the desks an editor reads.
add      (a one-person newsroom making a second home for itself) creates a key in --out-home and adds
         it; for a colleague use join and approve, so no private key travels.
           --name NAME  --desk DESK...  --out-home DIR  --role ROLE  --classic
           --new-passphrase-file FILE   the new key's passphrase (else $SEALDROP_NEW_PASSPHRASE, else asked)

Common options:
  --home DIR              your editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --server URL            talk to this server instead of the one in your key
  --json                  print the roster entries made (or, for list, the editors) as JSON
`;

const COMMON = { ...HOME_OPTIONS, server: { type: "string" }, json: { type: "boolean" } } as const;

export async function editorCommand(argv: string[], io: Io): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") return io.out(EDITOR_HELP);
  const commands: Record<string, (argv: string[], io: Io) => Promise<void>> = { add: addCommand, approve: approveCommand, list: listCommand, revoke: revokeCommand, rotate: rotateCommand, role: roleCommand, desks: desksCommand };
  const command = commands[sub];
  if (!command) throw new UsageError(`sealdrop editor: unknown subcommand ${JSON.stringify(sub)}\nRun \`sealdrop editor --help\` for usage.`);
  return command(rest, io);
}

function parseRole(text: string | undefined): Role {
  if (text === undefined || text === "editor") return "editor";
  if (text === "admin") return "admin";
  throw new UsageError(`sealdrop editor: a role is "editor" or "admin", not ${JSON.stringify(text)}`);
}

function editorId(command: string, text: string): string {
  if (!isId(text)) throw new UsageError(`sealdrop editor ${command}: give the editor's full 32-character id (see \`sealdrop roster\`)`);
  return text;
}

/** What a change did, in words (or as JSON): the entries as every other editor will see them. */
function printApplied(io: Io, applied: AppliedChanges, json: boolean | undefined): void {
  const { state } = applied.roster;
  if (json) return printJson(io, { head: state.head, entries: applied.entries.map((e) => ({ seq: e.seq, hash: e.hash, type: e.body.type, text: describeEntry(e, state) })) });
  for (const e of applied.entries) io.out(`Roster entry ${e.seq}: ${describeEntry(e, state)}.`);
}

async function approveCommand(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("editor approve", argv, { ...COMMON, desk: { type: "string", multiple: true }, role: { type: "string" } } as const, { min: 1, max: 1 });
  if (help) return io.out(EDITOR_HELP);
  if (!values.desk?.length) throw new UsageError("sealdrop editor approve: give at least one --desk");
  const role = parseRole(values.role);
  const given = positionals[0]!;
  let text = given;
  if (!given.startsWith("sealdrop-join-v1:")) {
    try {
      text = await readFile(resolve(io.cwd, given), "utf8");
    } catch (e) {
      throw new CliError(`cannot read the join request ${given}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const request = decodeJoinRequest(text);
  const applied = await approveJoin(await unlockSession(io, values), request, values.desk, role);
  if (!values.json) io.out(`Join request check code: ${joinCheckCode(request)} (it must match the one ${inlineSafe(request.name)} was shown).`);
  printApplied(io, applied, values.json);
  if (!values.json) io.out("Tips sent to those desks from now on are encrypted to them too; earlier ones are not.");
}

async function addCommand(argv: string[], io: Io): Promise<void> {
  const options = { ...COMMON, name: { type: "string" }, desk: { type: "string", multiple: true }, role: { type: "string" }, "out-home": { type: "string" }, classic: { type: "boolean" }, "new-passphrase-file": { type: "string" } } as const;
  const { values, help } = parseCommand("editor add", argv, options);
  if (help) return io.out(EDITOR_HELP);
  const name = requireOption("editor add", "name", values.name);
  const home = editorHome(resolve(io.cwd, requireOption("editor add", "out-home", values["out-home"])));
  if (!values.desk?.length) throw new UsageError("sealdrop editor add: give at least one --desk");
  const desks = values.desk;
  // Before the passphrase is asked: a taken home costs no typing.
  await ensureNoKey(home);
  const session = await unlockSession(io, values);
  const passphrase = () => obtainPassphrase(io, { envVar: "SEALDROP_NEW_PASSPHRASE", file: values["new-passphrase-file"], prompt: `New passphrase for ${home.keyFile}`, isNew: true });
  const added = await addEditor(session, { name, desks, role: parseRole(values.role), home, classic: values.classic === true, passphrase, env: io.env });
  if (values.json) return printApplied(io, added.applied, true);
  io.out(`Added editor "${inlineSafe(name)}" (${added.id}) to desks ${desks.join(", ")}.`);
  printApplied(io, added.applied, false);
  io.out(`Key: ${added.keyFile}, with the newsroom's roster pinned beside it.`);
  io.out("Tips submitted from now on are encrypted to the new editor too; older ones are not.");
}

async function listCommand(argv: string[], io: Io): Promise<void> {
  const { values, help } = parseCommand("editor list", argv, COMMON);
  if (help) return io.out(EDITOR_HELP);
  const newsroom = await newsroomEditors(await unlockSession(io, values));
  if (values.json) return printJson(io, newsroom);
  printNewsroomEditors(io, newsroom);
}

async function revokeCommand(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("editor revoke", argv, { ...COMMON, compromised: { type: "boolean" } } as const, { min: 1, max: 1 });
  if (help) return io.out(EDITOR_HELP);
  const id = editorId("revoke", positionals[0]!);
  const applied = await revokeEditor(await unlockSession(io, values), id, values.compromised === true);
  printApplied(io, applied, values.json);
  if (values.json) return;
  io.out("From now on nothing new is encrypted to that editor's key, and the server refuses their requests.");
  io.out("Everything encrypted to them before now (tips, replies, notes) stays readable with their old key: if they still hold it, they can read what they already could.");
  if (values.compromised) io.out("Their signatures are no longer trusted, not even on notes and replies made before now.");
}

async function rotateCommand(argv: string[], io: Io): Promise<void> {
  const { values, help } = parseCommand("editor rotate", argv, { ...COMMON, age: { type: "boolean" }, compromised: { type: "boolean" }, "new-passphrase-file": { type: "string" } } as const);
  if (help) return io.out(EDITOR_HELP);
  const session = await unlockSession(io, values);
  // Without a new passphrase given anywhere (a script), the new key keeps the one that unlocked the old.
  const newGiven = values["new-passphrase-file"] !== undefined || Boolean(io.env.SEALDROP_NEW_PASSPHRASE) || io.interactive;
  const passphrase = newGiven
    ? await obtainPassphrase(io, { envVar: "SEALDROP_NEW_PASSPHRASE", file: values["new-passphrase-file"], prompt: `New passphrase for ${session.home.keyFile}`, isNew: true })
    : await obtainPassphrase(io, { envVar: "SEALDROP_PASSPHRASE", file: values["passphrase-file"], prompt: `Passphrase for ${session.home.keyFile}` });
  const rotation = await rotateOwnKeys(session, { age: values.age === true, compromised: values.compromised === true, passphrase, env: io.env });
  printApplied(io, rotation.applied, values.json);
  if (values.json) return;
  io.out(`Your new key is ${session.home.keyFile}; the old one is kept as ${rotation.retiredKeyFile}.`);
  if (rotation.age) {
    io.out("New tips, replies and notes are encrypted to your new age key. Everything encrypted before now opens only with the old age key:");
    io.out("your new key file keeps it too (read, list, sources and notes try it), and so does anyone who holds the old key file.");
  } else io.out("Your age key is unchanged: everything you could read, you still can. Requests and signatures now use the new signing key.");
  if (rotation.applied.entries.some((e) => e.body.type === "rotate-keys" && e.body.compromised)) io.out("Signatures by the old signing key are no longer trusted, not even those made before now.");
}

async function roleCommand(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("editor role", argv, COMMON, { min: 2, max: 2 });
  if (help) return io.out(EDITOR_HELP);
  const id = editorId("role", positionals[0]!);
  if (positionals[1] !== "admin" && positionals[1] !== "editor") throw new UsageError("sealdrop editor role: the role is admin or editor");
  printApplied(io, await setRole(await unlockSession(io, values), id, positionals[1]), values.json);
}

async function desksCommand(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("editor desks", argv, { ...COMMON, desk: { type: "string", multiple: true } } as const, { min: 1, max: 1 });
  if (help) return io.out(EDITOR_HELP);
  const id = editorId("desks", positionals[0]!);
  printApplied(io, await setDesks(await unlockSession(io, values), id, values.desk ?? []), values.json);
}
