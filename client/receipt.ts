// What the source sees once the server has the tip durably (DESIGN invariant 6).
import type { Receipt } from "../src/core/wire.js";
import { h } from "./dom.js";
import type { Language, Translate } from "./i18n/index.js";

export function renderReceipt(t: Translate, lang: Language, receipt: Receipt): HTMLElement {
  const view = h(
    "section",
    { class: "receipt", id: "receipt", tabindex: "-1", "aria-labelledby": "receipt-heading" },
    h("h2", { id: "receipt-heading" }, t("receiptHeading")),
    h("p", {}, t("receiptIdLabel"), " ", h("code", { id: "receipt-id", translate: "no" }, receipt.id)),
    // The codename issue adds its section here: the 12 words a source needs to read replies.
    h("p", {}, t("receiptHelp")),
    h("p", {}, t("receiptCleanup")),
    h("p", {}, h("a", { href: `?lang=${lang}` }, t("sendAnother"))),
  );
  return view;
}
