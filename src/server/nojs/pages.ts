// The pages of the path without JavaScript, written on the server in the source's language: the form at
// `/` (inside the built page's <noscript>, so a browser running the script never shows it), the receipt,
// the way back with a codename and the mailbox. Same structure, ids and classes as the page the script
// draws (client/), so one stylesheet serves both and the words are the same catalogue's.
import { fileSize } from "../../../client/format.js";
import { EXIT_URLS } from "../../../client/quick-exit.js";
import { retentionSentences } from "../../../client/retention.js";
import type { Finding } from "../../core/media/index.js";
import type { Reply } from "../../core/messages.js";
import type { NewsroomResponse } from "../../core/wire.js";
import { CATALOGUES, LANGUAGE_TAGS, LANGUAGES, type Language, type MessageKey, type Translate } from "../../i18n/index.js";
import { type Html, html } from "./html.js";
import type { Question } from "./challenge.js";

export type Desk = NewsroomResponse["desks"][number];

export interface PageContext {
  lang: Language;
  t: Translate;
  newsroom: NewsroomResponse;
  /** What the server deletes and when (the newsroom answer's `retention`), told as the page's script tells it. */
  retention: NonNullable<NewsroomResponse["retention"]>;
  /** Largest request body the path takes, and largest picture the server cleans. */
  maxBytes: number;
  maxCleanBytes: number;
}

const localName = (names: { en: string; ko?: string | undefined; zh?: string | undefined } | undefined, fallback: string, lang: Language) => names?.[lang] ?? fallback;
const newsroomName = (ctx: PageContext) => localName(ctx.newsroom.names, ctx.newsroom.name, ctx.lang);
const desksOf = (ctx: PageContext) => ctx.newsroom.desks.filter((d) => d.recipients.length > 0);

/** The number a question shows, as the catalogue writes it. */
function numberWord(t: Translate, n: number): string {
  return t("nojsNumbers").split(" ")[n - 1] ?? String(n);
}

function header(ctx: PageContext, path: string): Html {
  const { t, lang } = ctx;
  const links = LANGUAGES.map(
    (l) =>
      html`<li><a href="${path}?lang=${l}" lang="${LANGUAGE_TAGS[l]}" hreflang="${LANGUAGE_TAGS[l]}"${l === lang ? html` aria-current="page"` : ""}>${CATALOGUES[l].languageName}</a></li>`,
  );
  // A plain link: without a script the page cannot empty itself or replace its history entry.
  return html`<header><div class="quick-exit-bar"><a class="quick-exit" id="quick-exit" href="${EXIT_URLS[lang]}" rel="noreferrer" aria-describedby="quick-exit-help">${t("quickExit")}</a><span id="quick-exit-help" class="visually-hidden">${t("quickExitHelp")}</span></div><nav class="languages" aria-label="${t("languageNav")}"><ul>${links}</ul></nav><h1>${t("pageTitle")}</h1></header>`;
}

/** What the server deletes and when, in plain words (client/retention.ts): under the form and on the receipt. */
const retentionNotice = (ctx: PageContext) => html`<p class="help retention" id="retention">${retentionSentences(ctx.t, ctx.retention).join(" ")}</p>`;

/** The mode this page works in, in plain words (issue 16): first thing after the introduction. */
const modeNotice = (ctx: PageContext) => html`<p class="mode" id="mode">${ctx.t("nojsMode")}</p>`;

function fingerprintSection(ctx: PageContext): Html {
  const { t } = ctx;
  return html`<section class="fingerprint" aria-labelledby="fingerprint-heading"><h2 id="fingerprint-heading">${t("fingerprintHeading")}</h2><p>${t("fingerprintHelp", { newsroom: newsroomName(ctx) })}</p><p><code id="fingerprint" translate="no">${ctx.newsroom.fingerprint}</code></p></section>`;
}

