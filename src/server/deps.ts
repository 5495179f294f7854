import type { Kysely } from "kysely";
import type { BlobStore } from "./blobs.js";
import type { Database } from "./db/schema.js";
import { eachAlone, type Committer } from "./group-commit.js";
import type { BudgetStores } from "./middleware/budget-store.js";
import type { PowConfig } from "./middleware/pow.js";
import type { RateLimitOptions } from "./middleware/rate-limit.js";
import type { BodyLimits } from "./body.js";
import type { RetentionPolicy } from "./retention.js";
import type { UploadQuotas } from "./upload-quotas.js";
import { inProcessLocks, type UploadLocks } from "./upload-locks.js";
import type { NoJsConfig } from "./routes/nojs.js";

export interface ServerConfig {
  /** Token that allows `POST /api/setup` to create the newsroom once. Unset: setup only via the CLI. */
  setupToken?: string | undefined;
  /** Send HSTS; set when served over https (not for onion services or plain loopback). */
  https: boolean;
  /** Proof of work for anonymous writes (docs/SECURITY.md); on unless `false` or `{ enabled: false }`. */
  pow?: Partial<PowConfig> | false | undefined;
  /** Request budgets (docs/SECURITY.md), counted in `Deps.budgets`; on unless `false`. */
  rateLimits?: RateLimitOptions | false | undefined;
  /** What expires, and when (retention.ts); unset: nothing does. Told to sources in GET /api/newsroom. */
  retention?: RetentionPolicy | undefined;
  /** Room for unfinished uploads and their lifetime (upload-quotas.ts); unset fields keep the defaults. */
  uploads?: Partial<UploadQuotas> | undefined;
  /** How many bodies may be read at once and how long one may stall (body.ts, docs/SECURITY.md). */
  bodies?: Partial<BodyLimits> | undefined;
  /** The page without JavaScript (routes/nojs.ts); on unless `false` or `{ enabled: false }`. */
  nojs?: Partial<NoJsConfig> | false | undefined;
}

export interface Deps {
  db: Kysely<Database>;
  blobs: BlobStore;
  /** Injected so tests can move time; the app only ever stores coarse days derived from it. */
  now: () => Date;
  config: ServerConfig;
  /** How acknowledged writes commit; default one transaction each (group-commit.ts). */
  commit?: Committer | undefined;
  /**
   * Resolves once every write committed so far is on disk, for deployments whose commits return before
   * that (the Node server's SQLite, database.ts). The app awaits it before every response.
   */
  durable?: (() => Promise<void>) | undefined;
  /**
   * Called after deletions so the deleted bytes leave the database files: the Node server's SQLite runs a
   * TRUNCATE checkpoint (secure_delete is always on, so freed pages are zeroed and the WAL is emptied).
   * PostgreSQL and D1 have none (docs/THREAT-MODEL.md, "Retention and deletion").
   */
  scrub?: (() => Promise<void>) | undefined;
  /**
   * How work on one upload is serialised (upload-locks.ts): default an in-process lock, right while one
   * process owns the store; PostgreSQL's nodes share advisory locks instead (postgres/advisory-locks.ts);
   * Workers' isolates none, their statements being conditional (workers/d1-upload-locks.ts).
   */
  locks?: UploadLocks | undefined;
  /**
   * Where request budgets, the difficulty's loads and mailbox fetches' spent seeds are counted
   * (middleware/budget-store.ts); default this process's memory, right while one process serves.
   * PostgreSQL's nodes share tables (postgres/pg-budgets.ts), Workers isolates a Durable Object.
   */
  budgets?: BudgetStores | undefined;
}

/** The deployment's committer for write transactions. */
export const committer = (deps: Deps): Committer => deps.commit ?? eachAlone(deps.db);

/** The deployment's upload locks; the app makes them once and shares them between its routes. */
export const uploadLocks = (deps: Deps): UploadLocks => deps.locks ?? inProcessLocks({ db: deps.db, blobs: deps.blobs, commit: committer(deps) });
