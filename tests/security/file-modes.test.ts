// A seized or shared box shows the database to nobody but its owner: the SQLite file and its -wal and
// -shm companions are 0600 and the data directories 0700 even under a permissive umask (022), and a
// database left 0644 by an older version is narrowed when the server opens it.
import { chmod, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openServerDatabase, SQLITE_FILE } from "../../src/server/node/database.js";
import { submitTip } from "../helpers/source.js";
import { startTestServer } from "../helpers/server.js";

let previousUmask: number;
beforeAll(() => {
  previousUmask = process.umask(0o022);
});
afterAll(() => {
  process.umask(previousUmask);
});

async function modesUnder(dir: string): Promise<Record<string, number>> {
  const out: Record<string, number> = { ".": (await stat(dir)).mode & 0o777 };
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    out[path.slice(dir.length + 1)] = (await stat(path)).mode & 0o777;
  }
  return out;
}

describe("under umask 022", () => {
  it("a serving data directory holds only 0600 files and 0700 directories, database and WAL included", async () => {
    const server = await startTestServer();
    try {
      await submitTip(server.url, "a tip with a file", [{ name: "a.txt", type: "text/plain", bytes: new TextEncoder().encode("attached") }]);
      const modes = await modesUnder(server.dataDir);
      for (const name of [SQLITE_FILE, `${SQLITE_FILE}-wal`, `${SQLITE_FILE}-shm`]) expect(modes[name], name).toBe(0o600);
      const files = await readdir(join(server.dataDir, "blobs", "attachments"));
      expect(files).toHaveLength(1);
      for (const [path, mode] of Object.entries(modes)) {
        const isDir = (await stat(join(server.dataDir, path))).isDirectory();
        expect([path, mode]).toEqual([path, isDir ? 0o700 : 0o600]);
      }
    } finally {
      await server.dispose();
    }
  });

  it("narrows a database file an older version left 0644", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sealdrop-modes-"));
    try {
      const first = await openServerDatabase(dir);
      await first.db.destroy();
      await chmod(join(dir, SQLITE_FILE), 0o644);
      await writeFile(join(dir, `${SQLITE_FILE}-wal`), new Uint8Array(0), { mode: 0o644 });
      const again = await openServerDatabase(dir);
      try {
        const modes = await modesUnder(dir);
        for (const name of [SQLITE_FILE, `${SQLITE_FILE}-wal`, `${SQLITE_FILE}-shm`]) expect(modes[name], name).toBe(0o600);
      } finally {
        await again.db.destroy();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
