// `sealdrop editor add|list|revoke`: the newsroom's editors, managed with signed requests by an editor.
import { unlink } from "node:fs/promises";
import { resolve } from "node:path";
import { z } from "zod";
import { HOME_OPTIONS, parseCommand, requireOption } from "../args.js";
import { createEditor, editorPublicKeys, isPostQuantum, saveEditor } from "../editor.js";
import { CliError, UsageError } from "../errors.js";
import { editorHome, resolveHome } from "../home.js";
import type { Io } from "../io.js";
import { obtainPassphrase } from "../passphrase.js";
import { ensureNoKey } from "../setup.js";
import { editorSession, printJson } from "./common.js";

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

export const editorNewsroom = z.object({
  name: z.string(),
  desks: z.array(z.object({ id: z.string(), name: z.string(), editors: z.array(z.string()) })),
  editors: z.array(z.object({ id: z.string(), name: z.string(), ageRecipient: z.string(), signPublicKey: z.string(), revoked: z.boolean() })),
});

export async function editorCommand(argv: string[], io: Io): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") return io.out(EDITOR_HELP);
  if (sub === "add") return addEditor(rest, io);
  if (sub === "list") return listEditors(rest, io);
  if (sub === "revoke") return revokeEditor(rest, io);
  throw new UsageError(`sealdrop editor: unknown subcommand ${JSON.stringify(sub)}\nRun \`sealdrop editor --help\` for usage.`);
}

async function addEditor(argv: string[], io: Io): Promise<void> {
  const options = { ...COMMON, name: { type: "string" }, desk: { type: "string", multiple: true }, "out-home": { type: "string" }, classic: { type: "boolean" }, "new-passphrase-file": { type: "string" } } as const;
  const { values, help } = parseCommand("editor add", argv, options);
  if (help) return io.out(EDITOR_HELP);
  const name = requireOption("editor add", "name", values.name);
  const outHome = editorHome(resolve(io.cwd, requireOption("editor add", "out-home", values["out-home"])));
  if (!values.desk?.length) throw new UsageError("sealdrop editor add: give at least one --desk");
  await ensureNoKey(outHome);

  const { editor: me, api } = await editorSession(resolveHome(values.home, io), io, values);
  const newsroom = await api.get("/api/editor/newsroom", editorNewsroom);
  const known = new Set(newsroom.desks.map((d) => d.id));
  const unknown = values.desk.filter((d) => !known.has(d));
  if (unknown.length) throw new CliError(`no such desk: ${unknown.join(", ")} (desks: ${[...known].join(", ")})`);
  const classic = values.classic === true;
  const active = newsroom.editors.filter((e) => !e.revoked);
  if (active.some((e) => isPostQuantum(e.ageRecipient) === classic)) {
    throw new CliError(
      classic
        ? "this newsroom uses post-quantum keys; age cannot mix them with classic keys in one file. Leave out --classic."
        : "this newsroom uses classic X25519 keys; age cannot mix them with post-quantum keys in one file. Add --classic.",
    );
  }

  const passphrase = await obtainPassphrase(io, {
    envVar: "SEALDROP_NEW_PASSPHRASE",
    file: values["new-passphrase-file"],
    prompt: `New passphrase for ${outHome.keyFile}`,
    isNew: true,
  });
  const editor = await createEditor(name, api.base, me.header.newsroom, classic);
  await saveEditor(outHome, editor, passphrase, io);
  try {
    await api.post("/api/editor/editors", editorPublicKeys(editor, [...new Set(values.desk)]), z.object({ id: z.string() }));
  } catch (e) {
    await unlink(outHome.keyFile).catch(() => {});
    throw e;
  }
  io.out(`Added editor "${name}" (${editor.header.editorId}) to desks ${values.desk.join(", ")}.`);
  io.out(`Key: ${outHome.keyFile}. Hand it over with its passphrase by separate, safe routes.`);
  io.out("Tips submitted from now on are encrypted to the new editor too; older ones are not.");
}

async function listEditors(argv: string[], io: Io): Promise<void> {
  const { values, help } = parseCommand("editor list", argv, { ...COMMON, json: { type: "boolean" } } as const);
  if (help) return io.out(EDITOR_HELP);
  const { api } = await editorSession(resolveHome(values.home, io), io, values);
  const newsroom = await api.get("/api/editor/newsroom", editorNewsroom);
  if (values.json) return printJson(io, newsroom);
  io.out(newsroom.name);
  for (const d of newsroom.desks) io.out(`desk ${d.id} (${d.name}): ${d.editors.length} editor(s)`);
  for (const e of newsroom.editors) {
    const desks = newsroom.desks.filter((d) => d.editors.includes(e.id)).map((d) => d.id);
    io.out(`${e.id}  ${e.name}  ${isPostQuantum(e.ageRecipient) ? "pq" : "classic"}  ${desks.join(",")}${e.revoked ? "  REVOKED" : ""}`);
  }
}

async function revokeEditor(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("editor revoke", argv, COMMON, { min: 1, max: 1 });
  if (help) return io.out(EDITOR_HELP);
  const id = positionals[0]!;
  if (!/^[0-9a-f]{32}$/.test(id)) throw new UsageError("sealdrop editor revoke: give the editor's full 32-character id (see `sealdrop editor list`)");
  const { api } = await editorSession(resolveHome(values.home, io), io, values);
  await api.delete(`/api/editor/editors/${id}`, z.unknown());
  io.out(`Revoked editor ${id}. New tips are no longer encrypted to that key.`);
}
