// The backup file (docs/DEPLOY.md, "Backups"): one file of text lines and raw bytes, written in one pass.
//
//   sealdrop-backup 1\n
//   {"kind":"manifest", "source":"sqlite"|"postgres", "day":"YYYY-MM-DD", "migrations":[…]}\n
//   {"kind":"blob", "key":"attachments/<id>", "size":N}\n  N raw bytes  \n      (zero or more)
//   {"kind":"table", "name":"submissions", "rows":N}\n  N lines, one JSON object each   (zero or more)
//   {"kind":"end", "blobs":B, "tables":T, "sha256":"<hex of every byte before this line>"}\n
//
// Blobs come before the rows that refer to them, so a restore writes them first, as the server does.
import { createHash, type Hash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { isBlobKey } from "../../blobs.js";
import { HashingWriter } from "../hashing-writer.js";
import { BackupError } from "./errors.js";

export const MAGIC = "sealdrop-backup 1\n";
const CHUNK = 1 << 20;
/** Longest record or row line: an inline envelope (1 MiB of ciphertext, base64) plus its row. */
const MAX_LINE = 4 << 20;

export type BackupSource = "sqlite" | "postgres";
export type Row = Record<string, string | number | null>;

export interface Manifest {
  kind: "manifest";
  source: BackupSource;
  /** UTC day the backup was taken: no finer time, as everywhere else. */
  day: string;
  migrations: string[];
}
export interface BlobRecord {
  kind: "blob";
  key: string;
  size: number;
}
export interface TableRecord {
  kind: "table";
  name: string;
  rows: number;
}
export interface EndRecord {
  kind: "end";
  blobs: number;
  tables: number;
  sha256: string;
}

/** A backup that cannot be used: `not_a_backup` or `backup_corrupt`. */
class BackupFormatError extends BackupError {
  constructor(code: "not_a_backup" | "backup_corrupt", message: string) {
    super(code, message);
  }
}

/** The backup file's writer: JSON record lines, raw blob bytes, and the end line carrying the digest. */
export class BackupWriter extends HashingWriter {
  line(value: unknown): Promise<void> {
    return this.write(`${JSON.stringify(value)}\n`);
  }

  /** The end line (its digest covers everything before it), then everything to the file. */
  async end(blobs: number, tables: number): Promise<void> {
    const record: EndRecord = { kind: "end", blobs, tables, sha256: this.hash.copy().digest("hex") };
    await this.write(`${JSON.stringify(record)}\n`);
    await this.flush();
  }
}

/** Reads a backup front to back, hashing as it goes. */
export class BackupReader {
  private readonly hash: Hash = createHash("sha256");
  private buffer = Buffer.alloc(0);
  private position = 0;
  private eof = false;

  constructor(private readonly file: FileHandle) {}

  private async fill(): Promise<boolean> {
    if (this.eof) return false;
    const chunk = Buffer.alloc(CHUNK);
    const { bytesRead } = await this.file.read(chunk, 0, CHUNK, this.position);
    if (bytesRead === 0) {
      this.eof = true;
      return false;
    }
    this.position += bytesRead;
    this.buffer = this.buffer.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([this.buffer, chunk.subarray(0, bytesRead)]);
    return true;
  }

  /** The next line without its newline, or null at the end of the file. */
  async line(hashIt = true): Promise<string | null> {
    for (;;) {
      const nl = this.buffer.indexOf(0x0a);
      if (nl >= 0) {
        const line = this.buffer.subarray(0, nl + 1);
        this.buffer = this.buffer.subarray(nl + 1);
        if (hashIt) this.hash.update(line);
        return line.subarray(0, nl).toString("utf8");
      }
      if (this.buffer.length > MAX_LINE) throw new BackupFormatError("backup_corrupt", "a line of the backup is far longer than any record");
      if (!(await this.fill())) {
        if (this.buffer.length > 0) throw new BackupFormatError("backup_corrupt", "the backup ends in the middle of a line: it was cut off");
        return null;
      }
    }
  }

  /** Exactly `size` bytes then a newline, handed over in chunks. */
  async bytes(size: number, onChunk: (chunk: Buffer) => Promise<void> | void): Promise<void> {
    let left = size;
    while (left > 0) {
      if (this.buffer.length === 0 && !(await this.fill())) throw new BackupFormatError("backup_corrupt", "the backup ends inside a file: it was cut off");
      const n = Math.min(left, this.buffer.length);
      const chunk = this.buffer.subarray(0, n);
      this.buffer = this.buffer.subarray(n);
      this.hash.update(chunk);
      await onChunk(chunk);
      left -= n;
    }
    if ((await this.line()) !== "") throw new BackupFormatError("backup_corrupt", "a file in the backup is not followed by its newline");
  }

  digest(): string {
    return this.hash.copy().digest("hex");
  }
}

function record(line: string | null): Record<string, unknown> {
  if (line === null) throw new BackupFormatError("backup_corrupt", "the backup ends before its end record: it was cut off");
  try {
    const value = JSON.parse(line) as unknown;
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    /* below */
  }
  throw new BackupFormatError("backup_corrupt", "a record of the backup is not a JSON object");
}

const TABLE = /^[a-z_][a-z0-9_]{0,62}$/;
const COLUMN = /^[a-z_][a-z0-9_]{0,62}$/;

function checkRow(value: Record<string, unknown>): Row {
  for (const [k, v] of Object.entries(value)) {
    if (!COLUMN.test(k) || !(v === null || typeof v === "string" || (typeof v === "number" && Number.isSafeInteger(v)))) {
      throw new BackupFormatError("backup_corrupt", "a row of the backup has a column that no sealdrop table has");
    }
  }
  return value as Row;
}

export interface Visitor {
  blob?(record: BlobRecord, read: (onChunk: (chunk: Buffer) => Promise<void> | void) => Promise<void>): Promise<void>;
  table?(record: TableRecord, rows: () => AsyncGenerator<Row>): Promise<void>;
}

/**
 * Reads the whole backup, checking every record, and calls `visit` for blobs and tables in file order
 * (a visitor that does not read a blob's bytes or a table's rows has them skipped). Throws
 * BackupFormatError on anything out of place, including a digest that does not match.
 */
export async function readBackup(file: FileHandle, visit: Visitor = {}): Promise<{ manifest: Manifest; end: EndRecord }> {
  const reader = new BackupReader(file);
  if ((await reader.line()) !== MAGIC.trimEnd()) throw new BackupFormatError("not_a_backup", "this file is not a sealdrop backup");
  const m = record(await reader.line());
  if (m.kind !== "manifest" || (m.source !== "sqlite" && m.source !== "postgres") || typeof m.day !== "string" || !Array.isArray(m.migrations) || !m.migrations.every((x) => typeof x === "string")) {
    throw new BackupFormatError("backup_corrupt", "the backup's manifest is missing or malformed");
  }
  const manifest = m as unknown as Manifest;
  let blobs = 0;
  let tables = 0;
  for (;;) {
    const before = reader.digest();
    const r = record(await reader.line());
    if (r.kind === "end") {
      if (r.sha256 !== before || r.blobs !== blobs || r.tables !== tables) throw new BackupFormatError("backup_corrupt", "the backup's digest does not match its contents: it was changed or damaged");
      if ((await reader.line(false)) !== null) throw new BackupFormatError("backup_corrupt", "the backup has bytes after its end record");
      return { manifest, end: r as unknown as EndRecord };
    }
    if (r.kind === "blob") {
      if (typeof r.key !== "string" || !isBlobKey(r.key) || typeof r.size !== "number" || !Number.isSafeInteger(r.size) || r.size < 0) {
        throw new BackupFormatError("backup_corrupt", "a file record of the backup is malformed");
      }
      if (tables > 0) throw new BackupFormatError("backup_corrupt", "a file comes after the rows in the backup");
      const rec = r as unknown as BlobRecord;
      let read = false;
      await visit.blob?.(rec, async (onChunk) => {
        read = true;
        await reader.bytes(rec.size, onChunk);
      });
      if (!read) await reader.bytes(rec.size, () => {});
      blobs++;
      continue;
    }
    if (r.kind === "table") {
      if (typeof r.name !== "string" || !TABLE.test(r.name) || typeof r.rows !== "number" || !Number.isSafeInteger(r.rows) || r.rows < 0) {
        throw new BackupFormatError("backup_corrupt", "a table record of the backup is malformed");
      }
      const rec = r as unknown as TableRecord;
      let left = rec.rows;
      async function* rows(): AsyncGenerator<Row> {
        while (left > 0) {
          left--;
          yield checkRow(record(await reader.line()));
        }
      }
      await visit.table?.(rec, rows);
      for await (const _ of rows()) void _;
      tables++;
      continue;
    }
    throw new BackupFormatError("backup_corrupt", "the backup holds a record of an unknown kind");
  }
}
