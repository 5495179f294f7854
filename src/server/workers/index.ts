// The Cloudflare Workers entry: D1 for rows, R2 for blobs, the built source page as static assets, and
// the same createApp as every other deployment. It only wires deps (see wrangler.toml for the bindings).
//
// Lifetime: one app per isolate, built on the isolate's first event and kept for its life, with the cached
// challenge key and the body gates (an isolate's bindings never change). The request budgets and the
// difficulty's loads are counted for every isolate in the BUDGETS Durable Object (budgets-object.ts), which
// this module exports. The cron trigger in wrangler.toml runs the maintenance job (maintenance.ts).
import type { Hono } from "hono";
import { Kysely } from "kysely";
import { createApp } from "../app.js";
import type { Database } from "../db/schema.js";
import type { Deps, ServerConfig } from "../deps.js";
import { eachAlone } from "../group-commit.js";
import { Maintenance } from "../maintenance.js";
import { parseRetentionDays, type RetentionPolicy } from "../retention.js";
import type { AssetsBinding, D1Database, DurableObjectNamespace, R2Bucket, ScheduledController } from "./bindings.js";
import { durableObjectBudgets } from "./budgets-object.js";
import { staticAssets } from "./assets.js";
import { D1Dialect } from "./d1-dialect.js";
import { conditionalUploads } from "./d1-upload-locks.js";
import { R2BlobStore } from "./r2-blob-store.js";
import { uploadQuotasFromEnv } from "../upload-quotas.js";

export { BudgetsObject } from "./budgets-object.js";

export interface Env {
  DB: D1Database;
  BLOBS: R2Bucket;
  ASSETS?: AssetsBinding;
  /**
   * The Durable Object that counts request budgets, the difficulty's loads and mailbox fetches' spent seeds
   * for every isolate (wrangler.toml). Unbound: each isolate counts in its own memory (docs/SECURITY.md).
   */
  BUDGETS?: DurableObjectNamespace;
  /** Secret (`wrangler secret put SEALDROP_SETUP_TOKEN`): allows `POST /api/setup` once. */
  SEALDROP_SETUP_TOKEN?: string;
  /** "false" turns HSTS off, e.g. for `wrangler dev` on plain http. Workers are served over https. */
  SEALDROP_HTTPS?: string;
  /** Request budgets (docs/SECURITY.md, "Rate limits"); unset: the defaults. */
  SEALDROP_ANONYMOUS_WRITES_PER_MINUTE?: string;
  SEALDROP_MAILBOX_FETCHES_PER_HOUR?: string;
  /** Retention (docs/DEPLOY.md, "Retention"): days to keep each kind of item; unset: forever. */
  SEALDROP_KEEP_SUBMISSIONS_DAYS?: string;
  SEALDROP_KEEP_REPLIES_DAYS?: string;
  SEALDROP_KEEP_NOTES_DAYS?: string;
  SEALDROP_KEEP_MAILBOXES_DAYS?: string;
  /** "true": delete a submission once every editor of its desk has pulled it. */
  SEALDROP_DELETE_PULLED_SUBMISSIONS?: string;
  /** Quotas and lifetime of unfinished uploads (docs/SECURITY.md, "Storage quotas"); unset: the defaults. */
  SEALDROP_PENDING_UPLOAD_BYTES?: string;
  SEALDROP_PENDING_UPLOADS?: string;
  SEALDROP_MAX_ATTACHMENT_BYTES?: string;
  SEALDROP_UPLOAD_EXPIRY_DAYS?: string;
  /** "false" turns the form for browsers without JavaScript off (routes/nojs.ts); on by default. */
  SEALDROP_NOJS?: string;
  /** Largest tip that form takes, in MiB (default 500; the Workers plan's request body limit applies too). */
  SEALDROP_NOJS_MAX_MIB?: string;
}

function count(env: Env, name: "SEALDROP_ANONYMOUS_WRITES_PER_MINUTE" | "SEALDROP_MAILBOX_FETCHES_PER_HOUR" | "SEALDROP_NOJS_MAX_MIB"): number | undefined {
  const text = env[name];
  if (text === undefined || text === "") return undefined;
  if (!/^\d{1,9}$/.test(text) || Number(text) < 1) throw new Error(`${name} must be a positive whole number`);
  return Number(text);
}

