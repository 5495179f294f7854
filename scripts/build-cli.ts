// `npm run build:cli`: the `sealdrop` command (CLI and server) as one JavaScript file for plain Node,
// dist/node/cli/sealdrop.mjs, so a running server does not carry a TypeScript loader (tsx runs its
// hooks on a second thread: ~60 MiB more resident memory). How it is bundled: scripts/cli-bundle.ts.
// bin/sealdrop.js runs this file only while it is newer than every source it was built from, and the
// sources through tsx otherwise, so an edit is never shadowed by a stale build.
//
// The file sits three folders deep, like src/server/node/*.ts, so paths found from import.meta.url
// (migrations/, dist/client/) resolve to the same places from both.
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { bundleCli } from "./cli-bundle.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const outfile = `${root}dist/node/cli/sealdrop.mjs`;
const inputs = await bundleCli(root, `${root}dist/node/cli`);
await writeFile(`${root}dist/node/cli/inputs.json`, `${JSON.stringify(inputs, null, 1)}\n`);
process.stdout.write(`built ${outfile.slice(root.length)} from ${inputs.length} sources\n`);
