// `sealdrop fingerprint`: the newsroom's fingerprint, after checking what the server serves against it
// (services/newsroom.ts): the root key's, which the newsroom publishes and which no staffing change moves.
import { parseCommand } from "../args.js";
import { readKeyFile } from "../editor.js";
import { resolveHome } from "../home.js";
import type { Io } from "../io.js";
import { printJson } from "../present/json.js";
import { newsroomFingerprintOf } from "../services/newsroom.js";
import { inlineSafe } from "../text.js";

export const FINGERPRINT_HELP = `Usage: sealdrop fingerprint [--server URL] [--home DIR] [--json]

Prints the newsroom's fingerprint: that of its root key, which signs the roster of who reads each desk.
It stays the same when editors are added, revoked or rotate their keys, and when desks are added.
Before printing, it verifies the server's roster (from the root your home pinned, if it has one) and
checks that the keys the server hands sources are the roster's; it fails if anything differs. Compare
the result with the fingerprint you published. A newsroom without a roster yet shows its older
key-list fingerprint, which changes with every editor.

  --server URL   the server to ask (default: the server stored in your editor key)
  --home DIR     editor home whose key names the server and whose pinned root is checked
                 (no passphrase needed)
  --json         print {name, fingerprint, kind, pinned, desks} as JSON
`;

const OPTIONS = { server: { type: "string" }, home: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } } as const;

export async function fingerprintCommand(argv: string[], io: Io): Promise<void> {
  const { values, help } = parseCommand("fingerprint", argv, OPTIONS);
  if (help) return io.out(FINGERPRINT_HELP);
  // --server alone asks a server this machine has no home for: the roster is checked against itself.
  const home = values.server !== undefined && values.home === undefined ? null : resolveHome(values.home, io);
  const server = values.server ?? (await readKeyFile(home!)).server;
  const newsroom = await newsroomFingerprintOf(server, home);
  if (values.json) return printJson(io, newsroom);
  io.out(`${inlineSafe(newsroom.name)}: ${newsroom.fingerprint}`);
  if (newsroom.kind === "keys") io.out("  (no roster yet: this key-list fingerprint changes with every editor; see `sealdrop roster upgrade`)");
  else if (!newsroom.pinned) io.out("  (not pinned on this machine: compare it with the published one before you trust it)");
  for (const d of newsroom.desks) io.out(`  desk ${inlineSafe(d.id)}: ${d.recipients.length} editor key${d.recipients.length === 1 ? "" : "s"}`);
}
