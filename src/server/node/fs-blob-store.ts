// Blobs as files under one directory. Every write is made durable before it resolves: data is written
// to a temporary file, fsynced, renamed into place, and the directory fsynced, so a crash leaves either
// the old state or the new one, never half a file (invariant 6). Files show only the day they were
// written (access and modification times at the start of the UTC day; reads leave the access time
// alone): see timestamps.ts for that and for the change time.
import { constants, createReadStream } from "node:fs";
import { access, mkdir, open, readdir, rename, rm, stat, type FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { isId, randomId } from "../../core/bytes.js";
import { type BlobStore, isBlobKey, type StoredBlob } from "../blobs.js";
import { dayStart, openNoAtime } from "./timestamps.js";
import { fsyncPath } from "./fsync.js";


/**
 * Directory fsyncs shared between writers: a caller joins a sync that has not started yet (it will
 * cover the caller's rename, made before it starts), else queues one after the running one. Under load
 * one directory fsync serves every file renamed into that directory meanwhile.
 */
class DirSyncs {
  private readonly state = new Map<string, { waiting: Promise<void> | null; running: Promise<void> | null }>();

  sync(dir: string): Promise<void> {
    let s = this.state.get(dir);
    if (!s) this.state.set(dir, (s = { waiting: null, running: null }));
    const state = s;
    if (state.waiting) return state.waiting;
    const start = async () => {
      await state.running?.catch(() => {});
      state.waiting = null;
      const run = fsyncPath(dir);
      state.running = run;
      try {
        await run;
      } finally {
        if (state.running === run) state.running = null;
      }
    };
    state.waiting = start();
    return state.waiting;
  }
}

export class FsBlobStore implements BlobStore {
  private readonly dirs = new DirSyncs();

  constructor(
    private readonly root: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Hides the moment of a write: the file's times become the start of today (UTC). */
  private async coarsen(handle: FileHandle): Promise<void> {
    const day = dayStart(this.now());
    await handle.utimes(day, day);
  }

  private path(key: string): string {
    if (!isBlobKey(key)) throw new Error(`invalid blob key ${JSON.stringify(key)}`);
    return join(this.root, key);
  }

  private uploadPath(uploadId: string): string {
    if (!isId(uploadId)) throw new Error("invalid upload id");
    return join(this.root, "uploads", uploadId);
  }

  async init(): Promise<this> {
    for (const d of ["envelopes", "attachments", "replies", "notes", "uploads", "tmp"]) {
      await mkdir(join(this.root, d), { recursive: true, mode: 0o700 });
    }
    // Temporary files left by a crash were never acknowledged: nothing refers to them.
    await rm(join(this.root, "tmp"), { recursive: true, force: true });
    await mkdir(join(this.root, "tmp"), { mode: 0o700 });
    return this;
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const target = this.path(key);
    const temp = join(this.root, "tmp", randomId());
    const handle = await open(temp, "wx", 0o600);
    try {
      try {
        await handle.writeFile(data);
        await this.coarsen(handle);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
    } catch (e) {
      // A failed write (ENOSPC) leaves no half file behind to hold the space.
      await rm(temp, { force: true }).catch(() => {});
      throw e;
    }
    await this.dirs.sync(dirname(target));
  }

  async get(key: string): Promise<StoredBlob | null> {
    let handle: FileHandle;
    try {
      handle = await openNoAtime(this.path(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
    let size: number;
    try {
      size = (await handle.stat()).size;
    } catch (e) {
      await handle.close();
      throw e;
    }
    // The stream closes the handle when it ends or is cancelled.
    const body = Readable.toWeb(createReadStream("", { fd: handle })) as unknown as ReadableStream<Uint8Array>;
    return { body, size };
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async writeUploadPart(uploadId: string, offset: number, data: Uint8Array): Promise<string> {
    const file = this.uploadPath(uploadId);
    const handle = await open(file, constants.O_RDWR | constants.O_CREAT, 0o600);
    let failure: { error: unknown } | null = null;
    try {
      const { size } = await handle.stat();
      if (size < offset) throw new Error(`upload ${uploadId} holds ${size} bytes, expected at least ${offset}`);
      await handle.truncate(offset);
      try {
        let written = 0;
        while (written < data.length) {
          const { bytesWritten } = await handle.write(data, written, data.length - written, offset + written);
          written += bytesWritten;
        }
        await this.coarsen(handle);
        await handle.sync();
      } catch (e) {
        // A part that fails midway (ENOSPC, EIO) leaves none of its bytes: cut back to where it started.
        failure = { error: e };
        await handle.truncate(offset).then(() => handle.sync()).catch(() => {});
      }
    } finally {
      await handle.close();
    }
    if (failure) {
      // A failed first part leaves no file either (the upload's row still says 0 bytes).
      if (offset === 0) await rm(file, { force: true }).catch(() => {});
      throw failure.error;
    }
    // Written in place: the offset names the part.
    return "";
  }

  /** A part written in place that was not counted lies past the row's bytes: the next part cuts it. */
  async discardUploadPart(): Promise<void> {}

  async completeUpload(uploadId: string, size: number, key: string, _partNames = ""): Promise<void> {
    const source = this.uploadPath(uploadId);
    const target = this.path(key);
    let handle;
    try {
      handle = await open(source, "r+");
    } catch (e) {
      // Already moved by an attempt that crashed before its rows were committed: finish that attempt.
      if ((e as NodeJS.ErrnoException).code === "ENOENT" && (await stat(target).catch(() => null))?.size === size) return;
      throw e;
    }
    try {
      await handle.truncate(size);
      await this.coarsen(handle);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(source, target);
    await this.dirs.sync(dirname(target));
    await this.dirs.sync(dirname(source));
  }

  async abortUpload(uploadId: string): Promise<void> {
    await rm(this.uploadPath(uploadId), { force: true });
  }

  /** Every write starts in tmp/: it must exist and be writable (a lost or read-only mount fails here). */
  async check(): Promise<void> {
    await access(join(this.root, "tmp"), constants.R_OK | constants.W_OK);
  }

  async list(prefix: string): Promise<string[]> {
    if (!/^(envelopes|attachments|replies|notes|uploads)$/.test(prefix)) throw new Error("invalid blob prefix");
    const names = await readdir(join(this.root, prefix)).catch(() => [] as string[]);
    return names.filter((n) => isId(n));
  }
}
