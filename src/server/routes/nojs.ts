// The path without JavaScript (issue 16; docs/THREAT-MODEL.md, "The page without JavaScript"): for Tor
// Browser at "Safest". `GET /` is the built page with the form written into its <noscript>; the form
// posts to `POST /`, where the server seals the tip as it arrives (src/server/nojs/seal.ts) in the same
// formats the page writes; `GET`/`POST /replies` let a source with a codename read replies and send
// more. The server makes, or is given, the codename for one request, derives what it needs in memory
// and forgets it with the request. No cookie, no state per visitor: a stateless signed check question
// (src/server/nojs/challenge.ts) and a budget of its own stand in for the proof of work a page without
// a script cannot do.
import { wordlist as english } from "@scure/bip39/wordlists/english.js";
import { wordlist as chinese } from "@scure/bip39/wordlists/simplified-chinese.js";
import { bip39Korean, sharedKorean } from "../../core/wordlists/korean.js";
import type { Context, Hono } from "hono";
import { fileSize } from "../../../client/format.js";
import { fromBase64, toBase64 } from "../../core/bytes.js";
import { CodenameError, codenameToPhrase, newCodenameEntropy, phraseToCodename, phraseWords } from "../../core/codename.js";
import { deriveSourceKeys, keyKindOf, type SourceKeys } from "../../core/derive.js";
import { type AttachmentManifest, type Envelope, MAX_ATTACHMENTS, MAX_MESSAGE_CHARS, sealEnvelope } from "../../core/envelope.js";
import { openJson, type Reply, replySchema } from "../../core/messages.js";
import { LIMITS } from "../../core/wire.js";
import { chooseLanguage, LANGUAGES, type Language, translator } from "../../i18n/index.js";
import { readBody } from "../body.js";
import type { Deps } from "../deps.js";
import { DomainError } from "../domain-error.js";
import { HttpError } from "../http-error.js";
import { DEFAULT_RATE_LIMITS, RateLimiter } from "../middleware/rate-limit.js";
import { publicNewsroom } from "../newsroom.js";
import { Challenges, type Verdict } from "../nojs/challenge.js";
import { Html, html } from "../nojs/html.js";
import { MultipartError, MultipartReader, multipartBoundary } from "../nojs/multipart.js";
import { documentOf, errorPage, mailboxPage, type PageContext, receiptPage, returnPage, startPage, type FileOutcome } from "../nojs/pages.js";
import { dropUpload, sealFile, UploadQuotaError } from "../nojs/seal.js";
import type { SubmissionStore } from "../submission-store.js";
import { StoreUnavailableError } from "../unavailable.js";
import { mailboxReplies } from "./mailbox.js";

export const NOJS_CLIENT = "sealdrop-nojs/0.1.0";

export interface NoJsConfig {
  /** Serve the form without JavaScript; off, `/` is the built page alone (its <noscript> asks for JavaScript). */
  enabled: boolean;
  /** Largest request body a form may post: message, files and all. */
  maxBytes: number;
  /** Largest picture the server cleans of metadata; a larger one is sealed as it is, and the receipt says so. */
  maxCleanBytes: number;
  /** Form posts (tips, follow-ups, mailbox openings) the whole server takes per minute. */
  postsPerMinute: number;
}

export const DEFAULT_NOJS: NoJsConfig = { enabled: true, maxBytes: 500 * 1024 ** 2, maxCleanBytes: 64 * 1024 ** 2, postsPerMinute: 60 };

export interface NoJsOptions {
  deps: Deps;
  submissions: SubmissionStore;
  /** The built page (dist/client/index.html), whose <noscript> the form goes into; null if there is none. */
  sourcePage: () => Promise<string | null>;
  config: NoJsConfig;
}