function questionField(ctx: PageContext, question: Question, invalid: boolean): Html {
  const { t } = ctx;
  return html`<div class="field"><label for="answer">${t("nojsQuestion", { a: numberWord(t, question.a), b: numberWord(t, question.b) })}</label><p id="answer-help" class="help">${t("nojsQuestionHelp")}</p><input id="answer" name="answer" type="text" inputmode="numeric" autocomplete="off" size="4" maxlength="8" required aria-describedby="answer-help"${invalid ? html` aria-invalid="true"` : ""} /></div>`;
}

export interface TipFormOptions {
  question: Question;
  /** A returning source's follow-up: their codename travels back in the form (the server keeps none). */
  codename?: string;
  /** What the source wrote, put back after a wrong answer. */
  message?: string;
  desk?: string;
  error?: string;
  /** The error is about the check question. */
  answerInvalid?: boolean;
}

/**
 * The tip form, posted as multipart/form-data to `/`. Its fields are in the order the server needs them:
 * everything it checks (the question, the desk) comes before the files, so it refuses a request before
 * reading a byte of a file.
 */
export function tipForm(ctx: PageContext, options: TipFormOptions): Html {
  const { t, lang } = ctx;
  const desks = desksOf(ctx);
  const followup = options.codename !== undefined;
  const chosen = options.desk ?? desks[0]?.id ?? "";
  const desk =
    desks.length > 1
      ? html`<div class="field"><label for="desk">${t("deskLabel")}</label><select id="desk" name="desk">${desks.map(
          (d) => html`<option value="${d.id}"${d.id === chosen ? html` selected` : ""}>${localName(d.names, d.name, lang)}</option>`,
        )}</select></div>`
      : html`<input type="hidden" name="desk" value="${chosen}" />`;
  return html`<form method="post" action="/" enctype="multipart/form-data" accept-charset="utf-8" data-form="${followup ? "followup" : "first"}"${options.error ? html` aria-describedby="form-error"` : ""}>
<input type="hidden" name="lang" value="${lang}" />
<input type="hidden" name="challenge" value="${options.question.token}" />
${followup ? html`<input type="hidden" name="codename" value="${options.codename}" />` : ""}
<fieldset><legend>${t(followup ? "followupHeading" : "formHeading")}</legend>
${options.error ? html`<p class="error" role="alert" id="form-error">${options.error}</p>` : ""}
${desk}
<div class="field"><label for="message">${t("messageLabel")}</label><p id="message-help" class="help">${t("messageHelp")}</p><textarea id="message" name="message" rows="8" aria-describedby="message-help">${options.message ?? ""}</textarea></div>
${questionField(ctx, options.question, options.answerInvalid ?? false)}
<div class="field"><label for="files">${t("filesLabel")}</label><p id="files-help" class="help">${t("nojsFilesHelp", { max: fileSize(t, ctx.maxBytes), clean: fileSize(t, ctx.maxCleanBytes) })}</p><input id="files" name="files" type="file" multiple aria-describedby="files-help" /></div>
${
  followup
    ? ""
    : html`<div class="field check"><input id="keep-codename" name="keep-codename" type="checkbox" value="1" checked aria-describedby="keep-codename-help" /><label for="keep-codename">${t("keepCodename")}</label><p id="keep-codename-help" class="help">${t("keepCodenameHelp")}</p></div>`
}
<button type="submit">${t("nojsSubmit")}</button>
</fieldset></form>${retentionNotice(ctx)}`;
}

