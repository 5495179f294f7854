#!/usr/bin/env node
// The `sealdrop` command. `npm run build` makes dist/node/cli/sealdrop.mjs (scripts/build-cli.ts), which
// runs on plain Node; while that file is missing, or older than any source it was built from, the
// TypeScript sources run through tsx instead, so an edit is never shadowed by a stale build.
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const built = `${root}dist/node/cli/sealdrop.mjs`;

function freshBuild() {
  try {
    const builtAt = statSync(built).mtimeMs;
    const inputs = JSON.parse(readFileSync(`${root}dist/node/cli/inputs.json`, "utf8"));
    return inputs.every((p) => statSync(`${root}${p}`).mtimeMs <= builtAt);
  } catch {
    return false;
  }
}

if (process.env.SEALDROP_FROM_SOURCE !== "1" && freshBuild()) {
  await import(built);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/cli/main.ts");
}