const WORDLISTS: Record<Language, readonly string[]> = { en: english, ko: sharedKorean, zh: chinese };
/** What a typed phrase may be in: the lists codenames are given in, and BIP39's Korean of earlier codenames. */
const DECODE_LISTS: readonly (readonly string[])[] = [...Object.values(WORDLISTS), bip39Korean];
/** Each list's words as typed input is compared (NFKD), to tell which list a phrase is in. */
const WORD_SETS = DECODE_LISTS.map((list) => ({ list, words: new Set(list.map((w) => w.normalize("NFKD"))) }));
const isLanguage = (s: string): s is Language => (LANGUAGES as readonly string[]).includes(s);

/** The page language: the form's `lang` field, else `?lang=`, else Accept-Language, else English. */
function languageOf(c: Context, field?: string | null): Language {
  if (field && isLanguage(field)) return field;
  const preferred = (c.req.header("accept-language") ?? "").split(",").map((p) => p.split(";")[0]!.trim()).filter(Boolean);
  return chooseLanguage(new URL(c.req.url).search, preferred);
}

/** A failure shown as a page, with the status an API client would get. */
class PageError extends Error {
  constructor(
    readonly status: 400 | 404 | 413 | 415 | 429 | 500 | 503,
    readonly text: (ctx: PageContext) => string,
    readonly headers: Record<string, string> = {},
  ) {
    super("nojs page error");
  }
}

/** A form to show again, with what the source wrote and why it came back. */
class FormAgain extends Error {
  constructor(
    readonly status: 400 | 403,
    readonly error: (ctx: PageContext) => string,
    readonly kept: { message?: string; desk?: string; codename?: string; answerInvalid?: boolean },
  ) {
    super("nojs form again");
  }
}

const verdictText = (verdict: Exclude<Verdict, "ok">) => (ctx: PageContext) => ctx.t(verdict === "wrong" ? "nojsWrongAnswer" : "nojsExpired");

