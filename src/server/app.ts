// createApp(deps): the whole sealdrop server as one runtime-agnostic Hono app. Runtime entries (Node,
// Workers, PostgreSQL) only build the deps and, for the source page, a static file handler.
import { Hono, type MiddlewareHandler } from "hono";
import { POW_PATH } from "../core/pow.js";
import { type NewsroomResponse, type RosterResponse, setupRequest, type SetupResponse } from "../core/wire.js";
import { BodyGate, bodyLimits, bodyPolicy, readJson, reusableBody } from "./body.js";
import { type Deps, uploadLocks } from "./deps.js";
import { errorResponse, handleError, HttpError } from "./http-error.js";
import { anonymousWriteGuards } from "./middleware/anonymous-writes.js";
import { memoryBudgets } from "./middleware/budget-store.js";
import { securityHeaders } from "./middleware/security-headers.js";
import { initializeNewsroom, publicNewsroom } from "./newsroom.js";
import { DomainError } from "./domain-error.js";
import { appendRoster, publicRoster } from "./roster.js";
import { publicRetention } from "./retention.js";
import { editorRoutes } from "./routes/editor.js";
import { healthRoutes } from "./routes/health.js";
import { mailboxRoutes } from "./routes/mailbox.js";
import { DEFAULT_NOJS, installNoJs } from "./routes/nojs.js";
import { submissionRoutes } from "./routes/submissions.js";
import { uploadRoutes } from "./routes/uploads.js";
import { SubmissionStore } from "./submission-store.js";
import { resolveUploadQuotas } from "./upload-quotas.js";
import { equalBytes, utf8 } from "../core/bytes.js";
import { sha256 } from "@noble/hashes/sha2.js";

export interface AppOptions {
  /** Serves the source page's built files; requests it does not answer fall through to a 404. */
  client?: MiddlewareHandler;
  /**
   * The built page's index.html, into whose <noscript> the form without JavaScript goes (routes/nojs.ts);
   * without it (or with `config.nojs` false) `/` is the static page alone.
   */
  sourcePage?: () => Promise<string | null>;
}

export function createApp(deps: Deps, options: AppOptions = {}): Hono {
  const app = new Hono();
  const locks = uploadLocks(deps);
  const submissions = new SubmissionStore({ db: deps.db, blobs: deps.blobs, now: deps.now, locks });

  app.use("*", securityHeaders({ hsts: deps.config.https }));
  const bodies = bodyLimits(deps.config.bodies);
  app.use("*", bodyPolicy({ idleSeconds: bodies.idleSeconds }));
  // Invariant 6: no answer, a receipt least of all, leaves before the writes it follows are on disk.
  const durable = deps.durable;
  if (durable) {
    app.use("*", async (c, next) => {
      await next();
      // A server error acknowledges nothing (the sender is told to send again), and when the database
      // itself failed a sync cannot succeed either: let that answer through.
      if (c.res.status >= 500) return;
      try {
        await durable();
      } catch {
        // The write may be in the database but is not known to be on disk: say so, so the sender retries.
        console.error("sealdrop: internal error: the database log could not be synced to disk");
        c.res = c.json({ error: { code: "internal", message: "The server could not confirm that this was stored; send it again." } }, 500);
      }
    });
  }

  app.get("/api/newsroom", async (c) => {
    const newsroom = await publicNewsroom(deps.db);
    if (!newsroom) throw new HttpError(404, "not_found", "This tip line has not been set up yet.");
    // The page checks files against the operator's per-upload quota before it encrypts anything.
    const limits = { ...newsroom.limits, maxAttachmentBytes: resolveUploadQuotas(deps.config.uploads).maxUploadBytes };
    return c.json({ ...newsroom, limits, retention: publicRetention(deps.config.retention) } satisfies NewsroomResponse);
  });

  app.post("/api/setup", async (c) => {
    const token = deps.config.setupToken;
    const body = await readJson(c, setupRequest, 64 * 1024);
    // Compare digests so the comparison takes the same time whatever the lengths.
    if (!token || !equalBytes(sha256(utf8(body.token)), sha256(utf8(token)))) {
      throw new HttpError(403, "forbidden", "Setup is closed on this server, or the setup token is wrong.");
    }
    if ("roster" in body) {
      if (await deps.db.selectFrom("newsroom").select("id").executeTakeFirst()) {
        throw new DomainError("already_initialized", "This server already has a newsroom.");
      }
      await appendRoster(deps.db, body.roster.entries, deps.now());
    } else await initializeNewsroom(deps.db, body.newsroom, deps.now());
    return c.json({ initialized: true } satisfies SetupResponse, 201);
  });

  // Public: the page verifies the newsroom's keys from it (docs/FORMAT.md, "Newsroom root and roster").
  app.get("/api/roster", async (c) => {
    const roster = await publicRoster(deps.db);
    if (!roster) throw new HttpError(404, "not_found", "This newsroom has no roster yet.");
    return c.json(roster satisfies RosterResponse);
  });

  // Anonymous writes pass proof of work and budgets first (docs/SECURITY.md).
  const anonymousGate = new BodyGate(bodies.anonymousRequests, bodies.anonymousBytes, "The tip line is receiving as much as it can take right now; your browser will send this again.");
  // One set of budget stores for the page's requests and the form's (budget-store.ts).
  const budgets = deps.budgets ?? memoryBudgets();
  const guards = anonymousWriteGuards({ db: deps.db, now: deps.now, gate: anonymousGate, pow: deps.config.pow, rateLimits: deps.config.rateLimits, budgets, streamedParts: deps.blobs.writeUploadPartStream !== undefined });
  app.get(POW_PATH, guards.challenge);
  app.post("/api/uploads", guards.upload);
  // A part's bytes are on disk before its answer, and no part's buffer is needed after it (body.ts).
  app.put("/api/uploads/:id/parts/:part", reusableBody(), guards.part);
  app.post("/api/submissions", guards.submission);
  app.post("/api/mailbox", guards.mailbox);

  app.route("/api/uploads", uploadRoutes(deps, locks));
  app.route("/api/submissions", submissionRoutes(submissions));
  app.route("/api/mailbox", mailboxRoutes(deps));
  app.route("/api/editor", editorRoutes(deps, submissions));
  app.route("/api/health", healthRoutes(deps));

  // The page without JavaScript: `/` and `/replies` (docs/THREAT-MODEL.md, "The page without JavaScript").
  const nojs = deps.config.nojs === false ? { ...DEFAULT_NOJS, enabled: false } : { ...DEFAULT_NOJS, ...deps.config.nojs };
  if (nojs.enabled && options.sourcePage) installNoJs(app, { deps, submissions, sourcePage: options.sourcePage, config: nojs, gate: anonymousGate, budgets });

  app.all("/api/*", () => {
    throw new HttpError(404, "not_found", "No such API endpoint.");
  });
  if (options.client) app.use("*", options.client);

  app.notFound((c) => errorResponse(c, 404, "not_found", "Not found."));
  app.onError(handleError);
  return app;
}
