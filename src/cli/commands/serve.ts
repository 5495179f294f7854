// `sealdrop serve`: the Node server (src/server/node/serve.ts) on this machine. With --demo, a throwaway
// newsroom and editor so a person can try the whole flow in a minute.
import { resolve } from "node:path";
import { parseCommand, parsePort } from "../args.js";
import { UsageError } from "../errors.js";
import { exists } from "../files.js";
import { editorHome } from "../home.js";
import { type Io, stopSignal } from "../io.js";
import { createNewsroom, localWriter } from "../setup.js";
import { parseRetentionDays, type RetentionPolicy } from "../../server/retention.js";

export const SERVE_HELP = `Usage: sealdrop serve [--data DIR] [--database URL] [--port PORT] [--host HOST]
                     [--restamp-minutes N] [--maintenance-minutes N] [--keep-submissions-days N]
                     [--delete-pulled] [--keep-replies-days N] [--keep-notes-days N]
                     [--keep-mailboxes-days N] [--nojs on|off] [--nojs-max-mib N] [--demo]

Runs the sealdrop server: the source page and the API, with SQLite and ciphertext files under DIR.
It logs nothing about requests. Set SEALDROP_SETUP_TOKEN to allow \`sealdrop init --server\` once.

  --data DIR        data directory (default: ./data): SQLite database and ciphertext files
  --database URL    keep the database in PostgreSQL (postgres://user:pass@host/db) instead of SQLite
                    in DIR; ciphertext files stay in DIR. $SEALDROP_DATABASE_URL works too and keeps
                    the password out of the process list. Create the newsroom with
                    \`sealdrop init --server URL\` and SEALDROP_SETUP_TOKEN.
  --port PORT       TCP port (default: 8787; 0 picks a free one)
  --host HOST       address to listen on (default: 127.0.0.1; put it behind an onion service or TLS proxy)
  --restamp-minutes N
                    every N minutes (default: 60), reset the times of every file under DIR so the disk
                    keeps no exact time of any write older than that (docs/THREAT-MODEL.md)
  --maintenance-minutes N
                    every N minutes (default: 60), drop expired unfinished uploads and orphaned files
  --keep-submissions-days N
                    delete a submission and its attachments N days after the day it arrived
  --delete-pulled   delete a submission once every editor of its desk has pulled it (envelope and
                    attachments downloaded to the end)
  --keep-replies-days N
                    delete a reply N days after the day it was sent
  --keep-notes-days N
                    delete a desk note N days after the day it was written
  --keep-mailboxes-days N
                    delete a source's mailbox and every reply in it N days after its last activity
                    (a reply sent, or the source checking it; recorded as a day, never a time)
                    Unset: kept until an editor deletes them. The maintenance job deletes what
                    expired and, on SQLite, scrubs the database files; the source page and receipt
                    tell sources these settings (docs/THREAT-MODEL.md, "Retention and deletion").
  --nojs on|off     the form for browsers without JavaScript (Tor Browser "Safest") at the same
                    address, whose tips the server encrypts on arrival (default: on; see
                    docs/THREAT-MODEL.md, "The page without JavaScript")
  --nojs-max-mib N  largest tip that form takes, files included, in MiB (default: 500)
  --demo            if the database has no newsroom yet, create a demo newsroom and a demo editor key
                    in ./demo-editor, for trying sealdrop only (SQLite only)

Room for unfinished uploads (docs/SECURITY.md, "Storage quotas"), from the environment:
  SEALDROP_PENDING_UPLOAD_BYTES   all unfinished uploads together (default: 16G)
  SEALDROP_PENDING_UPLOADS        how many may exist at once (default: 1000)
  SEALDROP_MAX_ATTACHMENT_BYTES   one attachment (default and most: 8G)
  SEALDROP_UPLOAD_EXPIRY_DAYS     days an unfinished upload is kept (default: 2)
`;

