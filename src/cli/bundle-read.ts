// Reading a vault bundle (src/cli/bundle.ts) as a stream, any version. JSON records are parsed a line at a
// time; each large attachment's bytes go a chunk at a time into a temporary file in vault-files/ (or, if
// the vault has it already, only through the hash), so memory stays bounded whatever their size. Nothing
// here touches the vault: the caller gets checked records and fsynced temporary files, and gives the files
// their names only after the whole bundle has been checked. On any failure the temporary files are removed.
import { createHash, randomBytes } from "node:crypto";
import { type FileHandle, mkdir, open, rm, rmdir } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import {
  type Bundle,
  type BundleFile,
  type BundleRoster,
  MAX_RECORD_LINE,
  MAX_SHORT_LINE,
  damaged,
  parseEnd,
  parseFile,
  parseFileEnd,
  parseHeader,
  parseRecord,
  parseRoster,
} from "./bundle.js";
import { AgeSniffer } from "../core/age.js";
import { CliError } from "./errors.js";

const CHUNK = 1 << 20;

/** Reads a file front to back in chunks, hashing every byte it hands out. */
class BundleReader {
  private buf = Buffer.alloc(0);
  private pos = 0;
  private done = 0;
  private readonly hash = createHash("sha256");

  constructor(
    private readonly file: FileHandle,
    private readonly onProgress: (done: number) => void,
  ) {}

  /** SHA-256 of every byte handed out so far. */
  digest(): string {
    return this.hash.copy().digest("hex");
  }

  private async fill(): Promise<boolean> {
    if (this.pos < this.buf.length) return true;
    const chunk = Buffer.allocUnsafe(CHUNK);
    const { bytesRead } = await this.file.read(chunk, 0, CHUNK, null);
    if (bytesRead === 0) return false;
    this.buf = chunk.subarray(0, bytesRead);
    this.pos = 0;
    return true;
  }

  private take(n: number): Buffer {
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    this.done += n;
    this.hash.update(out);
    this.onProgress(this.done);
    return out;
  }

  /** The next line without its `\n`; at most `max` bytes. */
  async line(max: number, n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let length = 0;
    for (;;) {
      if (!(await this.fill())) throw damaged(`it ends early, in line ${n} (truncated?)`);
      const nl = this.buf.indexOf(0x0a, this.pos);
      const end = nl === -1 ? this.buf.length : nl;
      length += end - this.pos;
      if (length > max) throw damaged(`line ${n} is too long${n === 1 ? " (not a sealdrop bundle?)" : ""}`);
      parts.push(this.take(end - this.pos));
      if (nl !== -1) {
        this.take(1);
        return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      }
    }
  }

  /** Hands the next `size` bytes to `sink`, a chunk at a time. */
  async bytes(size: number, sink: (chunk: Buffer) => Promise<void>, what: string): Promise<void> {
    for (let left = size; left > 0; ) {
      if (!(await this.fill())) throw damaged(`it ends early, in ${what} (truncated?)`);
      const chunk = this.take(Math.min(left, this.buf.length - this.pos));
      left -= chunk.length;
      await sink(chunk);
    }
  }

  async atEnd(): Promise<boolean> {
    return !(await this.fill());
  }
}

/** A large attachment read from a bundle: `temp` holds its checked, fsynced age file, or is null if skipped. */
export interface StagedFile extends BundleFile {
  sha256: string;
  temp: string | null;
}

export interface ReadBundle extends Bundle {
  roster: BundleRoster | null;
  files: StagedFile[];
}

export interface ReadBundleOptions {
  /** Where temporary files go: the vault-files/ directory they will be renamed within. */
  stageDir: string;
  /** Whether to keep a large attachment; one the vault has already is only read through and checked. */
  wanted: (id: string) => Promise<boolean>;
  /** Further checks of the whole bundle (against the vault), run before it is returned. */
  check?: (bundle: ReadBundle) => Promise<void>;
  onProgress?: (done: number) => void;
}

/** Removes staged temporary files (after a failure, or once they are no longer needed). */
export async function discardStaged(files: readonly StagedFile[]): Promise<void> {
  for (const f of files) if (f.temp !== null) await rm(f.temp, { force: true });
}

