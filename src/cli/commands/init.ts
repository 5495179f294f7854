// `sealdrop init`: the first editor's key and the newsroom, in one step.
import { resolve } from "node:path";
import { normalizeServerUrl } from "../api.js";
import { HOME_OPTIONS, parseCommand } from "../args.js";
import { UsageError } from "../errors.js";
import { resolveHome } from "../home.js";
import type { Io } from "../io.js";
import { obtainPassphrase } from "../passphrase.js";
import { DEFAULT_SERVER_URL, createNewsroom, ensureNoKey, localWriter, parseDesk, remoteWriter } from "../setup.js";
import { printJson } from "../present/json.js";

export const INIT_HELP = `Usage: sealdrop init --name NAME --desk ID[=Display Name]... --editor-name NAME
                    (--data DIR | --server URL --setup-token TOKEN) [options]

Creates your editor key and the newsroom: its name, desks, and you as its first editor.

  --name NAME             the newsroom's name, shown to sources
  --desk ID[=NAME]        a desk (repeatable); ID is lowercase letters, digits, dashes
  --editor-name NAME      your name as other editors see it
  --classic               classic X25519 age keys instead of post-quantum hybrid ones
                          (the Debian \`age\` tool can decrypt only classic files)
  --data DIR              write the newsroom into the server database in DIR (same machine)
  --server URL            or send it to a running server…
  --setup-token TOKEN     …that was started with this setup token
  --server-url URL        the server address to store in your key (default: --server,
                          else ${DEFAULT_SERVER_URL})
  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  read the new key's passphrase from FILE
                          (else $SEALDROP_PASSPHRASE, else you are asked)
  --json                  print the result as JSON
`;

const OPTIONS = {
  ...HOME_OPTIONS,
  name: { type: "string" },
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
  const plan = { name: values.name, desks: values.desk.map(parseDesk), editorName: values["editor-name"], classic: values.classic === true, serverUrl };
  const writer = dataDir ? localWriter(dataDir) : remoteWriter(values.server!, values["setup-token"]!);
  const { editor, fingerprint } = await createNewsroom(plan, home, passphrase, writer, io);

  if (values.json) {
    return printJson(io, { keyFile: home.keyFile, editorId: editor.header.editorId, ageRecipient: editor.ageRecipient, server: serverUrl, fingerprint });
  }
  io.out(`Created newsroom "${plan.name}" with desks ${plan.desks.map((d) => d.id).join(", ")}.`);
  io.out(`Your editor key: ${home.keyFile} (editor ${editor.header.editorId}, ${plan.classic ? "classic X25519" : "post-quantum hybrid"})`);
  io.out(`Newsroom fingerprint: ${fingerprint}`);
  io.out("");
  io.out("Next:");
  if (dataDir) io.out(`  sealdrop serve --data ${dataDir}        start the server`);
  io.out("  publish the fingerprint where sources can check it (your website, print, social media)");
  io.out(`  sealdrop editor add --home ${home.dir} --name NAME --desk DESK --out-home DIR   add colleagues`);
  io.out(`  sealdrop pull --home ${home.dir}, then sealdrop list and sealdrop read ID   read tips`);
  io.out("Keep the key file and its passphrase safe: without them, tips sent to you cannot be read.");
}
