// `sealdrop release sign`: an admin signs the page's build as the newsroom's release (services/release.ts),
// which the server then serves at /.well-known/sealdrop-release.json for `sealdrop verify`.
import { resolve } from "node:path";
import { HOME_OPTIONS, parseCommand } from "../args.js";
import { UsageError } from "../errors.js";
import type { Io } from "../io.js";
import { printJson } from "../present/json.js";
import { openRootKeyOption } from "../root-key.js";
import { signBuild } from "../services/release.js";
import { unlockSession } from "../unlock.js";

export const RELEASE_HELP = `Usage: sealdrop release sign [--dist DIR] [options]

Signs the source page's build as this newsroom's release: every file in DIR (default dist/client, as
\`npm run build\` writes it) with its size and SHA-256, signed with your editor key. You must be an admin
in the newsroom's roster, or sign with the newsroom's root key (--as-root), for instance before any
admin is named or when every admin key is lost. The manifest is written to DIR/.well-known/sealdrop-release.json, where the
server serves it; deploy DIR as usual afterwards. Sign again after every build you deploy, and after
your signing key is rotated or your admin role changes. Watchdogs check what the server serves against
it with \`sealdrop verify\`.

  --dist DIR              the page's build directory (default: dist/client)
  --home DIR              your editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --server URL            verify the roster at this server instead of the one in your key
  --as-root               sign with the newsroom root key instead of your editor key (your home
                          still gives the pinned roster the signature is checked against)
  --root-key FILE         the root key file (default: home/root.key; e.g. a copy from a USB stick)
  --root-passphrase-file FILE
                          the root key's passphrase (else $SEALDROP_ROOT_PASSPHRASE, else asked)
  --json                  print {file, files, signer, roster}
`;

const OPTIONS = {
  ...HOME_OPTIONS,
  dist: { type: "string" },
  server: { type: "string" },
  "as-root": { type: "boolean" },
  "root-key": { type: "string" },
  "root-passphrase-file": { type: "string" },
  json: { type: "boolean" },
} as const;

export async function releaseCommand(argv: string[], io: Io): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") return io.out(RELEASE_HELP);
  if (sub !== "sign") throw new UsageError(`sealdrop release: unknown subcommand ${JSON.stringify(sub)}\nRun \`sealdrop release --help\` for usage.`);
  const { values, help } = parseCommand("release sign", rest, OPTIONS);
  if (help) return io.out(RELEASE_HELP);
  if (!values["as-root"] && (values["root-key"] !== undefined || values["root-passphrase-file"] !== undefined)) {
    throw new UsageError("sealdrop release sign: --root-key and --root-passphrase-file go with --as-root");
  }
  const session = await unlockSession(io, values);
  const root = values["as-root"] ? (await openRootKeyOption(io, values)).root : undefined;
  const { manifest, file } = await signBuild(session, resolve(io.cwd, values.dist ?? "dist/client"), root);
  const { body } = manifest;
  if (values.json) return printJson(io, { file, files: body.files.length, signer: body.signer, roster: body.roster });
  io.out(`Signed ${body.files.length} files as this newsroom's release${body.signer === "root" ? " with the root key" : ""} (roster entry ${body.roster.seq}).`);
  io.out(`Wrote ${file}; deploy the build directory with it.`);
}
