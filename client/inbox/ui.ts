// What every view shares: the translator, element building (text only, never HTML: ../dom.ts), tables
// with headers, sizes, and status words.
import type { InboxKey, InboxTranslate } from "../../src/i18n/inbox/index.js";
import { h } from "../dom.js";

export { h };

export interface View {
  t: InboxTranslate;
  /** Moves to another view (a hash route) and puts focus on its heading. */
  go(route: string): void;
}

export const STATUS_KEYS: Readonly<Record<string, InboxKey>> = {
  new: "statusNew",
  in_progress: "statusInProgress",
  verified: "statusVerified",
  published: "statusPublished",
  closed: "statusClosed",
};

export function relationText(t: InboxTranslate, relation: string): string {
  const key = `relation_${relation}` as InboxKey;
  return key in RELATION_KEYS ? t(key) : relation;
}
const RELATION_KEYS: Record<string, true> = Object.fromEntries(
  ["corroborates", "contradicts", "related", "introduced_by", "relays_for", "same_group", "derived_from", "common_upstream"].map((r) => [`relation_${r}`, true]),
);

export function sizeText(t: InboxTranslate, n: number): string {
  if (n < 1024) return t("sizeBytes", { n });
  if (n < 1024 * 1024) return t("sizeKiB", { n: (n / 1024).toFixed(1) });
  return t("sizeMiB", { n: (n / (1024 * 1024)).toFixed(1) });
}

/** A table with a caption and column headers; `rows` are cells (strings or nodes). */
export function table(caption: string, columns: string[], rows: (string | Node)[][], attributes: Record<string, string> = {}): HTMLTableElement {
  return h(
    "table",
    attributes,
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ...columns.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, ...rows.map((cells) => h("tr", {}, ...cells.map((c) => h("td", {}, c))))),
  );
}

/** A view's heading, focusable so a route change can move the screen reader there. */
export const heading = (text: string, id: string) => h("h2", { id, tabindex: "-1" }, text);

export function section(labelledBy: string, ...children: (Node | null | false)[]): HTMLElement {
  return h("section", { "aria-labelledby": labelledBy }, ...children);
}
