// A source coming back with their codename: decode the typed words, derive the keys, fetch the mailbox,
// open the replies here in the browser, and offer a follow-up on the same reply channel. Loaded only when
// a source asks for it. The codename lives only in this module's closures: never in the URL, storage
// or history, and "close and forget" drops it along with everything it opened.
import { fromBase64 } from "../src/core/bytes.js";
import { phraseWords } from "../src/core/codename.js";
import { deriveSourceKeys, keyKindOf, type SourceKeys } from "../src/core/derive.js";
import { openRawJson, replySchema, type Reply } from "../src/core/messages.js";
import type { VerifiedRoster } from "../src/core/roster.js";
import { verifyMessage } from "../src/core/signed-message.js";
import type { NewsroomResponse } from "../src/core/wire.js";
import { ApiError } from "../src/core/api-error.js";
import { NetworkError, fetchMailbox } from "./api.js";
import { h } from "./dom.js";
import { renderForm } from "./form.js";
import type { Language, Translate } from "../src/i18n/index.js";
import { CodenameError, decodePhrase } from "./wordlists.js";

type Desk = NewsroomResponse["desks"][number];

function codenameProblem(t: Translate, phrase: string, e: CodenameError): string {
  switch (e.reason) {
    case "word_count":
      return t("codenameWordCount", { n: phraseWords(phrase).length });
    case "unknown_word":
      return t("codenameUnknownWords", { positions: e.positions.join(", ") });
    case "checksum":
      return t("codenameChecksum");
  }
}

function failureText(t: Translate, e: unknown): string {
  if (e instanceof ApiError && e.code === "rate_limited") return t("error_rate_limited");
  if (e instanceof ApiError && e.code === "unavailable") return t("error_unavailable");
  if (e instanceof NetworkError) return t("mailboxNetwork");
  return t("mailboxFailed", { code: e instanceof ApiError ? e.code : e instanceof Error ? e.name : "error" });
}

interface OpenedReply {
  reply: Reply;
  /** Signed, but the signature does not verify against this page's roster: shown with a warning. */
  unverified: boolean;
}

interface Opened {
  replies: OpenedReply[];
  unreadable: number;
  /** The desk of the conversation, as the newest reply that tells one says; null when none does. */
  desk: string | null;
}

/**
 * Replies that do not open with this codename's identity are counted, not fatal. A signed reply is
 * checked against the roster this page verified (core/signed-message.ts); the conversation's desk is the
 * one the newest verified reply signed for, or for an unsigned reply the one the server filed it under.
 * A signed reply that does not verify names no desk: its claim counts for nothing.
 */
async function openMailbox(keys: SourceKeys, roster: VerifiedRoster | null): Promise<Opened> {
  const mailbox = await fetchMailbox(keys.mailboxId, keys.mailboxCredential);
  const replies: OpenedReply[] = [];
  let unreadable = 0;
  let desk: string | null = null;
  for (const item of mailbox.replies) {
    let raw: unknown;
    let reply: Reply;
    try {
      raw = await openRawJson(fromBase64(item.ciphertext), [keys.replyIdentity]);
      reply = replySchema.parse(raw);
    } catch {
      unreadable++;
      continue;
    }
    const signed = (raw as { sig?: unknown }).sig !== undefined;
    const check = signed && roster ? verifyMessage(raw, roster, { reader: keys.replyRecipient }) : null;
    const unverified = check !== null && check.status !== "verified";
    replies.push({ reply, unverified });
    if (desk === null && !unverified) desk = check?.status === "verified" ? check.desk : (item.desk ?? null);
  }
  return { replies, unreadable, desk };
}

function renderReplies(t: Translate, opened: Opened): HTMLElement {
  const list =
    opened.replies.length === 0
      ? h("p", { id: "no-replies" }, t("noRepliesYet"))
      : h(
          "ol",
          { class: "replies", id: "replies" },
          // Text nodes only: a reply is the newsroom's words, but it never becomes markup.
          ...opened.replies.map(({ reply: r, unverified }) =>
            h(
              "li",
              { class: "reply" },
              h("p", { class: "reply-meta" }, t("replyFrom", { from: r.from, day: r.day })),
              unverified && h("p", { class: "error reply-unverified" }, t("replyUnverified")),
              h("p", { class: "reply-message" }, r.message),
            ),
          ),
        );
  return h(
    "section",
    { class: "mailbox", "aria-labelledby": "replies-heading" },
    h("h3", { id: "replies-heading" }, t("repliesHeading")),
    list,
    opened.unreadable > 0 && h("p", { class: "error" }, t("replyUnreadable", { n: opened.unreadable })),
  );
}

