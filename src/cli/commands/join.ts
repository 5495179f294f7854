// `sealdrop join`: on a new editor's machine, pins the newsroom's root by its published fingerprint, makes
// this editor's keys and writes a join request for an admin (services/join.ts).
import { resolve } from "node:path";
import { normalizeServerUrl } from "../api.js";
import { HOME_OPTIONS, parseCommand, requireOption } from "../args.js";
import { writeFileAtomic } from "../files.js";
import { resolveHome } from "../home.js";
import type { Io } from "../io.js";
import { obtainPassphrase } from "../passphrase.js";
import { printJson } from "../present/json.js";
import { joinNewsroom } from "../services/join.js";
import { inlineSafe } from "../text.js";

export const JOIN_HELP = `Usage: sealdrop join --server URL --fingerprint FP --name NAME [--out FILE] [options]

Joins a newsroom from your own machine: checks that the server's roster comes from the root key with
the fingerprint your newsroom published, pins that root in your home, makes your editor key, and
writes a join request (your name and public keys; nothing secret) for an admin, who runs
\`sealdrop editor approve REQUEST --desk DESK\`. Read the check code to the admin by phone or in person.

  --server URL            the newsroom's server
  --fingerprint FP        the newsroom fingerprint, as published (spaces optional)
  --name NAME             your name as other editors see it
  --out FILE              where to write the request (default: home/join-request.txt)
  --home DIR              your new editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your new key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --json                  print {editorId, request, checkCode, requestFile} as JSON
`;

const OPTIONS = { ...HOME_OPTIONS, server: { type: "string" }, fingerprint: { type: "string" }, name: { type: "string" }, out: { type: "string" }, json: { type: "boolean" } } as const;

export async function joinCommand(argv: string[], io: Io): Promise<void> {
  const { values, help } = parseCommand("join", argv, OPTIONS);
  if (help) return io.out(JOIN_HELP);
  const server = normalizeServerUrl(requireOption("join", "server", values.server));
  const fingerprint = requireOption("join", "fingerprint", values.fingerprint);
  const name = requireOption("join", "name", values.name);
  const home = resolveHome(values.home, io);
  const passphrase = () => obtainPassphrase(io, { envVar: "SEALDROP_PASSPHRASE", file: values["passphrase-file"], prompt: `New passphrase for ${home.keyFile}`, isNew: true });
  const joined = await joinNewsroom({ home, server, fingerprint, name, passphrase, env: io.env });
  const requestFile = values.out === undefined ? resolve(home.dir, "join-request.txt") : resolve(io.cwd, values.out);
  await writeFileAtomic(requestFile, `${joined.text}\n`, { mode: 0o644 });
  if (values.json) return printJson(io, { editorId: joined.editorId, request: joined.text, checkCode: joined.checkCode, requestFile });
  io.out(`Pinned "${inlineSafe(joined.newsroom)}" (fingerprint ${joined.request.fingerprint}) and made your key: ${home.keyFile}.`);
  io.out(`Join request: ${requestFile}. Give it to an admin (it holds no secret), who runs`);
  io.out(`  sealdrop editor approve ${requestFile} --desk DESK`);
  io.out(`Check code: ${joined.checkCode}. Read it to the admin; theirs must be the same.`);
}
