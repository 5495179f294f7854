// `sealdrop root export`: copies the newsroom root key out of the home for offline keeping, after proving
// the passphrase opens it; with --remove, the home keeps no copy (docs/NEWSROOM.md "The root key").
import { unlink } from "node:fs/promises";
import { resolve } from "node:path";
import { HOME_OPTIONS, parseCommand, requireOption } from "../args.js";
import { UsageError } from "../errors.js";
import type { Io } from "../io.js";
import { printJson } from "../present/json.js";
import { openRootKeyOption, readRootKeyFile, rootKeyPath, writeRootKey } from "../root-key.js";

export const ROOT_HELP = `Usage: sealdrop root export --out FILE [--remove] [options]

Copies the newsroom root key (home/root.key, still sealed under its passphrase) to FILE, for keeping
offline: a USB stick in a safe, a second copy elsewhere. The root signs the roster's first entry and can
sign any later one; it is how the newsroom recovers if every admin key is lost. It is not needed day to
day. The passphrase is checked first, so a copy you cannot open is never all you keep.

  --out FILE                    where to write the copy (never overwritten)
  --remove                      then delete home/root.key, so this online machine holds no root key
  --root-key FILE               export this root key file instead of home/root.key
  --home DIR                    editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --root-passphrase-file FILE   the root key's passphrase (else $SEALDROP_ROOT_PASSPHRASE, else asked;
                                a script that gives neither uses $SEALDROP_PASSPHRASE)
  --json                        print {fingerprint, out, removed}
`;

const OPTIONS = { ...HOME_OPTIONS, out: { type: "string" }, remove: { type: "boolean" }, "root-key": { type: "string" }, "root-passphrase-file": { type: "string" }, json: { type: "boolean" } } as const;

export async function rootCommand(argv: string[], io: Io): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") return io.out(ROOT_HELP);
  if (sub !== "export") throw new UsageError(`sealdrop root: unknown subcommand ${JSON.stringify(sub)}\nRun \`sealdrop root --help\` for usage.`);
  const { values, help } = parseCommand("root export", rest, OPTIONS);
  if (help) return io.out(ROOT_HELP);
  const out = resolve(io.cwd, requireOption("root export", "out", values.out));
  const source = rootKeyPath(io, values);
  if (out === source) throw new UsageError("sealdrop root export: --out must be another file than the root key itself");
  // Opened first: the passphrase is proved before any copy is written.
  const { file } = await openRootKeyOption(io, values);
  await writeRootKey(out, file);
  // The copy is read back and checked before the original goes.
  const copy = await readRootKeyFile(out);
  if (copy.ciphertext !== file.ciphertext) throw new UsageError(`the copy at ${out} differs from the original; the original was kept`);
  if (values.remove) await unlink(source);
  if (values.json) return printJson(io, { fingerprint: file.fingerprint, out, removed: values.remove === true });
  io.out(`Root key ${file.fingerprint} written to ${out} (sealed under its passphrase).`);
  io.out(values.remove ? `Removed ${source}: this machine no longer holds the root key.` : `${source} is still there; add --remove to keep the root key only offline.`);
  io.out("Keep two copies in separate safe places, and the passphrase apart from them. Without the root key, a newsroom that loses every admin key cannot change its roster again and must start over with a new fingerprint.");
}