const OPTIONS = {
  data: { type: "string" },
  database: { type: "string" },
  port: { type: "string" },
  host: { type: "string" },
  "restamp-minutes": { type: "string" },
  "keep-submissions-days": { type: "string" },
  "delete-pulled": { type: "boolean" },
  "keep-replies-days": { type: "string" },
  "keep-notes-days": { type: "string" },
  "keep-mailboxes-days": { type: "string" },
  "maintenance-minutes": { type: "string" },
  nojs: { type: "string" },
  "nojs-max-mib": { type: "string" },
  demo: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export const DEMO_PASSPHRASE = "demo-passphrase";

export async function serveCommand(argv: string[], io: Io): Promise<void> {
  const { values, help } = parseCommand("serve", argv, OPTIONS);
  if (help) return io.out(SERVE_HELP);
  const dataDir = resolve(io.cwd, values.data ?? "data");
  const port = parsePort(values.port ?? "8787");
  const host = values.host ?? "127.0.0.1";
  const setupToken = io.env.SEALDROP_SETUP_TOKEN || undefined;
  const restampMinutes = parseMinutes("--restamp-minutes", values["restamp-minutes"] ?? "60");
  const maintenanceMinutes = parseMinutes("--maintenance-minutes", values["maintenance-minutes"] ?? "60");
  const { QuotaSettingError, uploadQuotasFromEnv } = await import("../../server/upload-quotas.js");
  let uploads;
  try {
    uploads = uploadQuotasFromEnv(io.env);
  } catch (e) {
    if (e instanceof QuotaSettingError) throw new UsageError(`sealdrop serve: ${e.message}\nRun \`sealdrop serve --help\` for usage.`);
    throw e;
  }
  const database = values.database ?? (io.env.SEALDROP_DATABASE_URL || undefined);
  const days = (name: "keep-submissions-days" | "keep-replies-days" | "keep-notes-days" | "keep-mailboxes-days") => {
    const text = values[name];
    if (text === undefined) return undefined;
    try {
      return parseRetentionDays(`--${name}`, text);
    } catch (e) {
      throw new UsageError(`sealdrop serve: ${(e as Error).message}\nRun \`sealdrop serve --help\` for usage.`);
    }
  };
  const retention: RetentionPolicy = {
    submissionDays: days("keep-submissions-days"),
    submissionsWhenPulled: values["delete-pulled"] === true,
    replyDays: days("keep-replies-days"),
    noteDays: days("keep-notes-days"),
    mailboxDays: days("keep-mailboxes-days"),
  };
  const nojs = parseNoJs(values.nojs ?? "on", values["nojs-max-mib"]);
  if (database !== undefined) {
    const { isPostgresUrl } = await import("../../server/postgres/database.js");
    if (!isPostgresUrl(database)) throw new UsageError("sealdrop serve: --database takes a postgres:// or postgresql:// URL\nRun `sealdrop serve --help` for usage.");
    if (values.demo) throw new UsageError("sealdrop serve: --demo sets up a local SQLite newsroom; leave out --database");
  }

  // Listen for the stop signal before starting, so a signal during start-up still shuts down cleanly.
  const stopRequested = stopSignal();
  const { startNodeServer } = await import("../../server/node/serve.js");
  const server = await startNodeServer({ dataDir, port, host, ...(setupToken ? { setupToken } : {}), ...(database ? { database } : {}), restampMinutes, maintenanceMinutes, retention, uploads, nojs });
  try {
    io.out(`listening on ${server.url}`);
    if (values.demo) await setUpDemo(dataDir, server.url, io);
    await stopRequested;
  } finally {
    await server.close();
  }
}

function parseMinutes(option: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 1440) {
    throw new UsageError(`sealdrop serve: ${option} takes a whole number of minutes from 1 to 1440, not ${JSON.stringify(text)}\nRun \`sealdrop serve --help\` for usage.`);
  }
  return n;
}

function parseNoJs(mode: string, maxMib: string | undefined): { enabled: boolean; maxBytes?: number } {
  if (mode !== "on" && mode !== "off") throw new UsageError(`sealdrop serve: --nojs takes on or off, not ${JSON.stringify(mode)}\nRun \`sealdrop serve --help\` for usage.`);
  if (maxMib === undefined) return { enabled: mode === "on" };
  const n = Number(maxMib);
  if (!/^\d+$/.test(maxMib) || n < 1 || n > 8192) {
    throw new UsageError(`sealdrop serve: --nojs-max-mib takes a whole number of MiB from 1 to 8192, not ${JSON.stringify(maxMib)}\nRun \`sealdrop serve --help\` for usage.`);
  }
  return { enabled: mode === "on", maxBytes: n * 1024 * 1024 };
}

async function setUpDemo(dataDir: string, url: string, io: Io): Promise<void> {
  const home = editorHome(resolve(io.cwd, "demo-editor"));
  const passphrase = io.env.SEALDROP_PASSPHRASE || DEMO_PASSPHRASE;
  const { openNodeDatabase } = await import("../../server/node/database.js");
  const db = await openNodeDatabase(dataDir);
  const hasNewsroom = (await db.selectFrom("newsroom").select("id").executeTakeFirst()) !== undefined;
  await db.destroy();
  if (hasNewsroom) {
    io.err("demo: the database already has a newsroom; nothing to set up");
    if (await exists(home.keyFile)) printDemoSteps(io, home.dir, passphrase);
    return;
  }
  await createNewsroom(
    {
      names: { en: "Demo Newsroom" },
      desks: [
        { id: "news", name: "News" },
        { id: "investigations", name: "Investigations" },
      ],
      editorName: "Demo Editor",
      classic: false,
      serverUrl: url,
    },
    home,
    { editor: passphrase, root: passphrase, rootKeyFile: home.rootKeyFile },
    localWriter(dataDir),
    io,
  );
  io.out(`demo: created "Demo Newsroom" (desks news, investigations) and an editor key in ${home.keyFile}`);
  if (passphrase === DEMO_PASSPHRASE) {
    io.err(`WARNING: the demo key's passphrase is "${DEMO_PASSPHRASE}", known to everyone. This is for trying sealdrop only: never send real tips to a demo newsroom.`);
  }
  printDemoSteps(io, home.dir, passphrase);
}

function printDemoSteps(io: Io, homeDir: string, passphrase: string): void {
  const env = passphrase === DEMO_PASSPHRASE ? `SEALDROP_PASSPHRASE=${DEMO_PASSPHRASE} ` : "";
  io.out("demo: open the server URL in a browser and send a tip, then in another terminal:");
  io.out(`  ${env}npx sealdrop pull --home ${homeDir}`);
  io.out(`  ${env}npx sealdrop list --home ${homeDir}`);
  io.out(`  ${env}npx sealdrop read ID --home ${homeDir}`);
}
