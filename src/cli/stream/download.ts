// Pulling a large attachment straight to a file beside the vault, with memory bounded by the network's
// chunks whatever its size. The file is written under a temporary name, fsynced, checked (exact size,
// age magic) and only then renamed to the name the vault gives it; the vault row is added after that by the caller.
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { SealdropApi } from "../api.js";
import { AgeSniffer } from "../../core/age.js";
import { CliError } from "../errors.js";
import { fsyncDir } from "../files.js";

/** Downloads `path` (exactly `size` bytes of age file) to the file `target` (the vault names it) and returns it. */
export async function downloadToFile(
  api: Pick<SealdropApi, "stream">,
  path: string,
  size: number,
  target: string,
  onProgress: (done: number) => void = () => {},
): Promise<string> {
  const dir = dirname(target);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
  const { body, size: announced } = await api.stream(path);
  if (announced !== null && announced !== size) {
    await body.cancel();
    throw new CliError(`the server sent ${announced} bytes for ${path}, expected ${size}; try again later`);
  }
  const out = await open(temp, "wx", 0o600);
  let received = 0;
  const sniffer = new AgeSniffer();
  try {
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      received += chunk.length;
      if (received > size) throw new CliError(`the server sent more than ${size} bytes for ${path}; try again later`);
      sniffer.push(chunk);
      await out.write(chunk);
      onProgress(received);
    }
    if (received !== size || !sniffer.isAgeFile()) throw new CliError(`the server sent a damaged file for ${path}; try again later`);
    await out.sync();
  } catch (e) {
    await out.close();
    await rm(temp, { force: true });
    throw e;
  }
  await out.close();
  await rename(temp, target);
  await fsyncDir(dir);
  return target;
}
