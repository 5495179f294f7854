// The worker builds offline, and no Node-only API is used in src/core or src/server outside the Node and
// PostgreSQL entry folders: a Node import would work in every Node test and fail only at the edge.
import { spawnSync } from "node:child_process";
import { builtinModules } from "node:module";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { build, type Plugin } from "esbuild";
import { afterAll, expect, it } from "vitest";
import { ROOT } from "../helpers/backends.js";

const NODE_ONLY_FOLDERS = ["src/server/node/", "src/server/postgres/"];
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const isBuiltin = (spec: string) => spec.startsWith("node:") || builtins.has(spec) || builtins.has(spec.split("/")[0]!);

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function runtimeAgnosticSources(): Promise<string[]> {
  const out: string[] = [];
  for (const base of ["src/core", "src/server"]) {
    for (const entry of await readdir(join(ROOT, base), { recursive: true, withFileTypes: true })) {
      const path = relative(ROOT, join(entry.parentPath ?? entry.path, entry.name));
      if (entry.isFile() && path.endsWith(".ts") && !NODE_ONLY_FOLDERS.some((f) => path.startsWith(f))) out.push(path);
    }
  }
  return out.sort();
}

it("wrangler.toml does not turn on Node.js compatibility", async () => {
  const toml = await readFile(join(ROOT, "wrangler.toml"), "utf8");
  expect(toml).not.toMatch(/^\s*(compatibility_flags|node_compat)\s*=.*node/m);
});

it("the worker bundles offline with wrangler deploy --dry-run, importing nothing from outside the bundle", async () => {
  const outdir = await mkdtemp(join(tmpdir(), "sealdrop-worker-bundle-"));
  dirs.push(outdir);
  const result = spawnSync(join(ROOT, "node_modules", ".bin", "wrangler"), ["deploy", "--dry-run", "--outdir", outdir], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" },
  });
  expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
  const bundle = await readFile(join(outdir, "index.js"), "utf8");
  const imports = [...bundle.matchAll(/^\s*import\s[^;]*?from\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)|\brequire\(\s*["']([^"']+)["']\s*\)/gm)]
    .map((m) => m[1] ?? m[2] ?? m[3] ?? m[4]!)
    .filter((spec) => !spec.startsWith("cloudflare:"));
  expect(imports).toEqual([]);
});

it("every file of src/core and src/server outside the entry folders bundles for a neutral platform without Node builtins", async () => {
  const entryPoints = await runtimeAgnosticSources();
  expect(entryPoints).toContain("src/server/app.ts");
  expect(entryPoints).toContain("src/server/workers/index.ts");
  const offenders: string[] = [];
  const noNode: Plugin = {
    name: "no-node-builtins",
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (isBuiltin(args.path)) {
          offenders.push(`${relative(ROOT, args.importer)} imports ${args.path}`);
          return { path: args.path, external: true };
        }
        return undefined;
      });
    },
  };
  await build({
    absWorkingDir: ROOT,
    entryPoints,
    bundle: true,
    write: false,
    outdir: "out",
    platform: "neutral",
    format: "esm",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser", "import"],
    logLevel: "silent",
    plugins: [noNode],
  });
  expect(offenders).toEqual([]);
});

it("no Node globals (Buffer, process, __dirname, require) are used outside the entry folders", async () => {
  const uses: string[] = [];
  for (const path of await runtimeAgnosticSources()) {
    const code = (await readFile(join(ROOT, path), "utf8")).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
    for (const m of code.matchAll(/\b(Buffer|process|__dirname|__filename|require|setImmediate)\b\s*[.(]/g)) uses.push(`${path}: ${m[1]}`);
  }
  expect(uses).toEqual([]);
});
