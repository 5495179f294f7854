// The Cloudflare Workers entry: D1 for rows, R2 for blobs, the built source page as static assets, and
// the same createApp as every other deployment. It only wires deps (see wrangler.toml for the bindings).
import { Kysely } from "kysely";
import { createApp } from "../app.js";
import type { Database } from "../db/schema.js";
import type { Deps } from "../deps.js";
import type { AssetsBinding, D1Database, R2Bucket } from "./bindings.js";
import { staticAssets } from "./assets.js";
import { D1Dialect } from "./d1-dialect.js";
import { R2BlobStore } from "./r2-blob-store.js";

export interface Env {
  DB: D1Database;
  BLOBS: R2Bucket;
  ASSETS?: AssetsBinding;
  /** Secret (`wrangler secret put SEALDROP_SETUP_TOKEN`): allows `POST /api/setup` once. */
  SEALDROP_SETUP_TOKEN?: string;
  /** "false" turns HSTS off, e.g. for `wrangler dev` on plain http. Workers are served over https. */
  SEALDROP_HTTPS?: string;
}

export function createWorkerDeps(env: Env): Deps {
  return {
    db: new Kysely<Database>({ dialect: new D1Dialect(env.DB) }),
    blobs: new R2BlobStore(env.BLOBS),
    now: () => new Date(),
    config: { setupToken: env.SEALDROP_SETUP_TOKEN || undefined, https: env.SEALDROP_HTTPS !== "false" },
  };
}

export default {
  fetch(request: Request, env: Env): Response | Promise<Response> {
    const app = createApp(createWorkerDeps(env), env.ASSETS ? { client: staticAssets(env.ASSETS) } : {});
    return app.fetch(request, env);
  },
};
