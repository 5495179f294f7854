// `sealdrop init`: the newsroom root key, the first editor's key and the newsroom's roster, in one step.
import { resolve } from "node:path";
import { normalizeServerUrl } from "../api.js";
import { HOME_OPTIONS, parseCommand } from "../args.js";
import { UsageError } from "../errors.js";
import { resolveHome } from "../home.js";
import type { Io } from "../io.js";
import { obtainPassphrase, obtainRootPassphrase } from "../passphrase.js";
import { DEFAULT_SERVER_URL, createNewsroom, ensureNoKey, localWriter, parseDesk, remoteWriter } from "../setup.js";
import { printJson } from "../present/json.js";

export const INIT_HELP = `Usage: sealdrop init --name NAME --desk ID[=Display Name]... --editor-name NAME
                    (--data DIR | --server URL --setup-token TOKEN) [options]

Creates the newsroom: its root key (whose fingerprint you publish; it never changes with staff), your
editor key, and the roster's first entry, signed by the root: the newsroom's names, its desks, and you
as its first admin. This home pins the root, so no server can later swap the newsroom's keys.

  --name NAME             the newsroom's name, shown to sources (English)
  --name-ko NAME          …in Korean (optional)
  --name-zh NAME          …in Chinese (optional)
  --desk ID[=NAME]        a desk (repeatable); ID is lowercase letters, digits, dashes
  --editor-name NAME      your name as other editors see it
  --classic               classic X25519 age keys instead of post-quantum hybrid ones
                          (the Debian \`age\` tool can decrypt only classic files)
  --data DIR              write the newsroom into the server database in DIR (same machine)
  --server URL            or send it to a running server…
  --setup-token TOKEN     …that was started with this setup token
  --server-url URL        the server address to store in your key (default: --server,
                          else ${DEFAULT_SERVER_URL})
  --root-out FILE         write the root key to FILE (a USB stick kept offline) instead of
                          home/root.key; \`sealdrop root export\` moves it out later
  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  read the new key's passphrase from FILE
                          (else $SEALDROP_PASSPHRASE, else you are asked)
  --root-passphrase-file FILE  the root key's passphrase (else $SEALDROP_ROOT_PASSPHRASE, else
                          asked; a script that gives neither protects it with the editor passphrase)
  --json                  print the result as JSON
`;

const OPTIONS = {
  ...HOME_OPTIONS,
  name: { type: "string" },
  "name-ko": { type: "string" },
  "name-zh": { type: "string" },
  "root-out": { type: "string" },
  "root-passphrase-file": { type: "string" },
  desk: { type: "string", multiple: true },
  "editor-name": { type: "string" },
  classic: { type: "boolean" },
  data: { type: "string" },
  server: { type: "string" },
  "setup-token": { type: "string" },
  "server-url": { type: "string" },
  json: { type: "boolean" },
} as const;

export async function initCommand(argv: string[], io: Io): Promise<void> {
  const { values, help } = parseCommand("init", argv, OPTIONS);
  if (help) return io.out(INIT_HELP);
  if (!values.name) throw new UsageError("sealdrop init: --name is required\nRun `sealdrop init --help` for usage.");
  if (!values["editor-name"]) throw new UsageError("sealdrop init: --editor-name is required\nRun `sealdrop init --help` for usage.");
  if (!values.desk?.length) throw new UsageError("sealdrop init: give at least one --desk\nRun `sealdrop init --help` for usage.");
  const remote = values.server !== undefined || values["setup-token"] !== undefined;
  if (remote === (values.data !== undefined)) throw new UsageError("sealdrop init: give either --data DIR or --server URL with --setup-token");
  if (remote && (!values.server || !values["setup-token"])) throw new UsageError("sealdrop init: --server and --setup-token go together");

  const home = resolveHome(values.home, io);
  await ensureNoKey(home);
  const serverUrl = normalizeServerUrl(values["server-url"] ?? values.server ?? DEFAULT_SERVER_URL);
  const dataDir = values.data === undefined ? undefined : resolve(io.cwd, values.data);
  const passphrase = await obtainPassphrase(io, {
    envVar: "SEALDROP_PASSPHRASE",
    file: values["passphrase-file"],
    prompt: `New passphrase for ${home.keyFile}`,
    isNew: true,
  });
  const root = await obtainRootPassphrase(io, { file: values["root-passphrase-file"], isNew: true, fallback: async () => passphrase });
  const names = { en: values.name, ...(values["name-ko"] ? { ko: values["name-ko"] } : {}), ...(values["name-zh"] ? { zh: values["name-zh"] } : {}) };
  const plan = { names, desks: values.desk.map(parseDesk), editorName: values["editor-name"], classic: values.classic === true, serverUrl };
  const writer = dataDir ? localWriter(dataDir) : remoteWriter(values.server!, values["setup-token"]!);
  const rootKeyFile = values["root-out"] === undefined ? home.rootKeyFile : resolve(io.cwd, values["root-out"]);
  const { editor, fingerprint } = await createNewsroom(plan, home, { editor: passphrase, root: root.passphrase, rootKeyFile }, writer, io);

  if (values.json) {
    return printJson(io, { keyFile: home.keyFile, editorId: editor.header.editorId, ageRecipient: editor.ageRecipient, server: serverUrl, fingerprint, rootKeyFile });
  }
  io.out(`Created newsroom "${plan.names.en}" with desks ${plan.desks.map((d) => d.id).join(", ")}.`);
  io.out(`Your editor key: ${home.keyFile} (editor ${editor.header.editorId}, admin, ${plan.classic ? "classic X25519" : "post-quantum hybrid"})`);
  io.out(`Newsroom root key: ${rootKeyFile}${root.sameAsEditor ? " (protected by the same passphrase as your editor key)" : ""}`);
  io.out(`Newsroom fingerprint: ${fingerprint}`);
  io.out("");
  io.out("Next:");
  if (dataDir) io.out(`  sealdrop serve --data ${dataDir}        start the server`);
  io.out("  publish the fingerprint where sources can check it (your website, print, social media);");
  io.out("  it stays the same when editors come and go");
  if (values["root-out"] === undefined) io.out(`  sealdrop root export --home ${home.dir} --out FILE --remove   keep the root key offline (docs/NEWSROOM.md)`);
  io.out(`  sealdrop join --server URL --fingerprint FP   on a colleague's machine, then sealdrop editor approve REQUEST here`);
  io.out(`  sealdrop pull --home ${home.dir}, then sealdrop list and sealdrop read ID   read tips`);
  io.out("Keep the key files and their passphrases safe: without the editor key, tips sent to you cannot be read;");
  io.out("without the root key (and with no admin left), nobody can change who reads.");
}
