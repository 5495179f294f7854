// `sealdrop verify URL`: for watchdogs, from anywhere, over Tor. Checks that the server serves the page the
// newsroom signed (services/release-verify.ts) and exits non-zero, naming every differing file, if not.
import { parseCommand } from "../args.js";
import { CliError, UsageError } from "../errors.js";
import type { Io } from "../io.js";
import { printJson } from "../present/json.js";
import { parseProxy } from "../services/release-fetch.js";
import { normalizeFingerprint, type VerifyReport, verifyServedRelease } from "../services/release-verify.js";
import { inlineSafe } from "../text.js";

export const VERIFY_HELP = `Usage: sealdrop verify URL [--fingerprint FP] [--proxy socks5h://HOST:PORT] [--json]

Checks that the tip line at URL serves exactly the source page its newsroom signed: verifies the
newsroom's roster from the root key the fingerprint names, checks the keys the server hands sources'
browsers against it, checks the release manifest's signature (an admin of the roster, or the root),
then fetches the page and every file of the release, as plain, gzip and brotli, and compares each with
the manifest, and the page's integrity attributes with the files. Exits 0 when everything matches,
1 on any difference (each one named, with a stable code), 2 on a wrong command line.
Needs no editor home and no key: anyone can run it, from many places.

  --fingerprint FP   the newsroom's published fingerprint (40 hex digits; spaces and case do not
                     matter). Without it the server's own root is taken and the report says so:
                     compare the fingerprint printed with the published one.
  --proxy URL        connect through a SOCKS5 proxy that resolves names, e.g. Tor:
                     socks5h://127.0.0.1:9050 (needed for an .onion address)
  --timeout SECONDS  per request (default 60)
  --json             print the report as JSON (also on a difference; the exit code still says it)
`;

const OPTIONS = {
  fingerprint: { type: "string" },
  proxy: { type: "string" },
  timeout: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

function print(io: Io, report: VerifyReport): void {
  io.out(`Newsroom: ${inlineSafe(report.newsroom)} at ${report.server}`);
  io.out(`Fingerprint: ${report.fingerprint}${report.pinned ? " (matches the one given)" : " (NOT CHECKED: compare it with the newsroom's published fingerprint)"}`);
  io.out(`Release: ${report.release.files} files, signed by ${inlineSafe(report.release.signerName)} at roster entry ${report.release.rosterSeq}`);
  for (const f of report.files) io.out(`${f.ok ? "ok  " : "FAIL"}  ${f.path}  (served as ${f.served.join(", ") || "nothing"} for identity, gzip, br)`);
  for (const d of report.differences) io.out(`difference: ${d.path}: ${d.message} (${d.code})`);
}

export async function verifyCommand(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("verify", argv, OPTIONS, { min: 1, max: 1 });
  if (help) return io.out(VERIFY_HELP);
  const fingerprint = values.fingerprint === undefined ? null : normalizeFingerprint(values.fingerprint);
  if (fingerprint === null && values.fingerprint !== undefined) throw new UsageError("sealdrop verify: --fingerprint takes the newsroom's fingerprint, 40 hex digits");
  const seconds = values.timeout === undefined ? 60 : Number(values.timeout);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) throw new UsageError("sealdrop verify: --timeout takes seconds, 1 to 3600");
  const proxy = values.proxy === undefined ? null : parseProxy(values.proxy);
  const report = await verifyServedRelease({ server: positionals[0]!, fingerprint, proxy, timeoutMs: seconds * 1000 });
  if (values.json) printJson(io, report);
  else print(io, report);
  if (!report.ok) {
    const first = report.differences[0]!;
    const more = report.differences.length > 1 ? ` and ${report.differences.length - 1} more difference${report.differences.length === 2 ? "" : "s"}` : "";
    throw new CliError(`verification FAILED: ${first.path} is not what the newsroom signed: ${first.message}${more}`, 1, first.code);
  }
  if (!values.json) io.out(`Verified: ${report.server} serves the release the newsroom signed.`);
}