/** The body of `/` without JavaScript: introduction, mode, form, the way back, advice, fingerprint. */
export function startPage(ctx: PageContext, form: TipFormOptions): Html {
  const { t, lang } = ctx;
  const desks = desksOf(ctx);
  const intro = html`<p class="intro">${t("nojsIntro", { newsroom: newsroomName(ctx) })}</p>`;
  // The built page's <html lang> is English (a script sets it); this part says its own language.
  const inLanguage = (body: Html) => html`<div id="nojs" lang="${LANGUAGE_TAGS[lang]}">${page(ctx, "/", body)}</div>`;
  if (desks.length === 0) return inLanguage(html`${intro}<p class="error" role="alert">${t("noDesks")}</p>`);
  return inLanguage(
    html`${intro}${modeNotice(ctx)}<div id="start">${tipForm(ctx, form)}<p class="advice">${t("safetyAdvice")}</p><section class="return-entry" aria-labelledby="return-entry-heading"><h2 id="return-entry-heading">${t("returnHeading")}</h2><p>${t("returnIntro")}</p><p><a id="have-codename" href="/replies?lang=${lang}">${t("returnButton")}</a></p></section></div>${fingerprintSection(ctx)}`,
  );
}

/** header + main, for the built page's <noscript> or a page of its own. */
function page(ctx: PageContext, path: string, main: Html): Html {
  return html`${header(ctx, path)}<main id="main">${main}</main>`;
}

/** A whole document for the answers to a form (they need no script: none is loaded). */
export function documentOf(ctx: PageContext, head: Html, body: Html): Html {
  return html`<!doctype html>
<html lang="${LANGUAGE_TAGS[ctx.lang]}"><head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" /><meta name="referrer" content="no-referrer" /><meta name="robots" content="noindex, nofollow" /><title>${ctx.t("pageTitle")}</title><link rel="icon" href="data:," />${head}</head><body>${body}</body></html>`;
}

export interface FileOutcome {
  name: string;
  /** What the server found and removed, or "asIs" when it could not clean a file that may carry metadata. */
  result: { cleaned: Finding[] } | "none" | "asIs" | "unknown";
}

const FINDING_KEYS: Record<Finding, MessageKey> = {
  location: "metaLocation",
  device: "metaDevice",
  time: "metaTime",
  author: "metaAuthor",
  software: "metaSoftware",
  other: "metaOther",
};

function fileReport(ctx: PageContext, files: readonly FileOutcome[]): Html {
  const { t } = ctx;
  const items = files.flatMap((f) => {
    if (f.result === "unknown") return [];
    const text =
      f.result === "none"
        ? t("metaNone", { name: f.name })
        : f.result === "asIs"
          ? t("nojsFileAsIs", { name: f.name })
          : t("nojsFileCleaned", { name: f.name, items: f.result.cleaned.map((x) => t(FINDING_KEYS[x])).join(", ") });
    return [html`<li>${text}</li>`];
  });
  return items.length === 0 ? html`` : html`<section class="media" aria-labelledby="media-heading"><h3 id="media-heading">${t("metaHeading")}</h3><ul id="file-report">${items}</ul></section>`;
}

function codenameSection(ctx: PageContext, words: readonly string[]): Html {
  const { t } = ctx;
  return html`<section class="codename" aria-labelledby="codename-heading"><h3 id="codename-heading">${t("codenameHeading")}</h3><p>${t("codenameIntro")}</p><ol id="codename-words" class="codename-words" translate="no">${words.map((w) => html`<li>${w}</li>`)}</ol><ul class="codename-advice"><li>${t("codenameAdvicePaper")}</li><li>${t("codenameAdviceNoDevice")}</li><li>${t("codenameAdviceSecret")}</li><li>${t("codenameAdviceLost")}</li></ul><p>${t("codenameHowToReturn", { button: t("returnButton") })}</p></section>`;
}

export interface ReceiptOptions {
  id: string;
  words: readonly string[] | null;
  followup: boolean;
  files: readonly FileOutcome[];
}

