// `sealdrop editor add|list|revoke`: the newsroom's editors, managed with signed requests by an editor
// (services/editors.ts).
import { resolve } from "node:path";
import { isId } from "../../core/bytes.js";
import { HOME_OPTIONS, parseCommand, requireOption } from "../args.js";
import { UsageError } from "../errors.js";
import { editorHome } from "../home.js";
import type { Io } from "../io.js";
import { obtainPassphrase } from "../passphrase.js";
import { printNewsroomEditors } from "../present/editors.js";
import { printJson } from "../present/json.js";
import { addEditor, newsroomEditors, revokeEditor } from "../services/editors.js";
import { ensureNoKey } from "../setup.js";
import { unlockSession } from "../unlock.js";

export const EDITOR_HELP = `Usage: sealdrop editor add --name NAME --desk DESK... --out-home DIR [options]
       sealdrop editor list [--json] [options]
       sealdrop editor revoke EDITOR_ID [options]

add     creates a new editor's key in --out-home and registers its public keys with the server,
        signed by you. Give the new home to your colleague with its passphrase, separately.
          --name NAME                 the new editor's name
          --desk DESK                 a desk the editor reads (repeatable)
          --out-home DIR              where to write the new editor.key
          --classic                   classic X25519 key (must match the newsroom's existing keys)
          --new-passphrase-file FILE  the new key's passphrase (else $SEALDROP_NEW_PASSPHRASE, else asked)
list    shows the newsroom's desks and editors.
revoke  stops an editor's key: new tips are no longer encrypted to it, its requests are refused.

Common options:
  --home DIR              your editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --server URL            talk to this server instead of the one in your key
`;

const COMMON = { ...HOME_OPTIONS, server: { type: "string" } } as const;

export async function editorCommand(argv: string[], io: Io): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") return io.out(EDITOR_HELP);
  if (sub === "add") return addCommand(rest, io);
  if (sub === "list") return listCommand(rest, io);
  if (sub === "revoke") return revokeCommand(rest, io);
  throw new UsageError(`sealdrop editor: unknown subcommand ${JSON.stringify(sub)}\nRun \`sealdrop editor --help\` for usage.`);
}

async function addCommand(argv: string[], io: Io): Promise<void> {
  const options = { ...COMMON, name: { type: "string" }, desk: { type: "string", multiple: true }, "out-home": { type: "string" }, classic: { type: "boolean" }, "new-passphrase-file": { type: "string" } } as const;
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
  const added = await addEditor(session, { name, desks, home, classic: values.classic === true, passphrase, env: io.env });
  io.out(`Added editor "${name}" (${added.id}) to desks ${desks.join(", ")}.`);
  io.out(`Key: ${added.keyFile}. Hand it over with its passphrase by separate, safe routes.`);
  io.out("Tips submitted from now on are encrypted to the new editor too; older ones are not.");
}

async function listCommand(argv: string[], io: Io): Promise<void> {
  const { values, help } = parseCommand("editor list", argv, { ...COMMON, json: { type: "boolean" } } as const);
  if (help) return io.out(EDITOR_HELP);
  const newsroom = await newsroomEditors(await unlockSession(io, values));
  if (values.json) return printJson(io, newsroom);
  printNewsroomEditors(io, newsroom);
}

async function revokeCommand(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("editor revoke", argv, COMMON, { min: 1, max: 1 });
  if (help) return io.out(EDITOR_HELP);
  const id = positionals[0]!;
  if (!isId(id)) throw new UsageError("sealdrop editor revoke: give the editor's full 32-character id (see `sealdrop editor list`)");
  await revokeEditor(await unlockSession(io, values), id);
  io.out(`Revoked editor ${id}. New tips are no longer encrypted to that key.`);
}
