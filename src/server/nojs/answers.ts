// How the page without JavaScript answers: in the source's language, as a whole HTML page (never JSON),
// with the status an API client would get; failures as pages that say what to do, and the form again
// (what the source wrote kept) when only the check question or the message was wrong.
import type { Context } from "hono";
import { fileSize } from "../../../client/format.js";
import { chooseLanguage, LANGUAGES, type Language } from "../../i18n/index.js";
import { DomainError } from "../domain-error.js";
import { HttpError } from "../http-error.js";
import { StoreUnavailableError } from "../unavailable.js";
import type { Verdict } from "./challenge.js";
import { MultipartError } from "./multipart.js";
import type { PageContext } from "./pages.js";
import { UploadQuotaError } from "./seal.js";

export const isLanguage = (s: string): s is Language => (LANGUAGES as readonly string[]).includes(s);

/** The page language: the form's `lang` field, else `?lang=`, else Accept-Language, else English. */
export function languageOf(c: Context, field?: string | null): Language {
  if (field && isLanguage(field)) return field;
  const preferred = (c.req.header("accept-language") ?? "").split(",").map((p) => p.split(";")[0]!.trim()).filter(Boolean);
  return chooseLanguage(new URL(c.req.url).search, preferred);
}

/** A failure shown as a page, with the status an API client would get. */
export class PageError extends Error {
  constructor(
    readonly status: 400 | 404 | 408 | 413 | 415 | 429 | 500 | 503,
    readonly text: (ctx: PageContext) => string,
    readonly headers: Record<string, string> = {},
  ) {
    super("nojs page error");
  }
}

/** A form to show again, with what the source wrote and why it came back. */
export class FormAgain extends Error {
  constructor(
    readonly status: 400 | 403,
    readonly error: (ctx: PageContext) => string,
    readonly kept: { message?: string; desk?: string; codename?: string; answerInvalid?: boolean },
  ) {
    super("nojs form again");
  }
}

export const verdictText = (verdict: Exclude<Verdict, "ok">) => (ctx: PageContext) => ctx.t(verdict === "wrong" ? "nojsWrongAnswer" : "nojsExpired");

export const sizeText = (ctx: PageContext, bytes: number) => fileSize(ctx.t, bytes);

/** The page error for any failure of a form post; unexpected ones are logged by name only. */
export function pageErrorOf(e: unknown, maxBytes: number): PageError {
  if (e instanceof PageError) return e;
  if (e instanceof MultipartError) {
    if (e.reason === "too_large") return new PageError(413, (x) => x.t("nojsTooLarge", { max: sizeText(x, maxBytes) }));
    if (e.reason === "stalled") return new PageError(408, (x) => x.t("nojsStalled"));
    return new PageError(400, (x) => x.t("nojsFailed", { code: "bad_request" }));
  }
  if (e instanceof UploadQuotaError) return new PageError(429, (x) => x.t("error_upload_quota_exceeded"), { "Retry-After": "600" });
  if (e instanceof DomainError) return new PageError(400, (x) => x.t("nojsFailed", { code: e.code }));
  if (e instanceof StoreUnavailableError) return new PageError(503, (x) => x.t("error_unavailable"), { "Retry-After": "30" });
  // A full body gate (body.ts) and a body that stopped arriving (readBody).
  if (e instanceof HttpError && e.status === 503) return new PageError(503, (x) => x.t("nojsBusy"), e.headers);
  if (e instanceof HttpError && e.status === 408) return new PageError(408, (x) => x.t("nojsStalled"));
  if (e instanceof HttpError && e.status === 413) return new PageError(413, (x) => x.t("nojsTooLarge", { max: sizeText(x, maxBytes) }));
  // Unexpected: say nothing specific, and log no request data (it may identify a source).
  console.error(`sealdrop: internal error (page without JavaScript): ${e instanceof Error ? e.name : "error"}`);
  return new PageError(500, (x) => x.t("nojsFailed", { code: "internal" }));
}

/**
 * The page gzipped for a browser that accepts it (CompressionStream: the same on Node and Workers), as the
 * build's own files are: the first visit on a slow link downloads a fraction of it.
 */
export async function compressed(c: Context, text: string): Promise<Response> {
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
