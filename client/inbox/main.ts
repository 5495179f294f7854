// The inbox page: a shell (header, views nav, roster alert, main region) and hash routes for the views,
// in their order of importance. The page keeps the token and the language in memory only; it never
// stores anything in the browser.
import type { InboxSummary } from "../../src/cli/inbox/wire.js";
import { chooseInboxLanguage, INBOX_CATALOGUES, INBOX_LANGUAGE_TAGS, INBOX_LANGUAGES, type InboxKey, type InboxLanguage, inboxTranslator } from "../../src/i18n/inbox/index.js";
import { InboxRequestError, request } from "./api.js";
import { renderConversation } from "./conversation.js";
import { loadNetwork, renderClaims, renderGraph, renderIntroductions, renderTimeline } from "./network.js";
import { type Filters, NO_FILTERS, renderSources } from "./sources.js";
import { h, type View } from "./ui.js";

const ROUTES: [string, InboxKey][] = [
  ["#/sources", "navSources"],
  ["#/claims", "navClaims"],
  ["#/graph", "navGraph"],
  ["#/timeline", "navTimeline"],
  ["#/introductions", "navIntroductions"],
];

let lang: InboxLanguage = chooseInboxLanguage(location.search, navigator.languages);
let summary: InboxSummary | null = null;
let filters: Filters = NO_FILTERS;

const app = document.getElementById("app")!;
const announcer = h("p", { id: "announce", class: "visually-hidden", role: "status" });

const view = (): View => ({
  t: inboxTranslator(lang),
  go: (route) => {
    if (location.hash === route) void render(true);
    else location.hash = route;
  },
});

function rosterAlert(v: View, s: InboxSummary): HTMLElement | null {
  const alert = s.rosterAlert;
  if (!alert) return null;
  const dismiss = h("button", { type: "button" }, v.t("rosterAlertDismiss"));
  dismiss.addEventListener("click", () => {
    void request("/api/roster/seen", { method: "POST", body: alert.head }).then(async () => {
      summary = await request<InboxSummary>("/api/summary");
      await render(false);
    });
  });
  return h(
    "section",
    { class: "roster-alert", id: "roster-alert", role: "alert", "aria-labelledby": "roster-alert-heading" },
    h("h2", { id: "roster-alert-heading" }, v.t("rosterAlertHeading")),
    h("ol", {}, ...alert.changes.map((c) => h("li", { value: String(c.seq + 1) }, c.text))),
    dismiss,
  );
}

function shell(v: View, s: InboxSummary, current: string, content: HTMLElement): HTMLElement[] {
  const { t } = v;
  const reload = h("button", { type: "button", id: "reload" }, t("reload"));
  reload.addEventListener("click", () => {
    void request("/api/refresh", { method: "POST", body: {} }).then(async () => {
      summary = await request<InboxSummary>("/api/summary");
      await render(false);
      announcer.textContent = t("reloaded");
    });
  });
  const languages = h(
    "ul",
    { class: "languages" },
    ...INBOX_LANGUAGES.map((l) => {
      const b = h("button", { type: "button", lang: INBOX_LANGUAGE_TAGS[l], "aria-pressed": l === lang ? "true" : "false" }, INBOX_CATALOGUES[l].languageName);
      b.addEventListener("click", () => {
        lang = l;
        void render(false);
      });
      return h("li", {}, b);
    }),
  );
  const unreadable = s.unreadable.submissions + s.unreadable.replies + s.unreadable.notes;
  return [
    h("a", { href: "#main", class: "skip" }, t("skipToMain")),
    h(
      "header",
      { class: "top" },
      h("h1", {}, `sealdrop · ${t("title")}`),
      h("p", { class: "who" }, t("signedInAs", { name: s.editor.name, newsroom: s.newsroom })),
      h("nav", { "aria-label": t("languageLabel") }, languages),
      reload,
    ),
    h(
      "nav",
      { class: "views", "aria-label": t("navLabel") },
      h("ul", {}, ...ROUTES.map(([route, key]) => h("li", {}, h("a", { href: route, ...(current === route ? { "aria-current": "page" } : {}) }, t(key))))),
    ),
    h(
      "main",
      { id: "main", tabindex: "-1" },
      rosterAlert(v, s) ?? "",
      s.outbox ? h("p", { class: "notice" }, t("outboxNotice")) : "",
      unreadable > 0 ? h("p", { class: "notice" }, t("unreadableNotice", { n: unreadable })) : "",
      content,
    ),
    announcer,
  ];
}

async function content(v: View, route: string): Promise<HTMLElement> {
  const s = summary!;
  if (route.startsWith("#/source/")) {
    return renderConversation(v, decodeURIComponent(route.slice("#/source/".length)), s.outbox, (message) => {
      void request<InboxSummary>("/api/summary").then(async (fresh) => {
        summary = fresh;
        await render(false);
        announcer.textContent = message;
      });
    }, s.pendingTriage);
  }
  if (route === "#/claims") return renderClaims(v, await loadNetwork());
  if (route === "#/graph") return renderGraph(v, await loadNetwork(), s.drawing);
  if (route === "#/timeline") return renderTimeline(v, await loadNetwork());
  if (route === "#/introductions") return renderIntroductions(v, await loadNetwork());
  return renderSources(v, s, filters, (f) => {
    filters = f;
    void render(false);
  });
}

let rendering = 0;
async function render(moveFocus: boolean): Promise<void> {
  const ticket = ++rendering;
  const v = view();
  document.documentElement.lang = INBOX_LANGUAGE_TAGS[lang];
  document.title = `${v.t("title")} · sealdrop`;
  const route = location.hash === "" ? "#/sources" : location.hash;
  const current = route.startsWith("#/source/") ? "#/sources" : route;
  let body: HTMLElement;
  try {
    summary ??= await request<InboxSummary>("/api/summary");
    body = await content(v, route);
  } catch (e) {
    if (!summary && e instanceof InboxRequestError && e.code === "inbox_opening") {
      // A first indexing: the inbox answers after a while that it is still reading; ask again at once.
      if (ticket !== rendering) return;
      app.replaceChildren(h("main", { id: "main" }, h("h1", {}, `sealdrop · ${v.t("title")}`), h("p", { role: "status" }, v.t("openingVault"))));
      return render(moveFocus);
    }
    body = h("p", { class: "error", role: "alert" }, v.t("loadFailed", { message: (e as Error).message }));
    if (!summary) {
      if (ticket === rendering) app.replaceChildren(h("main", { id: "main" }, h("h1", {}, `sealdrop · ${v.t("title")}`), body));
      return;
    }
  }
  if (ticket !== rendering) return;
  // Keep the focused control's place when only filters changed.
  const focusedId = document.activeElement?.id;
  app.replaceChildren(...shell(v, summary, current, body));
  app.setAttribute("aria-busy", "false");
  if (moveFocus) (app.querySelector<HTMLElement>("h2[tabindex]") ?? app.querySelector<HTMLElement>("main"))?.focus();
  else if (focusedId) document.getElementById(focusedId)?.focus();
}

window.addEventListener("hashchange", () => void render(true));
void render(false);