export function receiptPage(ctx: PageContext, receipt: ReceiptOptions): Html {
  const { t, lang } = ctx;
  return page(
    ctx,
    "/",
    html`<section class="receipt" id="receipt" aria-labelledby="receipt-heading"><h2 id="receipt-heading">${t(receipt.followup ? "followupReceiptHeading" : "receiptHeading")}</h2><p class="mode" id="mode">${t("nojsModeReceipt")}</p><p>${t("receiptIdLabel")} <code id="receipt-id" translate="no">${receipt.id}</code></p>${fileReport(ctx, receipt.files)}${receipt.words ? codenameSection(ctx, receipt.words) : ""}${retentionNotice(ctx)}<p>${t("receiptHelp")}</p><p>${t("receiptCleanup")}</p><p><a href="/?lang=${lang}">${t("sendAnother")}</a></p></section>`,
  );
}

export interface ReturnFormOptions {
  question: Question;
  error?: string;
  answerInvalid?: boolean;
}

/** `GET /replies`: the codename and the check question, posted to `/replies`. */
export function returnPage(ctx: PageContext, options: ReturnFormOptions): Html {
  const { t, lang } = ctx;
  return page(
    ctx,
    "/replies",
    html`<section class="return" id="return" aria-labelledby="return-heading"><h2 id="return-heading">${t("codenameFormHeading")}</h2>${modeNotice(ctx)}<form method="post" action="/replies" accept-charset="utf-8" id="codename-form"${options.error ? html` aria-describedby="codename-error"` : ""}>
<input type="hidden" name="lang" value="${lang}" />
<input type="hidden" name="challenge" value="${options.question.token}" />
${options.error ? html`<p class="error" role="alert" id="codename-error">${options.error}</p>` : ""}
<div class="field"><label for="codename-input">${t("codenameLabel")}</label><p id="codename-help" class="help">${t("codenameHelp")}</p><textarea id="codename-input" name="codename" rows="3" autocomplete="off" autocapitalize="off" autocorrect="off" spellcheck="false" translate="no" aria-describedby="codename-help"${options.error && !options.answerInvalid ? html` aria-invalid="true"` : ""}></textarea></div>
${questionField(ctx, options.question, options.answerInvalid ?? false)}
<button type="submit">${t("codenameOpen")}</button>
</form><p><a href="/?lang=${lang}">${t("nojsBack")}</a></p></section>`,
  );
}

export interface MailboxOptions {
  replies: readonly Reply[];
  unreadable: number;
  form: TipFormOptions;
}

/** The replies a codename opened, and a follow-up form that carries the codename back. */
export function mailboxPage(ctx: PageContext, options: MailboxOptions): Html {
  const { t, lang } = ctx;
  const list =
    options.replies.length === 0
      ? html`<p id="no-replies">${t("noRepliesYet")}</p>`
      : html`<ol class="replies" id="replies">${options.replies.map(
          (r) => html`<li class="reply"><p class="reply-meta">${t("replyFrom", { from: r.from, day: r.day })}</p><p class="reply-message">${r.message}</p></li>`,
        )}</ol>`;
  return page(
    ctx,
    "/replies",
    html`<section class="return" id="return" aria-labelledby="return-heading"><h2 id="return-heading">${t("codenameFormHeading")}</h2><p class="status" role="status">${t("mailboxOpened")}</p><section class="mailbox" aria-labelledby="replies-heading"><h3 id="replies-heading">${t("repliesHeading")}</h3>${list}${options.unreadable > 0 ? html`<p class="error">${t("replyUnreadable", { n: options.unreadable })}</p>` : ""}</section>${modeNotice(ctx)}${tipForm(ctx, options.form)}<p class="help">${t("nojsFollowupReminder")}</p><p><a id="forget" href="/?lang=${lang}">${t("forgetButton")}</a></p></section>`,
  );
}

/** A failure with nothing to put back: what happened, and the way to the form. */
export function errorPage(ctx: PageContext, text: string, path = "/"): Html {
  const { t, lang } = ctx;
  return page(ctx, path, html`<p class="error" role="alert" id="form-error">${text}</p><p><a href="${path}?lang=${lang}">${t("nojsBack")}</a></p>`);
}