export interface ReturnOptions {
  desks: readonly Desk[];
  limits: NewsroomResponse["limits"];
  /** The roster this page verified, that signed replies are checked against (null: the newsroom has none). */
  roster: VerifiedRoster | null;
  /** Called after "close and forget": the caller puts the start page back. */
  onClose(): void;
}

export function renderReturn(t: Translate, lang: Language, options: ReturnOptions): HTMLElement {
  let keys: SourceKeys | null = null;

  const input = h("textarea", {
    id: "codename-input",
    name: "codename",
    rows: "3",
    autocomplete: "off",
    autocapitalize: "off",
    autocorrect: "off",
    spellcheck: "false",
    translate: "no",
    "aria-describedby": "codename-help codename-error",
  });
  const open = h("button", { type: "submit" }, t("codenameOpen"));
  const status = h("p", { class: "status", role: "status", "aria-live": "polite", id: "codename-status" });
  const alert = h("p", { class: "error", role: "alert", id: "codename-error" });
  alert.hidden = true;
  const form = h(
    "form",
    { novalidate: true, id: "codename-form" },
    h(
      "div",
      { class: "field" },
      h("label", { for: "codename-input" }, t("codenameLabel")),
      h("p", { id: "codename-help", class: "help" }, t("codenameHelp")),
      input,
    ),
    open,
    status,
    alert,
  );
  const forget = h("button", { type: "button", class: "secondary", id: "forget" }, t("forgetButton"));
  const body = h("div", { class: "return-body" }, form);
  const view = h(
    "section",
    { class: "return", id: "return", tabindex: "-1", "aria-labelledby": "return-heading" },
    h("h2", { id: "return-heading" }, t("codenameFormHeading")),
    body,
    forget,
  );

  forget.addEventListener("click", () => {
    // Drop the keys and every element that showed what they opened; the caller rebuilds the start page.
    keys = null;
    input.value = "";
    view.replaceChildren();
    view.remove();
    options.onClose();
  });

  const fail = (text: string) => {
    status.textContent = "";
    alert.textContent = text;
    alert.hidden = false;
    input.setAttribute("aria-invalid", "true");
    open.disabled = false;
    input.focus();
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (open.disabled) return;
    alert.hidden = true;
    input.removeAttribute("aria-invalid");
    const phrase = input.value;
    if (phrase.trim() === "") return fail(t("codenameWordCount", { n: 0 }));
    open.disabled = true;
    status.textContent = t("codenameChecking");
    void (async () => {
      let entropy: Uint8Array;
      try {
        entropy = await decodePhrase(phrase);
      } catch (e) {
        return fail(e instanceof CodenameError ? codenameProblem(t, phrase, e) : failureText(t, e));
      }
      const kind = keyKindOf(options.desks[0]?.recipients[0] ?? "");
      const derived = await deriveSourceKeys(entropy, kind);
      entropy.fill(0);
      status.textContent = t("mailboxOpening");
      let opened: Opened;
      try {
        opened = await openMailbox(derived, options.roster);
      } catch (e) {
        return fail(failureText(t, e));
      }
      keys = derived;
      // The words did their work: take them off the screen.
      input.value = "";
      const channel = { recipient: keys.replyRecipient, mailbox: { id: keys.mailboxId, credential: keys.mailboxCredential } };
      const replies = renderReplies(t, opened);
      // A follow-up goes to the conversation's desk, encrypted to the keys the roster names for it; only
      // when no reply tells the desk (or it takes no tips now) does the source choose, as on a first visit.
      const desk = options.desks.find((d) => d.id === opened.desk);
      body.replaceChildren(h("p", { class: "status", role: "status", "aria-live": "polite" }, t("mailboxOpened")), replies);
      if (desk) body.append(h("p", { class: "followup-desk", id: "followup-desk" }, t("followupDesk", { desk: desk.name })));
      body.append(renderForm(t, lang, desk ? [desk] : options.desks, options.limits, { followup: channel }));
      const heading = replies.querySelector("h3");
      heading?.setAttribute("tabindex", "-1");
      heading?.focus();
    })();
  });

  return view;
}