function rateLimits(env: Env): ServerConfig["rateLimits"] {
  const anonymousWritesPerMinute = count(env, "SEALDROP_ANONYMOUS_WRITES_PER_MINUTE");
  const mailboxFetchesPerHour = count(env, "SEALDROP_MAILBOX_FETCHES_PER_HOUR");
  return {
    ...(anonymousWritesPerMinute === undefined ? {} : { anonymousWritesPerMinute }),
    ...(mailboxFetchesPerHour === undefined ? {} : { mailboxFetchesPerHour }),
  };
}

type DaysVar = "SEALDROP_KEEP_SUBMISSIONS_DAYS" | "SEALDROP_KEEP_REPLIES_DAYS" | "SEALDROP_KEEP_NOTES_DAYS" | "SEALDROP_KEEP_MAILBOXES_DAYS";

function retention(env: Env): RetentionPolicy {
  const days = (name: DaysVar) => (env[name] === undefined || env[name] === "" ? undefined : parseRetentionDays(name, env[name]));
  const pulled = env.SEALDROP_DELETE_PULLED_SUBMISSIONS;
  if (pulled !== undefined && pulled !== "" && pulled !== "true" && pulled !== "false") throw new Error("SEALDROP_DELETE_PULLED_SUBMISSIONS must be true or false");
  return {
    submissionDays: days("SEALDROP_KEEP_SUBMISSIONS_DAYS"),
    submissionsWhenPulled: pulled === "true",
    replyDays: days("SEALDROP_KEEP_REPLIES_DAYS"),
    noteDays: days("SEALDROP_KEEP_NOTES_DAYS"),
    mailboxDays: days("SEALDROP_KEEP_MAILBOXES_DAYS"),
  };
}

function nojs(env: Env): ServerConfig["nojs"] {
  if (env.SEALDROP_NOJS === "false") return false;
  const mib = count(env, "SEALDROP_NOJS_MAX_MIB");
  return mib === undefined ? {} : { maxBytes: mib * 1024 * 1024 };
}

/** The built page's index.html from the static assets, for the form without JavaScript; null without one. */
function sourcePage(assets: AssetsBinding): () => Promise<string | null> {
  return async () => {
    const res = await assets.fetch(new Request("https://assets.invalid/"));
    return res.ok ? res.text() : null;
  };
}

export function createWorkerDeps(env: Env): Deps {
  const db = new Kysely<Database>({ dialect: new D1Dialect(env.DB) });
  const blobs = new R2BlobStore(env.BLOBS);
  return {
    db,
    blobs,
    // No lock spans isolates: a part and a submission's consumption are each decided by conditional statements.
    locks: conditionalUploads({ db, blobs, commit: eachAlone(db) }),
    now: () => new Date(),
    ...(env.BUDGETS ? { budgets: durableObjectBudgets(env.BUDGETS) } : {}),
    config: { setupToken: env.SEALDROP_SETUP_TOKEN || undefined, https: env.SEALDROP_HTTPS !== "false", rateLimits: rateLimits(env), retention: retention(env), uploads: uploadQuotasFromEnv(env), nojs: nojs(env) },
  };
}

interface Isolate {
  app: Hono;
  maintenance: Maintenance;
}

let isolate: Isolate | undefined;

function isolateFor(env: Env): Isolate {
  if (!isolate) {
    const deps = createWorkerDeps(env);
    isolate = {
      app: createApp(deps, env.ASSETS ? { client: staticAssets(env.ASSETS), sourcePage: sourcePage(env.ASSETS) } : {}),
      maintenance: new Maintenance({ db: deps.db, blobs: deps.blobs, now: deps.now, retention: deps.config.retention }),
    };
  }
  return isolate;
}

export default {
  fetch(request: Request, env: Env): Response | Promise<Response> {
    return isolateFor(env).app.fetch(request, env);
  },
  /** The cron trigger (wrangler.toml): one maintenance run, judged at the time it was scheduled for. */
  async scheduled(controller: ScheduledController, env: Env): Promise<void> {
    await isolateFor(env).maintenance.run({ now: new Date(controller.scheduledTime) });
  },
};
