// Writing a vault bundle (src/cli/bundle.ts) as a stream: the JSON records, then each large attachment's
// age file copied from vault-files/ a chunk at a time, so memory stays bounded whatever their size. The
// bundle is written under a temporary name beside its target, fsynced, and only then given its name
// (never replacing a file), as writeFileAtomic does: a reader sees no bundle or the whole of one.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { type FileHandle, mkdir, open, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { type Bundle, endText, fileEndText, fileText, headerText, recordLines } from "./bundle.js";
import { AgeSniffer } from "../core/age.js";
import { HashingWriter } from "../server/node/hashing-writer.js";
import { CliError } from "./errors.js";
import { exists, placeExclusive } from "./files.js";
import type { VaultAttachmentFile } from "./vault.js";

const CHUNK = 1 << 20;

/** Copies one large attachment's age file into the bundle, checking it against the vault's row on the way. */
async function copyFile(writer: HashingWriter, f: VaultAttachmentFile, onBytes: (n: number) => void): Promise<void> {
  const hash = createHash("sha256");
  let copied = 0;
  const sniffer = new AgeSniffer();
  await writer.write(fileText(f));
  try {
    for await (const chunk of createReadStream(f.path, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>) {
      copied += chunk.length;
      if (copied > f.size) break;
      sniffer.push(chunk);
      hash.update(chunk);
      await writer.write(chunk);
      onBytes(chunk.length);
    }
  } catch (e) {
    throw new CliError(`cannot read attachment ${f.id} from ${f.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (copied !== f.size || !sniffer.isAgeFile()) {
    throw new CliError(`attachment ${f.id} in ${f.path} is damaged (${copied > f.size ? "longer" : `${copied} bytes`}, the vault says ${f.size}${sniffer.isAgeFile() ? "" : ", not an age file"}); delete its submission and pull it again`);
  }
  await writer.write(fileEndText(hash.digest("hex")));
}

export interface WriteBundleOptions {
  /** Bytes of large attachments copied so far. */
  onProgress?: (done: number) => void;
}

/** Writes `bundle` and the large attachments `files` to the new file `path` (mode 0600). */
export async function writeBundle(path: string, bundle: Bundle, files: VaultAttachmentFile[], options: WriteBundleOptions = {}): Promise<void> {
  // Fail before copying gigabytes; the link below is what makes "never replace" atomic.
  if (await exists(path)) throw new CliError(`${path} already exists; refusing to overwrite it`);
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const out = await open(temp, "wx", 0o600);
  try {
    const writer = new HashingWriter(out);
    await writer.write(headerText(bundle, files.length));
    for (const record of recordLines(bundle)) await writer.write(record);
    let done = 0;
    for (const f of files) await copyFile(writer, f, (n) => options.onProgress?.((done += n)));
    await writer.write(endText(writer.hash.copy().digest("hex")));
    await writer.flush();
    await out.chmod(0o600);
    await out.sync();
  } catch (e) {
    await out.close();
    await unlink(temp).catch(() => {});
    // Typically a full disk or USB stick.
    if (!(e instanceof CliError) && (e as NodeJS.ErrnoException).code) throw new CliError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code}`);
    throw e;
  }
  await out.close();
  await placeExclusive(temp, path);
}