export function installNoJs(app: Hono, options: NoJsOptions): void {
  const { deps, submissions, config } = options;
  const challenges = new Challenges({ db: deps.db, now: deps.now });
  const posts = new RateLimiter(config.postsPerMinute, 60);
  const mailboxFetches = new RateLimiter(deps.config.rateLimits === false ? Number.MAX_SAFE_INTEGER : (deps.config.rateLimits?.mailboxFetchesPerHour ?? DEFAULT_RATE_LIMITS.mailboxFetchesPerHour), 3600);
  const now = () => deps.now().getTime();

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
    return { lang, t: translator(lang), newsroom, maxBytes: config.maxBytes, maxCleanBytes: config.maxCleanBytes };
  };

  /** A page of its own (the answers to a form): no script, the page's stylesheet. */
  const answer = async (c: Context, ctx: PageContext, body: Html, status = 200) => {
    const head = (await built())?.head ?? html``;
    return c.html(documentOf(ctx, head, body).text, status as 200);
  };

  const takePost = () => {
    const admitted = posts.take("all", now());
    if (!admitted.ok) throw new PageError(429, (ctx) => ctx.t("error_rate_limited"), { "Retry-After": String(admitted.retryAfterSeconds) });
  };

  const fail = async (c: Context, ctx: PageContext, e: unknown, path: string) => {
    if (e instanceof PageError) {
      for (const [k, v] of Object.entries(e.headers)) c.header(k, v);
      return answer(c, ctx, errorPage(ctx, e.text(ctx), path), e.status);
    }
    if (e instanceof MultipartError) {
      const status = e.reason === "too_large" ? 413 : 400;
      return answer(c, ctx, errorPage(ctx, e.reason === "too_large" ? ctx.t("nojsTooLarge", { max: sizeText(ctx, config.maxBytes) }) : ctx.t("nojsFailed", { code: "bad_request" }), path), status);
    }
    if (e instanceof UploadQuotaError) {
      c.header("Retry-After", "600");
      return answer(c, ctx, errorPage(ctx, ctx.t("error_upload_quota_exceeded"), path), 429);
    }
    if (e instanceof DomainError) return answer(c, ctx, errorPage(ctx, ctx.t("nojsFailed", { code: e.code }), path), 400);
    if (e instanceof StoreUnavailableError) {
      c.header("Retry-After", "30");
      return answer(c, ctx, errorPage(ctx, ctx.t("error_unavailable"), path), 503);
    }
    // Unexpected: say nothing specific, and log no request data (it may identify a source).
    console.error(`sealdrop: internal error (page without JavaScript): ${e instanceof Error ? e.name : "error"}`);
    return answer(c, ctx, errorPage(ctx, ctx.t("nojsFailed", { code: "internal" }), path), 500);
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
    if (ctx0 === null) throw new HttpError(404, "not_found", "This tip line has not been set up yet.");
    let ctx = ctx0;
    const uploads: string[] = [];
    let reader: MultipartReader | null = null;
    try {
      takePost();
      const boundary = multipartBoundary(c.req.header("content-type"));
      const body = c.req.raw.body;
      if (boundary === null || body === null) throw new PageError(415, (x) => x.t("nojsFailed", { code: "unsupported_media_type" }));
      const declared = Number(c.req.header("content-length") ?? "0");
      if (declared > config.maxBytes) throw new MultipartError("too_large", "declared too large");
      reader = new MultipartReader(body, boundary, config.maxBytes);
      const result = await receiveTip(reader, ctx0, uploads, (lang) => (ctx = { ...ctx0, lang, t: translator(lang) }));
      return await answer(c, ctx, receiptPage(ctx, result));
    } catch (e) {
      for (const id of uploads) await dropUpload(deps, id);
      if (e instanceof FormAgain) {
        // Read the rest of the body (discarding it), so the browser, still sending files, sees the answer.
        await drain(reader);
        const form = { question: await challenges.issue(), error: e.error(ctx), ...e.kept };
        if (e.kept.codename !== undefined) {
          // A follow-up comes back to the mailbox page, whose replies are opened again.
          const opened = await openMailbox(await keysOf(e.kept.codename, ctx));
          return answer(c, ctx, mailboxPage(ctx, { ...opened, form }), e.status);
        }
        return answer(c, ctx, startPage(ctx, form), e.status);
      }
      await reader?.cancel();
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
    if (ctx0 === null) throw new HttpError(404, "not_found", "This tip line has not been set up yet.");
    let ctx = ctx0;
    try {
      takePost();
      const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
      if (type !== "application/x-www-form-urlencoded") throw new PageError(415, (x) => x.t("nojsFailed", { code: "unsupported_media_type" }));
      let fields: URLSearchParams;
      try {
        fields = new URLSearchParams(new TextDecoder("utf-8", { fatal: true }).decode(await readBody(c, 16 * 1024)));
      } catch {
        throw new PageError(400, (x) => x.t("nojsFailed", { code: "bad_request" }));
      }
      const lang = fields.get("lang");
      if (lang !== null && isLanguage(lang)) ctx = { ...ctx0, lang, t: translator(lang) };
      const again = async (error: string, answerInvalid: boolean, status: number) =>
        answer(c, ctx, returnPage(ctx, { question: await challenges.issue(), error, answerInvalid }), status);
      const verdict = await challenges.check(fields.get("challenge") ?? "", fields.get("answer") ?? "");
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
      const admitted = mailboxFetches.take(keys.keys.mailboxId, now());
      if (!admitted.ok) throw new PageError(429, (x) => x.t("error_rate_limited"), { "Retry-After": String(admitted.retryAfterSeconds) });
      const opened = await openMailbox(keys);
      return await answer(c, ctx, mailboxPage(ctx, { ...opened, form: { question: await challenges.issue(), codename: keys.phrase } }));
    } catch (e) {
      return fail(c, ctx, e, "/replies");
    }
  });

  interface Keys {
    keys: SourceKeys;
    /** The codename in the words of its own list, as the follow-up form carries it back. */
    phrase: string;
  }

  /** Decodes a typed codename in any of the lists and derives its keys (of the newsroom's kind). */
  async function keysOf(phrase: string, ctx: PageContext): Promise<Keys> {
    const entropy = phraseToCodename(phrase, DECODE_LISTS);
    try {
      const words = phraseWords(phrase);
      const list = WORD_SETS.find((s) => words.every((w) => s.words.has(w)))?.list ?? WORDLISTS[ctx.lang];
      const kind = keyKindOf(ctx.newsroom.desks.find((d) => d.recipients.length > 0)?.recipients[0] ?? "");
      return { keys: await deriveSourceKeys(entropy, kind), phrase: codenameToPhrase(entropy, list) };
    } finally {
      entropy.fill(0);
    }
  }

  async function openMailbox(keys: Keys): Promise<{ replies: Reply[]; unreadable: number }> {
    const found = await mailboxReplies(deps, keys.keys.mailboxId, keys.keys.mailboxCredential);
    const replies: Reply[] = [];
    let unreadable = 0;
    for (const item of found) {
      try {
        replies.push(await openJson(replySchema, fromBase64(item.ciphertext), [keys.keys.replyIdentity]));
      } catch {
        unreadable++;
      }
    }
    return { replies, unreadable };
  }

  /**
   * Reads a tip form's parts in order and seals it. Everything checked (language, question, desk, codename)
   * comes before the files in the form, so a refused request has no file read; the message is held in
   * memory until the envelope is sealed, the files are sealed as they arrive.
   */
  async function receiveTip(reader: MultipartReader, ctx0: PageContext, uploads: string[], setLang: (lang: Language) => PageContext) {
    let ctx = ctx0;
    let token = "";
    let verified = false;
    let message = "";
    let deskId: string | null = null;
    let codename: string | null = null;
    let keep = false;
    let followupKeys: Keys | null = null;
    const attachments: AttachmentManifest[] = [];
    const files: FileOutcome[] = [];
    const kept = () => ({ message, ...(deskId === null ? {} : { desk: deskId }), ...(codename === null ? {} : { codename }) });
    const desk = () => ctx.newsroom.desks.find((d) => d.id === deskId && d.recipients.length > 0);
    for (let part = await reader.next(); part !== null; part = await reader.next()) {
      if (part.filename !== null) {
        if (!verified || desk() === undefined) throw new PageError(400, (x) => x.t("nojsFailed", { code: "bad_request" }));
        const chunks = reader.chunks();
        if (part.filename === "") {
          // An empty file input still sends a part, with no name and no bytes.
          for await (const piece of chunks) if (piece.length > 0) throw new PageError(400, (x) => x.t("nojsFailed", { code: "bad_request" }));
          continue;
        }
        if (attachments.length >= MAX_ATTACHMENTS) throw new FormAgain(400, (x) => x.t("errorTooManyFiles", { max: MAX_ATTACHMENTS }), kept());
        const sealed = await sealFile(deps, chunks, { name: part.filename, type: part.type }, desk()!.recipients, { maxCleanBytes: config.maxCleanBytes });
        uploads.push(sealed.uploadId);
        attachments.push(sealed.manifest);
        files.push({ name: sealed.manifest.name, result: sealed.media });
        continue;
      }
      switch (part.name) {
        case "lang": {
          const lang = await reader.text(16);
          if (isLanguage(lang)) ctx = setLang(lang);
          break;
        }
        case "challenge":
          token = await reader.text(256);
          break;
        case "desk":
          deskId = await reader.text(64);
          break;
        case "codename":
          codename = await reader.text(4096);
          break;
        case "message":
          // Browsers send a textarea's line breaks as CRLF; the page's script sends what the textarea holds (LF).
          message = (await reader.text(MAX_MESSAGE_CHARS * 4)).replace(/\r\n?/g, "\n");
          break;
        case "keep-codename":
          keep = (await reader.text(16)) !== "";
          break;
        case "answer": {
          const verdict = await challenges.check(token, await reader.text(64));
          if (verdict !== "ok") throw new FormAgain(403, verdictText(verdict), { ...kept(), answerInvalid: true });
          if (desk() === undefined) throw new PageError(400, (x) => x.t("error_unknown_desk"));
          // A follow-up's codename came back from the mailbox page: decoded here, before any file.
          if (codename !== null) followupKeys = await keysOf(codename, ctx).catch(() => Promise.reject(new PageError(400, (x) => x.t("codenameChecksum"))));
          verified = true;
          break;
        }
        default:
          for await (const _ of reader.chunks());
      }
    }
    if (!verified) throw new PageError(400, (x) => x.t("nojsFailed", { code: "bad_request" }));
    if (message.length > MAX_MESSAGE_CHARS) throw new FormAgain(400, (x) => x.t("errorMessageTooLong", { max: MAX_MESSAGE_CHARS }), kept());
    if (message.trim() === "" && attachments.length === 0) throw new FormAgain(400, (x) => x.t("errorEmpty"), kept());
    const recipients = desk()!.recipients;

    // The reply channel: the returning source's, or a new codename's; derived here and forgotten with the request.
    let words: string[] | null = null;
    let channel: Keys | null = null;
    if (followupKeys !== null) channel = followupKeys;
    else if (keep) {
      const entropy = newCodenameEntropy();
      try {
        const phrase = codenameToPhrase(entropy, WORDLISTS[ctx.lang]);
        channel = { keys: await deriveSourceKeys(entropy, keyKindOf(recipients[0]!)), phrase };
        words = phrase.split(" ");
      } finally {
        entropy.fill(0);
      }
    }
    const envelope: Envelope = {
      v: 1,
      kind: codename !== null ? "followup" : "submission",
      desk: deskId!,
      message,
      fields: {},
      attachments,
      reply: channel ? { recipient: channel.keys.replyRecipient, mailbox: { id: channel.keys.mailboxId, credential: channel.keys.mailboxCredential } } : null,
      client: NOJS_CLIENT,
      lang: ctx.lang,
    };
    const sealed = await sealEnvelope(envelope, recipients);
    if (sealed.length > LIMITS.maxEnvelopeBytes) throw new PageError(413, (x) => x.t("nojsTooLarge", { max: sizeText(x, LIMITS.maxEnvelopeBytes) }));
    const receipt = await submissions.store({ desk: deskId!, envelopeBase64: toBase64(sealed), envelopeSize: sealed.length, attachments: uploads });
    // Stored: the uploads are the submission's now.
    uploads.length = 0;
    return { id: receipt.id, words, followup: codename !== null, files };
  }
}

