// `sealdrop fingerprint`: what the server says its key fingerprint is, checked against the recipients it
// actually hands to sources' browsers (services/newsroom.ts).
import { parseCommand } from "../args.js";
import { readKeyFile } from "../editor.js";
import { resolveHome } from "../home.js";
import type { Io } from "../io.js";
import { printJson } from "../present/json.js";
import { checkedNewsroom } from "../services/newsroom.js";
import { inlineSafe } from "../text.js";

export const FINGERPRINT_HELP = `Usage: sealdrop fingerprint [--server URL | --home DIR] [--json]

Fetches the newsroom's public keys and fingerprint from the server, recomputes the fingerprint from the
keys, and prints it. Fails if the two differ. Compare the result with the fingerprint you published.

  --server URL   the server to ask (default: the server stored in your editor key)
  --home DIR     editor home whose key names the server (no passphrase needed)
  --json         print {name, fingerprint, desks} as JSON
`;

const OPTIONS = { server: { type: "string" }, home: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } } as const;

export async function fingerprintCommand(argv: string[], io: Io): Promise<void> {
  const { values, help } = parseCommand("fingerprint", argv, OPTIONS);
  if (help) return io.out(FINGERPRINT_HELP);
  const server = values.server ?? (await readKeyFile(resolveHome(values.home, io))).server;
  const newsroom = await checkedNewsroom(server);
  if (values.json) {
    return printJson(io, { name: newsroom.name, fingerprint: newsroom.fingerprint, desks: newsroom.desks.map((d) => ({ id: d.id, name: d.name, recipients: d.recipients })) });
  }
  io.out(`${inlineSafe(newsroom.name)}: ${newsroom.fingerprint}`);
  for (const d of newsroom.desks) io.out(`  desk ${d.id}: ${d.recipients.length} editor key${d.recipients.length === 1 ? "" : "s"}`);
}
