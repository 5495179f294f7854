// `sealdrop inbox`: the desk's inbox as a local web app (src/cli/inbox/). Decrypts the vault in this
// process and serves the page on 127.0.0.1 only, behind a one-time token printed on the first line.
import { fileURLToPath } from "node:url";
import { HOME_OPTIONS, parseCommand, parsePort } from "../args.js";
import { type Io, stopSignal } from "../io.js";
import { startUnlocking } from "../unlock-early.js";

export const INBOX_HELP = `Usage: sealdrop inbox [--port N] [--home DIR] [--server URL]

Opens the desk's inbox: a web page on this machine (127.0.0.1 only) over your vault. The first line
printed is its address with a one-time token, http://127.0.0.1:PORT/?token=…; open it in a browser.
Nothing opens by itself, and the page works offline: it loads nothing from anywhere else. Requests
without the token, or naming another host or origin, are refused. Decrypts locally; stop with Ctrl-C.
Run \`sealdrop pull\` for new submissions (the page's "Reload vault" reads them).

  --port N                the port (default: any free port)
  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)
  --server URL            send replies to this server instead of the one in your key

On the reading half of a split home, replies written in the inbox are sealed into the outbox, as
\`sealdrop reply\` does there.
`;

const OPTIONS = { ...HOME_OPTIONS, port: { type: "string" }, server: { type: "string" } } as const;

/** The built page (scripts/build-inbox.ts); three folders deep in src/ and in dist/node/cli alike. */
export const DEFAULT_INBOX_DIR = fileURLToPath(new URL("../../../dist/inbox/", import.meta.url));

export async function inboxCommand(argv: string[], io: Io): Promise<void> {
  const { values, help } = parseCommand("inbox", argv, OPTIONS);
  if (help) return io.out(INBOX_HELP);
  const port = parsePort(values.port ?? "0");
  const stopRequested = stopSignal();
  await startUnlocking(io, values);
  // Loaded while the key is derived (unlock-early.ts): the desk model, the server and their libraries.
  await (await import("../inbox/open.js")).openInbox(io, values, { port, stopRequested, assetsDir: io.env.SEALDROP_INBOX_DIR || DEFAULT_INBOX_DIR });
}
