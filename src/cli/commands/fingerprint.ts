// `sealdrop fingerprint`: what the server says its key fingerprint is, checked against the recipients it
// actually hands to sources' browsers. A server that lied about one or the other is caught here.
import { newsroomFingerprint } from "../../core/fingerprint.js";
import { newsroomResponse } from "../../core/wire.js";
import { SealdropApi } from "../api.js";
import { parseCommand } from "../args.js";
import { readKeyFile } from "../editor.js";
import { CliError } from "../errors.js";
import { resolveHome } from "../home.js";
import type { Io } from "../io.js";
import { printJson } from "./common.js";

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
  const newsroom = await new SealdropApi(server).get("/api/newsroom", newsroomResponse);
  const recipients = newsroom.desks.flatMap((d) => d.recipients);
  const computed = newsroomFingerprint(recipients);
  if (computed !== newsroom.fingerprint) {
    throw new CliError(
      `the server's fingerprint ${newsroom.fingerprint} does not match its keys (${computed}): do not trust this server until you know why`,
    );
  }
  if (values.json) {
    return printJson(io, { name: newsroom.name, fingerprint: computed, desks: newsroom.desks.map((d) => ({ id: d.id, name: d.name, recipients: d.recipients })) });
  }
  io.out(`${newsroom.name}: ${computed}`);
  for (const d of newsroom.desks) io.out(`  desk ${d.id}: ${d.recipients.length} editor key${d.recipients.length === 1 ? "" : "s"}`);
}
