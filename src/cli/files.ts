// Durable, atomic file writes for secrets and bundles: a reader sees the old file or the whole new one,
// never half of one, and a crash leaves at most a stray temporary file beside it.
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { access, link, mkdir, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fsyncPath } from "../server/node/fsync.js";
import { CliError } from "./errors.js";

/** fsync of a directory, so that a rename or a new file in it is durable. */
export const fsyncDir = fsyncPath;

export interface WriteOptions {
  mode: number;
  /** Refuse to replace an existing file (the check and the write are one atomic step). */
  exclusive?: boolean;
}

export async function writeFileAtomic(path: string, data: Uint8Array | string, options: WriteOptions): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(temp, "wx", options.mode);
  try {
    await handle.writeFile(data);
    await handle.chmod(options.mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (options.exclusive) return placeExclusive(temp, path);
  try {
    await rename(temp, path);
  } catch (e) {
    await unlink(temp).catch(() => {});
    throw e;
  }
  await fsyncDir(dir);
}

/** Gives the finished file `temp` the name `path` unless that exists (then removes `temp` and says so); fsyncs the folder. */
export async function placeExclusive(temp: string, path: string): Promise<void> {
  try {
    await linkExclusive(temp, path);
  } catch (e) {
    await unlink(temp).catch(() => {});
    if ((e as NodeJS.ErrnoException).code === "EEXIST") throw new CliError(`${path} already exists; refusing to overwrite it`);
    throw e;
  }
  await fsyncDir(dirname(path));
}

/** Moves `temp` to `path` unless `path` exists. link() fails with EEXIST instead of replacing, unlike rename(). */
async function linkExclusive(temp: string, path: string): Promise<void> {
  try {
    await link(temp, path);
    await unlink(temp);
  } catch (e) {
    // Filesystems without hard links (FAT or exFAT on a USB stick, where bundles often go): check, then rename.
    if (!["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"].includes((e as NodeJS.ErrnoException).code ?? "")) throw e;
    if (await exists(path)) throw Object.assign(new Error("exists"), { code: "EEXIST" });
    await rename(temp, path);
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}
