// The path without JavaScript (issue 16; docs/THREAT-MODEL.md, "The page without JavaScript"): for Tor
// Browser at "Safest". `GET /` is the built page with the form written into its <noscript>; the form
// posts to `POST /`, where the server seals the tip as it arrives (src/server/nojs/tip.ts, seal.ts) in the
// same formats the page writes; `GET`/`POST /replies` let a source with a codename read replies and send
// more (nojs/keys.ts). The server makes, or is given, the codename for one request, derives what it needs
// in memory and forgets it with the request. No cookie, no state per visitor: a stateless signed check
// question (nojs/challenge.ts) and a budget of its own stand in for the proof of work a page without a
// script cannot do; every body waits its turn in the anonymous body gate and is cut off when it stalls,
// as the page's own bodies are (body.ts).
import type { Context, Hono } from "hono";
import { CodenameError } from "../../core/codename.js";
import { translator, type Language } from "../../i18n/index.js";
import { type BodyGate, bodyIdleMs, readBody } from "../body.js";
import type { Deps } from "../deps.js";
import { HttpError } from "../http-error.js";
import { type BudgetStores, memoryBudgets } from "../middleware/budget-store.js";
import { DEFAULT_RATE_LIMITS } from "../middleware/rate-limit.js";
import { publicNewsroom } from "../newsroom.js";
import { publicRetention } from "../retention.js";
import { compressed, FormAgain, isLanguage, languageOf, PageError, pageErrorOf, verdictText } from "../nojs/answers.js";
import { Challenges } from "../nojs/challenge.js";
import { heldBytes, type NoJsConfig, REPLIES_BODY_BYTES } from "../nojs/config.js";
import { Html, html } from "../nojs/html.js";
import { codenameProblem, type Keys, keysOf, openMailbox } from "../nojs/keys.js";
import { MultipartError, MultipartReader, multipartBoundary } from "../nojs/multipart.js";
import { documentOf, errorPage, mailboxPage, type PageContext, receiptPage, returnPage, startPage } from "../nojs/pages.js";
import { dropUpload } from "../nojs/seal.js";
import { receiveTip, withLanguage } from "../nojs/tip.js";
import type { SubmissionStore } from "../submission-store.js";

export { DEFAULT_NOJS, NOJS_CLIENT, type NoJsConfig } from "../nojs/config.js";

export interface NoJsOptions {
  deps: Deps;
  submissions: SubmissionStore;
  /** The built page (dist/client/index.html), whose <noscript> the form goes into; null if there is none. */
  sourcePage: () => Promise<string | null>;
  config: NoJsConfig;
  /** The anonymous body gate (app.ts): form posts share it with the page's uploads and submissions. */
  gate: BodyGate;
  /**
   * Where the form's budgets and mailbox openings' spent questions are counted: the `reads` tier, memory
   * only, since opening a mailbox must store nothing (budget-store.ts); default this process's.
   */
  budgets?: BudgetStores | undefined;
}

const notSetUp = () => new HttpError(404, "not_found", "This tip line has not been set up yet.");

