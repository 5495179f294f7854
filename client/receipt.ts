// What the source sees once the server has the tip durably (invariant 6, docs/INVARIANTS.md), and, for a source who
// kept one, the codename: shown once, here, and nowhere else.
import type { Receipt } from "../src/core/wire.js";
import { h } from "./dom.js";
import { retentionNotice } from "./retention.js";
import type { Language, Translate } from "../src/i18n/index.js";

export interface ReceiptOptions {
  /** The new codename's words in the page's language; null when the source kept none. */
  words: readonly string[] | null;
  /** A follow-up from a returning source: their codename is already theirs, and the page stays open. */
  followup: boolean;
}

function codenameSection(t: Translate, words: readonly string[]): HTMLElement {
  return h(
    "section",
    { class: "codename", "aria-labelledby": "codename-heading" },
    h("h3", { id: "codename-heading" }, t("codenameHeading")),
    h("p", {}, t("codenameIntro")),
    // A numbered list: easy to copy by hand, and a screen reader reads the order. Not translated by the
    // browser, which would turn the words into other words.
    h("ol", { id: "codename-words", class: "codename-words", translate: "no" }, ...words.map((w) => h("li", {}, w))),
    h(
      "ul",
      { class: "codename-advice" },
      h("li", {}, t("codenameAdvicePaper")),
      h("li", {}, t("codenameAdviceNoDevice")),
      h("li", {}, t("codenameAdviceSecret")),
      h("li", {}, t("codenameAdviceLost")),
    ),
    h("p", {}, t("codenameHowToReturn", { button: t("returnButton") })),
  );
}

export function renderReceipt(t: Translate, lang: Language, receipt: Receipt, options: ReceiptOptions = { words: null, followup: false }): HTMLElement {
  const view = h(
    "section",
    { class: "receipt", id: "receipt", tabindex: "-1", "aria-labelledby": "receipt-heading" },
    h("h2", { id: "receipt-heading" }, t(options.followup ? "followupReceiptHeading" : "receiptHeading")),
    h("p", {}, t("receiptIdLabel"), " ", h("code", { id: "receipt-id", translate: "no" }, receipt.id)),
    options.words && codenameSection(t, options.words),
    h("p", {}, t("receiptHelp")),
    ...retentionNotice(t),
    !options.followup && h("p", {}, t("receiptCleanup")),
    !options.followup && h("p", {}, h("a", { href: `?lang=${lang}` }, t("sendAnother"))),
  );
  return view;
}
