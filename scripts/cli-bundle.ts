// How the `sealdrop` command is bundled for plain Node (scripts/build-cli.ts ships it; bench/index.ts
// measures the same thing). Pure-JavaScript packages are bundled in, so a run does not resolve and load
// hundreds of package files one by one; packages with native code or files of their own (better-sqlite3,
// pg, libsodium's WebAssembly build, socks) stay in node_modules. Each command is a chunk of its own
// (run.ts imports them on demand), so `sealdrop sources` never parses the server or the inbox.
//
// The entry sits three folders deep (dist/node/<folder>/sealdrop.mjs, like src/server/node/*.ts) and its
// chunks beside it, so paths found from import.meta.url (migrations/, dist/client/) resolve alike.
import { rm } from "node:fs/promises";
import { build } from "esbuild";

export const CLI_EXTERNAL = ["better-sqlite3", "pg", "libsodium-wrappers-sumo", "socks"];

/** Bundles src/cli/main.ts into `outdir` (emptied first) as sealdrop.mjs and its chunks; returns the inputs read. */
export async function bundleCli(root: string, outdir: string): Promise<string[]> {
  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: { sealdrop: `${root}src/cli/main.ts` },
    outdir,
    outExtension: { ".js": ".mjs" },
    splitting: true,
    chunkNames: "[name]-[hash]",
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: CLI_EXTERNAL,
    // Bundled CommonJS packages call require(); an ES module has none of its own.
    banner: { js: 'import { createRequire as __sealdropRequire } from "node:module"; const require = __sealdropRequire(import.meta.url);' },
    metafile: true,
    logLevel: "warning",
    // The bundled packages' licence notices, kept at the end of each file.
    legalComments: "eof",
  });
  return Object.keys(result.metafile.inputs).sort();
}
