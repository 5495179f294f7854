// Builds the page from the current client/ sources into a directory of the test's own, so test files
// running in parallel never serve or measure a build another one is rewriting.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";

const CONFIG = fileURLToPath(new URL("../../vite.config.ts", import.meta.url));

/**
 * Returns the directory holding index.html and assets/. With `manifest`, Vite also writes
 * .vite/manifest.json (which chunk each source became, and what each chunk imports); the server never
 * serves it, but a test that keeps the build for serving should not ask for it.
 */
export async function buildClient(options: { manifest?: boolean } = {}): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), "sealdrop-client-"));
  await build({ configFile: CONFIG, logLevel: "warn", build: { outDir, emptyOutDir: true, manifest: options.manifest ?? false } });
  return outDir;
}
