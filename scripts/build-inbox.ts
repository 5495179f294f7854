// `npm run build:inbox`: the desk's inbox page (client/inbox) into dist/inbox, which `sealdrop inbox`
// serves: index.html, assets/inbox.js, assets/inbox.css and, once client/inbox/graph.ts exists,
// assets/graph.js and assets/graph.css (the graph view's drawing and words, loaded only on that view). Every asset comes from the
// package: no CDN, no inline script or style, so the page runs under its strict CSP (src/cli/inbox/guard.ts).
// The source page's build (vite.config.ts, dist/client) is separate and unaffected.
import { existsSync } from "node:fs";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("../", import.meta.url));

/** Builds the inbox into `outDir` (default dist/inbox); returns the asset file names written. */
export async function buildInbox(outDir = join(root, "dist/inbox")): Promise<string[]> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(join(outDir, "assets"), { recursive: true });
  const entries: Record<string, string> = { inbox: join(root, "client/inbox/main.ts") };
  if (existsSync(join(root, "client/inbox/graph.ts"))) entries.graph = join(root, "client/inbox/graph-entry.ts");
  await build({
    absWorkingDir: root,
    entryPoints: entries,
    outdir: join(outDir, "assets"),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "none",
    logLevel: "warning",
    // Reproducible and self-contained: no source maps pointing elsewhere, no chunks to fetch by relative URL.
    sourcemap: false,
    splitting: false,
  });
  await copyFile(join(root, "client/inbox/index.html"), join(outDir, "index.html"));
  await copyFile(join(root, "client/inbox/style.css"), join(outDir, "assets/inbox.css"));
  if (entries.graph) await copyFile(join(root, "client/inbox/graph.css"), join(outDir, "assets/graph.css"));
  return ["inbox.js", "inbox.css", ...(entries.graph ? ["graph.js", "graph.css"] : [])];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const written = await buildInbox();
  process.stdout.write(`built dist/inbox (${written.join(", ")})\n`);
}
