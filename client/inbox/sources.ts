// The triage list: every source by pseudonym with desk, unread count, last day seen, grade, tags, star and
// status; filters kept in memory; full-text search over the decrypted messages (done by the inbox process).
// The list is shown a page of PAGE_SIZE sources at a time: a desk of 10,000 tips has thousands of sources,
// and laying out a table of all of them took the browser most of a second (bench/inbox.ts).
import { type InboxSummary, type SearchHit, SOURCES_PAGE_SIZE as PAGE_SIZE, type SourceRow } from "../../src/cli/inbox/wire.js";
import { request } from "./api.js";
import { h, heading, section, STATUS_KEYS, table, type View } from "./ui.js";

export interface Filters {
  desk: string;
  tag: string;
  grade: string;
  status: string;
  unread: boolean;
  starred: boolean;
  query: string;
  /** The page of the list shown, from 0; any other change of filters goes back to the first. */
  page: number;
}
export const NO_FILTERS: Filters = { desk: "", tag: "", grade: "", status: "", unread: false, starred: false, query: "", page: 0 };

export const sourceRoute = (pseudonym: string) => `#/source/${encodeURIComponent(pseudonym)}`;

export function matches(s: SourceRow, f: Filters): boolean {
  return (
    (f.desk === "" || s.desks.includes(f.desk)) &&
    (f.tag === "" || s.tags.includes(f.tag)) &&
    (f.grade === "" || s.reliability === f.grade) &&
    (f.status === "" || s.status === f.status) &&
    (!f.unread || s.unread > 0) &&
    (!f.starred || s.starred)
  );
}

function select(id: string, label: string, options: [string, string][], value: string, onChange: (v: string) => void): HTMLElement {
  const control = h("select", { id, name: id }, ...options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)));
  control.addEventListener("change", () => onChange(control.value));
  return h("div", { class: "field" }, h("label", { for: id }, label), control);
}

function checkbox(id: string, label: string, checked: boolean, onChange: (v: boolean) => void): HTMLElement {
  const control = h("input", { type: "checkbox", id, name: id, checked });
  control.addEventListener("change", () => onChange(control.checked));
  return h("div", { class: "field check" }, control, h("label", { for: id }, label));
}

