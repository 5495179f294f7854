// `sealdrop release sign`: an admin signs the page's build as the newsroom's release (services/release.ts),
// which the server then serves at /.well-known/sealdrop-release.json for `sealdrop verify`.
import { resolve } from "node:path";
import { HOME_OPTIONS, parseCommand } from "../args.js";
import { UsageError } from "../errors.js";
import type { Io } from "../io.js";
import { printJson } from "../present/json.js";
import { signBuild } from "../services/release.js";
import { unlockSession } from "../unlock.js";

export const RELEASE_HELP = `Usage: sealdrop release sign [--dist DIR] [options]

Signs the source page's build as this newsroom's release: every file in DIR (default dist/client, as
\`npm run build\` writes it) with its size and SHA-256, signed with your editor key. You must be an admin
in the newsroom's roster. The manifest is written to DIR/.well-known/sealdrop-release.json, where the
server serves it; deploy DIR as usual afterwards. Sign again after every build you deploy, and after
your signing key is rotated or your admin role changes. Watchdogs check what the server serves against
it with \`sealdrop verify\`.

  --dist DIR              the page's build directory (default: dist/client)
  --home DIR              your editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --server URL            verify the roster at this server instead of the one in your key
  --json                  print {file, files, signer, roster}
`;

const OPTIONS = { ...HOME_OPTIONS, dist: { type: "string" }, server: { type: "string" }, json: { type: "boolean" } } as const;

export async function releaseCommand(argv: string[], io: Io): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") return io.out(RELEASE_HELP);
  if (sub !== "sign") throw new UsageError(`sealdrop release: unknown subcommand ${JSON.stringify(sub)}\nRun \`sealdrop release --help\` for usage.`);
  const { values, help } = parseCommand("release sign", rest, OPTIONS);
  if (help) return io.out(RELEASE_HELP);
  const session = await unlockSession(io, values);
  const { manifest, file } = await signBuild(session, resolve(io.cwd, values.dist ?? "dist/client"));
  const { body } = manifest;
  if (values.json) return printJson(io, { file, files: body.files.length, signer: body.signer, roster: body.roster });
  io.out(`Signed ${body.files.length} files as this newsroom's release (roster entry ${body.roster.seq}).`);
  io.out(`Wrote ${file}; deploy the build directory with it.`);
}
