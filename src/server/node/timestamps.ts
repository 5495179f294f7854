// File times on the single-box deployment (invariant 3: no exact time about a source is stored). A
// file's modification and access times would otherwise record, to the nanosecond, when each upload
// part, attachment, reply and note arrived, and a directory's when the last one did (envelopes are
// rows, not files). Every file the blob store writes gets its access and modification times set to the
// start of the UTC day; reads do not touch the access time. The change time (ctime) cannot be set from
// user space: a re-stamp of the whole data folder, at start-up and then periodically, overwrites every
// file's and directory's ctime with the re-stamp's own moment, so a seized disk shows exact change times
// only for what was written since the last re-stamp. docs/THREAT-MODEL.md states that residue.
import { constants } from "node:fs";
import { open, readdir, utimes, type FileHandle } from "node:fs/promises";
import { join } from "node:path";

/** The start of `now`'s UTC day: the only time a stored file shows. */
export function dayStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/** Opens `path` for reading without updating its access time where the system allows it (Linux O_NOATIME). */
export async function openNoAtime(path: string): Promise<FileHandle> {
  if (constants.O_NOATIME === undefined) return open(path, "r");
  try {
    return await open(path, constants.O_RDONLY | constants.O_NOATIME);
  } catch (e) {
    // O_NOATIME needs the file's owner; another user (a backup account, say) reads it plainly.
    if ((e as NodeJS.ErrnoException).code === "EPERM") return open(path, "r");
    throw e;
  }
}

const missing = (e: unknown) => (e as NodeJS.ErrnoException).code === "ENOENT";

/**
 * Sets the access and modification times of `root` and everything under it to `day` (which also moves
 * every ctime to now). Files that vanish meanwhile are skipped. Returns the number of entries stamped.
 */
export async function restampTree(root: string, day: Date): Promise<number> {
  let count = 0;
  const visit = async (path: string, isDir: boolean) => {
    if (isDir) {
      let entries;
      try {
        entries = await readdir(path, { withFileTypes: true });
      } catch (e) {
        if (missing(e)) return;
        throw e;
      }
      for (const entry of entries) {
        if (entry.isDirectory() || entry.isFile()) await visit(join(path, entry.name), entry.isDirectory());
      }
    }
    try {
      await utimes(path, day, day);
      count++;
    } catch (e) {
      if (!missing(e)) throw e;
    }
  };
  await visit(root, true);
  return count;
}

export interface Restamper {
  stop(): Promise<void>;
}

/**
 * Re-stamps `root` now and then every `minutes`, one pass at a time. A failed pass is reported on
 * stderr (without any path or time in it) and the next one tries again.
 */
export async function startRestamping(root: string, minutes: number, now: () => Date): Promise<Restamper> {
  let running: Promise<unknown> = restampTree(root, dayStart(now()));
  await running;
  const timer = setInterval(() => {
    running = running.then(() => restampTree(root, dayStart(now()))).catch((e: NodeJS.ErrnoException) => console.error(`sealdrop: re-stamping file times failed (${e.code ?? "error"})`));
  }, minutes * 60_000);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running.catch(() => {});
    },
  };
}