export function installNoJs(app: Hono, options: NoJsOptions): void {
  const { deps, submissions, config, gate } = options;
  const { reads } = options.budgets ?? memoryBudgets();
  const challenges = new Challenges({ db: deps.db, now: deps.now, spentInMemory: reads });
  const openingsPerHour = deps.config.rateLimits === false ? Number.MAX_SAFE_INTEGER : (deps.config.rateLimits?.mailboxFetchesPerHour ?? DEFAULT_RATE_LIMITS.mailboxFetchesPerHour);
  const now = () => deps.now().getTime();
  const retention = publicRetention(deps.config.retention);

  let template: Promise<{ page: string; head: Html } | null> | undefined;
  const built = () =>
    (template ??= options.sourcePage().then(
      (page) => (page === null ? null : { page, head: new Html((page.match(/<link rel="stylesheet"[^>]*>/g) ?? []).join("")) }),
      () => null,
    )).then((t) => {
      if (t === null) template = undefined; // Tried again next time: the build may appear.
      return t;
    });

  const contextFor = async (lang: Language): Promise<PageContext | null> => {
    const newsroom = await publicNewsroom(deps.db);
    if (!newsroom) return null;
    return { lang, t: translator(lang), newsroom, retention, maxBytes: config.maxBytes, maxCleanBytes: config.maxCleanBytes };
  };

  /** A page of its own (the answers to a form): no script, the page's stylesheet. */
  const answer = async (c: Context, ctx: PageContext, body: Html, status = 200) => {
    const head = (await built())?.head ?? html``;
    return c.html(documentOf(ctx, head, body).text, status as 200);
  };

  const fail = async (c: Context, ctx: PageContext, e: unknown, path: string) => {
    const error = pageErrorOf(e, config.maxBytes);
    for (const [k, v] of Object.entries(error.headers)) c.header(k, v);
    return answer(c, ctx, errorPage(ctx, error.text(ctx), path), error.status);
  };

  // Tips and mailbox openings draw on one budget, in the tier a mailbox opening may use.
  const takePost = async () => {
    const admitted = await reads.take({ budget: "nojs-posts", key: "all", limit: config.postsPerMinute, windowSeconds: 60, nowMs: now() });
    if (!admitted.ok) throw new PageError(429, (ctx) => ctx.t("error_rate_limited"), { "Retry-After": String(admitted.retryAfterSeconds) });
  };

  app.get("/", async (c, next) => {
    if (!config.enabled) return next();
    const [page, ctx] = await Promise.all([built(), contextFor(languageOf(c))]);
    if (page === null || ctx === null) return next();
    const body = startPage(ctx, { question: await challenges.issue() });
    // The form replaces the <noscript> text; with JavaScript the browser ignores it and the script draws the page.
    // Nothing else changes: the page outside its <noscript> stays byte for byte the build's (and the form holds
    // no "<", so no "</noscript>" either, but what html`` wrote).
    const out = page.page.replace(/<noscript>[\s\S]*?<\/noscript>/, () => `<noscript>${body.text}</noscript>`);
    return compressed(c, out);
  });

  app.post("/", async (c, next) => {
    if (!config.enabled) return next();
    const ctx0 = await contextFor(languageOf(c));
    if (ctx0 === null) throw notSetUp();
    let ctx = ctx0;
    const uploads: string[] = [];
    let reader: MultipartReader | null = null;
    try {
      await takePost();
      const boundary = multipartBoundary(c.req.header("content-type"));
      const body = c.req.raw.body;
      if (boundary === null || body === null) throw new PageError(415, (x) => x.t("nojsFailed", { code: "unsupported_media_type" }));
      const declared = Number(c.req.header("content-length") ?? "0");
      if (declared > config.maxBytes) throw new MultipartError("too_large", "declared too large");
      // Room for what this request may hold in memory at once, not for its whole body: files stream through.
      return await gate.hold(c, heldBytes(config), async () => {
        reader = new MultipartReader(body, boundary, config.maxBytes, bodyIdleMs(c));
        try {
          const result = await receiveTip(reader, ctx0, { deps, submissions, challenges, config, uploads, onLanguage: (x) => (ctx = x) });
          return await answer(c, ctx, receiptPage(ctx, result));
        } catch (e) {
          if (!(e instanceof FormAgain)) throw e;
          for (const id of uploads.splice(0)) await dropUpload(deps, id);
          // Read the rest of the body (discarding it), so the browser, still sending files, sees the answer.
          await drain(reader);
          const form = { question: await challenges.issue(), error: e.error(ctx), ...e.kept };
          if (e.kept.codename !== undefined) {
            // A follow-up comes back to the mailbox page, whose replies are opened again.
            const opened = await openMailbox(deps, await keysOf(e.kept.codename, ctx));
            return answer(c, ctx, mailboxPage(ctx, { ...opened, form }), e.status);
          }
          return answer(c, ctx, startPage(ctx, form), e.status);
        }
      });
    } catch (e) {
      for (const id of uploads) await dropUpload(deps, id);
      await (reader as MultipartReader | null)?.cancel();
      return fail(c, ctx, e, "/");
    }
  });

  app.get("/replies", async (c, next) => {
    if (!config.enabled) return next();
    const ctx = await contextFor(languageOf(c));
    if (ctx === null) return next();
    return answer(c, ctx, returnPage(ctx, { question: await challenges.issue() }));
  });

  app.post("/replies", async (c, next) => {
    if (!config.enabled) return next();
    const ctx0 = await contextFor(languageOf(c));
    if (ctx0 === null) throw notSetUp();
    let ctx = ctx0;
    try {
      await takePost();
      const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
      if (type !== "application/x-www-form-urlencoded") throw new PageError(415, (x) => x.t("nojsFailed", { code: "unsupported_media_type" }));
      const bytes = await gate.hold(c, REPLIES_BODY_BYTES, () => readBody(c, REPLIES_BODY_BYTES));
      let fields: URLSearchParams;
      try {
        fields = new URLSearchParams(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
      } catch {
        throw new PageError(400, (x) => x.t("nojsFailed", { code: "bad_request" }));
      }
      const lang = fields.get("lang");
      if (lang !== null && isLanguage(lang)) ctx = withLanguage(ctx0, lang);
      const again = async (error: string, answerInvalid: boolean, status: number) =>
        answer(c, ctx, returnPage(ctx, { question: await challenges.issue(), error, answerInvalid }), status);
      // Opening a mailbox stores nothing: its question is spent in memory (nojs/challenge.ts).
      const verdict = await challenges.check(fields.get("challenge") ?? "", fields.get("answer") ?? "", "memory");
      if (verdict !== "ok") return await again(verdictText(verdict)(ctx), true, 403);
      const phrase = fields.get("codename") ?? "";
      if (phrase.trim() === "") return await again(ctx.t("nojsCodenameRequired"), false, 400);
      let keys: Keys;
      try {
        keys = await keysOf(phrase, ctx);
      } catch (e) {
        if (e instanceof CodenameError) return await again(codenameProblem(ctx, phrase, e), false, 400);
        throw e;
      }
      const admitted = await reads.take({ budget: "nojs-openings-per-mailbox", key: keys.keys.mailboxId, limit: openingsPerHour, windowSeconds: 3600, nowMs: now() });
      if (!admitted.ok) throw new PageError(429, (x) => x.t("error_rate_limited"), { "Retry-After": String(admitted.retryAfterSeconds) });
      const opened = await openMailbox(deps, keys);
      return await answer(c, ctx, mailboxPage(ctx, { ...opened, form: { question: await challenges.issue(), codename: keys.phrase } }));
    } catch (e) {
      return fail(c, ctx, e, "/replies");
    }
  });
}

/** Reads and discards what is left of a body, up to the reader's limit and idle time. */
async function drain(reader: MultipartReader): Promise<void> {
  try {
    while ((await reader.next()) !== null);
  } catch {
    await reader.cancel();
  }
}
