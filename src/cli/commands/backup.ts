// `sealdrop backup` and `sealdrop restore`: thin commands over src/server/node/backup/ (create.ts, restore.ts).
import { resolve } from "node:path";
import { parseCommand, requireOption } from "../args.js";
import { CliError, UsageError } from "../errors.js";
import type { Io } from "../io.js";

export const BACKUP_HELP = `Usage: sealdrop backup --out FILE [--data DIR] [--database URL]

Writes a consistent copy of a sealdrop server's rows and ciphertext files to FILE, while it runs:
the rows as of one instant (SQLite's online backup, or one PostgreSQL snapshot), then every file
those rows name. Unfinished uploads and short-lived abuse records are left out. FILE is never
overwritten. Progress goes to stderr. The backup holds only what the server holds: ciphertext.

  --out FILE        the backup file to create (mode 0600)
  --data DIR        the server's data directory (default: ./data)
  --database URL    the server's PostgreSQL database (or $SEALDROP_DATABASE_URL); else SQLite in DIR
`;

export const RESTORE_HELP = `Usage: sealdrop restore FILE --data DIR [--database URL]

Restores a backup made by \`sealdrop backup\` into an empty data directory (and, with --database, an
empty PostgreSQL database), checking the whole file first: a damaged or cut-off backup writes nothing.
Then start \`sealdrop serve\` on DIR (and URL). Either kind of backup restores into either database.

  --data DIR        the data directory to fill; must not exist or be empty
  --database URL    restore the rows into this PostgreSQL database (or $SEALDROP_DATABASE_URL)
`;

type Failure = Error & { code?: string };

async function explained<T>(command: string, work: () => Promise<T>): Promise<T> {
  const { BackupError } = await import("../../server/node/backup/errors.js");
  try {
    return await work();
  } catch (e) {
    if (e instanceof BackupError) throw new CliError(`sealdrop ${command}: ${e.message} (${e.code})`);
    const f = e as Failure;
    if (typeof f?.code === "string" && /^E[A-Z]+$/.test(f.code)) throw new CliError(`sealdrop ${command}: ${f.message} (${f.code})`);
    throw e;
  }
}

function databaseOf(command: string, value: string | undefined, io: Io): string | undefined {
  const database = value ?? (io.env.SEALDROP_DATABASE_URL || undefined);
  if (database !== undefined && !/^postgres(ql)?:\/\//i.test(database)) throw new UsageError(`sealdrop ${command}: --database takes a postgres:// or postgresql:// URL`);
  return database;
}

export async function backupCommand(argv: string[], io: Io): Promise<void> {
  const { values, help } = parseCommand("backup", argv, { out: { type: "string" }, data: { type: "string" }, database: { type: "string" }, help: { type: "boolean", short: "h" } } as const);
  if (help) return io.out(BACKUP_HELP);
  const out = resolve(io.cwd, requireOption("backup", "out", values.out));
  const dataDir = resolve(io.cwd, values.data ?? "data");
  const database = databaseOf("backup", values.database, io);
  const { createBackup } = await import("../../server/node/backup/create.js");
  const summary = await explained("backup", () => createBackup({ dataDir, database, out, progress: (t) => io.err(`backup: ${t}`) }));
  const rows = Object.values(summary.rows).reduce((a, b) => a + b, 0);
  io.out(`wrote ${summary.file}: ${summary.rows.submissions ?? 0} submission(s), ${summary.blobs} file(s), ${rows} row(s), ${summary.bytes} bytes`);
}

export async function restoreCommand(argv: string[], io: Io): Promise<void> {
  const { values, positionals, help } = parseCommand("restore", argv, { data: { type: "string" }, database: { type: "string" }, help: { type: "boolean", short: "h" } } as const, { min: 1, max: 1 });
  if (help) return io.out(RESTORE_HELP);
  const file = resolve(io.cwd, positionals[0]!);
  const dataDir = resolve(io.cwd, requireOption("restore", "data", values.data));
  const database = databaseOf("restore", values.database, io);
  const { restoreBackup } = await import("../../server/node/backup/restore.js");
  const summary = await explained("restore", () => restoreBackup({ file, dataDir, database, progress: (t) => io.err(`restore: ${t}`) }));
  io.out(`restored a ${summary.source} backup of ${summary.day}: ${summary.rows.submissions ?? 0} submission(s), ${summary.blobs} file(s) into ${dataDir}${database ? " and PostgreSQL" : ""}`);
}