/**
 * The page gzipped for a browser that accepts it (CompressionStream: the same on Node and Workers), as the
 * build's own files are: the first visit on a slow link downloads a fraction of it.
 */
async function compressed(c: Context, text: string): Promise<Response> {
  const accepts = (c.req.header("accept-encoding") ?? "").split(",").some((p) => {
    const [name, ...params] = p.trim().toLowerCase().split(";");
    return name === "gzip" && !params.some((x) => x.trim() === "q=0");
  });
  if (!accepts) return c.html(text, 200, { Vary: "Accept-Encoding" });
  const gzipped = new Uint8Array(await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
  const headers = new Headers({ "Content-Type": "text/html; charset=UTF-8", "Content-Encoding": "gzip", "Content-Length": String(gzipped.length), Vary: "Accept-Encoding" });
  // Sent as it is: workerd would otherwise compress a body marked gzip once more (workers/assets.ts does the same).
  return new Response(gzipped, { status: 200, headers, encodeBody: "manual" } as ResponseInit);
}

function codenameProblem(ctx: PageContext, phrase: string, e: CodenameError): string {
  switch (e.reason) {
    case "word_count":
      return ctx.t("codenameWordCount", { n: phraseWords(phrase).length });
    case "unknown_word":
      return ctx.t("codenameUnknownWords", { positions: e.positions.join(", ") });
    case "checksum":
      return ctx.t("codenameChecksum");
  }
}

const sizeText = (ctx: PageContext, bytes: number) => fileSize(ctx.t, bytes);

/** Reads and discards what is left of a body, up to the reader's limit. */
async function drain(reader: MultipartReader | null): Promise<void> {
  if (!reader) return;
  try {
    while ((await reader.next()) !== null);
  } catch {
    await reader.cancel();
  }
}
