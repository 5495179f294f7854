// What a server stored, searched byte for byte: for tests that check no plaintext reached its disk.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Every stored byte of the server: database, WAL, blobs, unfinished uploads. */
export async function findInDataDir(dataDir: string, needles: Buffer[]): Promise<string[]> {
  const hits: string[] = [];
  for (const file of await filesUnder(dataDir)) {
    const bytes = await readFile(file);
    for (const n of needles) if (bytes.includes(n)) hits.push(`${file} contains ${n.toString("hex").slice(0, 16)}…`);
  }
  return hits;
}
