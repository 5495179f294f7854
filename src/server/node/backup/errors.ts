// Why a backup or restore stopped, with a stable code the CLI prints and scripts can match on.
export type BackupErrorCode =
  | "exists" // the backup file is there already: never overwritten
  | "no_database" // no sealdrop database where --data / --database point
  | "unavailable" // PostgreSQL does not answer
  | "not_a_backup"
  | "backup_corrupt" // cut off, changed or damaged: its digest or structure does not hold
  | "backup_newer_schema" // made by a newer sealdrop: upgrade before restoring
  | "target_not_empty"; // restore writes only into an empty data directory and database

export class BackupError extends Error {
  override name = "BackupError";
  constructor(
    readonly code: BackupErrorCode,
    message: string,
  ) {
    super(message);
  }
}