/** Reads and checks the whole bundle at `path`; throws a CliError naming the first problem, leaving nothing behind. */
export async function readBundle(path: string, options: ReadBundleOptions): Promise<ReadBundle> {
  let file: FileHandle;
  try {
    file = await open(path, "r");
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const staged: StagedFile[] = [];
  let createdDir: string | undefined;
  try {
    const reader = new BundleReader(file, options.onProgress ?? (() => {}));
    const header = parseHeader(await reader.line(MAX_SHORT_LINE, 1));
    const bundle: ReadBundle = { roster: null, submissions: [], attachments: [], replies: [], notes: [], files: staged };
    const ids = new Set<string>();
    const records = header.submissions + header.attachments + header.replies + header.notes;
    let n = 1;
    if (header.roster === 1) bundle.roster = parseRoster(await reader.line(MAX_RECORD_LINE, ++n), n);
    for (let i = 0; i < records; i++) {
      const record = parseRecord(header, i, await reader.line(MAX_RECORD_LINE, ++n), n);
      if (record.kind === "submission") bundle.submissions.push(record.value);
      else if (record.kind === "attachment") bundle.attachments.push(record.value);
      else (record.kind === "reply" ? bundle.replies : bundle.notes).push(record.value);
      if (record.kind === "attachment" && ids.has(record.value.id)) throw damaged(`line ${n}: attachment ${record.value.id} appears twice`);
      if (record.kind === "attachment") ids.add(record.value.id);
    }
    for (let i = 0; i < header.files; i++) {
      const f = parseFile(await reader.line(MAX_SHORT_LINE, ++n), n);
      if (ids.has(f.id)) throw damaged(`line ${n}: attachment ${f.id} appears twice`);
      ids.add(f.id);
      let temp: string | null = null;
      if (await options.wanted(f.id)) {
        createdDir ??= (await mkdir(options.stageDir, { recursive: true, mode: 0o700 })) ?? "";
        temp = join(options.stageDir, `.${f.id}.${randomBytes(6).toString("hex")}.import.tmp`);
      }
      const entry: StagedFile = { ...f, sha256: "", temp };
      staged.push(entry);
      entry.sha256 = await copyOut(reader, f, temp);
      const expected = parseFileEnd(await reader.line(MAX_SHORT_LINE, ++n), n);
      if (expected !== entry.sha256) throw damaged(`the bytes of attachment ${f.id} do not match their SHA-256 (the file was changed or damaged)`);
    }
    const digest = reader.digest();
    const end = parseEnd(await reader.line(MAX_SHORT_LINE, ++n), n);
    if (end !== digest) throw damaged("its SHA-256 does not match (the file was changed or cut short)");
    if (!(await reader.atEnd())) throw damaged("there are bytes after its end line");
    await options.check?.(bundle);
    return bundle;
  } catch (e) {
    await discardStaged(staged);
    if (createdDir) await removeEmptyDirs(options.stageDir, createdDir);
    // Reading the bundle or writing vault-files/: a full disk, an unplugged stick.
    if (!(e instanceof CliError) && (e as NodeJS.ErrnoException).code) throw new CliError(`cannot import ${path}: ${(e as NodeJS.ErrnoException).code}`);
    throw e;
  } finally {
    await file.close();
  }
}

/** Streams one large attachment's bytes to `temp` (if not null); returns their SHA-256. */
async function copyOut(reader: BundleReader, f: BundleFile, temp: string | null): Promise<string> {
  const out = temp === null ? null : await open(temp, "wx", 0o600);
  const hash = createHash("sha256");
  const sniffer = new AgeSniffer();
  try {
    await reader.bytes(
      f.size,
      async (chunk) => {
        sniffer.push(chunk);
        hash.update(chunk);
        for (let off = 0; out !== null && off < chunk.length; ) off += (await out.write(chunk, off, chunk.length - off)).bytesWritten;
      },
      `attachment ${f.id}`,
    );
    if (!sniffer.isAgeFile()) throw damaged(`attachment ${f.id} is not an age file`);
    await out?.sync();
  } finally {
    await out?.close();
  }
  return hash.digest("hex");
}

/** Removes `dir` and its parents up to `created` (the first directory mkdir made), if they are empty. */
async function removeEmptyDirs(dir: string, created: string): Promise<void> {
  for (let d = dir; relative(created, d) === "" || !relative(created, d).startsWith(".."); d = dirname(d)) {
    try {
      await rmdir(d);
    } catch {
      return;
    }
    if (d === created) return;
  }
}