export function renderSources(view: View, summary: InboxSummary, filters: Filters, setFilters: (f: Filters) => void): HTMLElement {
  const { t } = view;
  const any: [string, string] = ["", t("filterAny")];
  const tags = [...new Set(summary.sources.flatMap((s) => s.tags))].sort();
  const grades = [...new Set(summary.sources.flatMap((s) => (s.reliability ? [s.reliability] : [])))].sort();
  const deskName = (id: string) => summary.desks.find((d) => d.id === id)?.name ?? id;
  const update = (patch: Partial<Filters>) => setFilters({ ...filters, page: 0, ...patch });

  const searchInput = h("input", { type: "search", id: "search", name: "q", value: filters.query, autocomplete: "off", spellcheck: "false" });
  const searchForm = h(
    "form",
    { role: "search", class: "search", "aria-label": t("searchLabel") },
    h("label", { for: "search" }, t("searchLabel")),
    searchInput,
    h("button", { type: "submit" }, t("searchButton")),
  );
  searchForm.addEventListener("submit", (e) => {
    e.preventDefault();
    update({ query: searchInput.value.trim() });
  });

  const filterBox = h(
    "fieldset",
    { class: "filters" },
    h("legend", {}, t("filtersLabel")),
    select("filter-desk", t("filterDesk"), [any, ...[...new Set([...summary.desks.map((d) => d.id), ...summary.sources.flatMap((s) => s.desks)])].map((d): [string, string] => [d, deskName(d)])], filters.desk, (desk) => update({ desk })),
    select("filter-tag", t("filterTag"), [any, ...tags.map((x): [string, string] => [x, x])], filters.tag, (tag) => update({ tag })),
    select("filter-grade", t("filterGrade"), [any, ...grades.map((x): [string, string] => [x, x])], filters.grade, (grade) => update({ grade })),
    select("filter-status", t("filterStatus"), [any, ...summary.statuses.map((x): [string, string] => [x, t(STATUS_KEYS[x] ?? "statusNew")])], filters.status, (status) => update({ status })),
    checkbox("filter-unread", t("filterUnread"), filters.unread, (unread) => update({ unread })),
    checkbox("filter-starred", t("filterStarred"), filters.starred, (starred) => update({ starred })),
  );

  const shown = summary.sources.filter((s) => matches(s, filters));
  const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
  const page = Math.min(Math.max(0, Math.trunc(filters.page)), pages - 1);
  const first = page * PAGE_SIZE;
  const onPage = shown.slice(first, first + PAGE_SIZE);
  const rows = onPage.map((s) => [
    h("a", { href: sourceRoute(s.pseudonym), class: s.unread > 0 ? "source-link unread" : "source-link" }, s.pseudonym),
    s.desks.map(deskName).join(", "),
    String(s.unread),
    s.lastSeen ?? "",
    s.reliability ?? t("noGrade"),
    s.tags.join(", "),
    h("span", { class: s.starred ? "star on" : "star", "aria-label": s.starred ? t("starred") : t("notStarred"), role: "img" }, s.starred ? "★" : "☆"),
    t(STATUS_KEYS[s.status] ?? "statusNew"),
  ]);
  const list =
    shown.length === 0
      ? h("p", { class: "empty" }, t("noSources"))
      : table(t("sourcesHeading"), [t("colSource"), t("colDesk"), t("colUnread"), t("colLastSeen"), t("colGrade"), t("colTags"), t("colStar"), t("colStatus")], rows, { id: "sources-table" });
  const results = h("div", { id: "search-results" });
  if (filters.query !== "") void showSearch(view, filters.query, results, () => update({ query: "" }));
  return section(
    "sources-heading",
    heading(t("sourcesHeading"), "sources-heading"),
    searchForm,
    results,
    filterBox,
    h("p", { id: "sources-count", role: "status" }, t("sourcesCount", { shown: shown.length, total: summary.sources.length })),
    list,
    pages > 1 ? pager(view, { page, pages, first, last: first + onPage.length, shown: shown.length }, (p) => update({ page: p })) : null,
  );
}

/**
 * Previous and next page, and which sources are on this one. A button with no page to go to is
 * aria-disabled rather than disabled, so focus stays on it when the last page is reached (render()
 * puts focus back on the control that had it).
 */
function pager(view: View, at: { page: number; pages: number; first: number; last: number; shown: number }, go: (page: number) => void): HTMLElement {
  const { t } = view;
  const button = (id: string, label: string, to: number) => {
    const none = to < 0 || to >= at.pages;
    const b = h("button", { type: "button", id, "aria-disabled": none ? "true" : undefined }, label);
    b.addEventListener("click", () => none || go(to));
    return b;
  };
  return h(
    "nav",
    { class: "pager", "aria-label": t("pagesLabel") },
    button("page-previous", t("pagePrevious"), at.page - 1),
    h("span", { id: "page-status" }, t("pageStatus", { from: at.first + 1, to: at.last, shown: at.shown, page: at.page + 1, pages: at.pages })),
    button("page-next", t("pageNext"), at.page + 1),
  );
}

async function showSearch(view: View, query: string, into: HTMLElement, clear: () => void): Promise<void> {
  const { t } = view;
  const { hits } = await request<{ hits: SearchHit[] }>(`/api/search?q=${encodeURIComponent(query)}`);
  const clearButton = h("button", { type: "button" }, t("clearSearch"));
  clearButton.addEventListener("click", clear);
  into.replaceChildren(
    h("p", { role: "status" }, hits.length === 0 ? t("searchNone", { query }) : t("searchResults", { n: hits.length, query })),
    hits.length === 0
      ? ""
      : table(
          t("searchButton"),
          [t("colSource"), t("colDay"), t("colType"), t("colExcerpt")],
          hits.map((hit) => [h("a", { href: sourceRoute(hit.pseudonym) }, hit.pseudonym), hit.day, hit.type, hit.excerpt]),
          { id: "search-table" },
        ),
    clearButton,
  );
}
