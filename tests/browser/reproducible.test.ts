// Anyone can rebuild the page from the sources and get the files the server serves, byte for byte: two
// clean builds, each in its own process and output directory, give identical trees (names and bytes,
// the .br/.gz copies and the integrity attributes included).
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const VITE = join(ROOT, "node_modules", "vite", "bin", "vite.js");
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** A build in a fresh process into a fresh directory; returns every file's path and SHA-256. */
async function cleanBuild(): Promise<Map<string, string>> {
  const outDir = await mkdtemp(join(tmpdir(), "sealdrop-repro-"));
  dirs.push(outDir);
  await run(process.execPath, [VITE, "build", "--outDir", outDir, "--emptyOutDir", "--logLevel", "warn"], { cwd: ROOT, maxBuffer: 16 << 20 });
  const files = new Map<string, string>();
  for (const entry of await readdir(outDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(outDir, path), createHash("sha256").update(await readFile(path)).digest("hex"));
  }
  return files;
}

describe("the page's build", () => {
  it("is reproducible: two clean builds give byte-identical dist/client trees", async () => {
    const first = await cleanBuild();
    const second = await cleanBuild();
    expect([...first.keys()].sort()).toEqual([...second.keys()].sort());
    expect(Object.fromEntries([...second].sort())).toEqual(Object.fromEntries([...first].sort()));
    // It is the real page: the entry script, its compressed copies and the HTML that pins it.
    const names = [...first.keys()];
    expect(names).toContain("index.html");
    expect(names.some((n) => /^assets\/index-[\w-]+\.js\.br$/.test(n))).toBe(true);
    expect(names.some((n) => /^assets\/index-[\w-]+\.js\.gz$/.test(n))).toBe(true);
  }, 180_000);
});
