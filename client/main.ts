// The source page: choose the language, load the newsroom, show its key fingerprint and the form.
import "./style.css";
import type { VerifiedRoster } from "../src/core/roster.js";
import type { NewsroomResponse } from "../src/core/wire.js";
import { getNewsroom, getRoster } from "./api.js";
import type { Authority } from "./authority.js";
import { h } from "./dom.js";
import { readDraft, renderForm, type Draft } from "./form.js";
import { quickExitButton } from "./quick-exit.js";
import { CATALOGUES, LANGUAGE_TAGS, LANGUAGES, chooseLanguage, translator, type Language, type Translate } from "../src/i18n/index.js";
import { rememberRetention, retentionNotice } from "./retention.js";

/** Shows the page in `lang`; the switcher calls it again, with the draft the form held. */
type Show = (lang: Language, draft?: Draft) => void;

function languageNav(t: Translate, current: Language, show: Show): HTMLElement {
  const items = LANGUAGES.map((lang) =>
    h(
      "li",
      {},
      h("a", { href: `?lang=${lang}`, lang: LANGUAGE_TAGS[lang], hreflang: LANGUAGE_TAGS[lang], "aria-current": lang === current ? "page" : undefined }, CATALOGUES[lang].languageName),
    ),
  );
  const nav = h("nav", { class: "languages", "aria-label": t("languageNav") }, h("ul", {}, ...items));
  // Switching language keeps what the source wrote and chose: the page is drawn again in place, with
  // the draft from memory (nothing is stored anywhere). Elsewhere (a receipt, an open mailbox, a send
  // under way) the link loads the page afresh, as without this.
  nav.addEventListener("click", (event) => {
    const link = (event.target as Element).closest<HTMLAnchorElement>("a[href^='?lang=']");
    const lang = link ? LANGUAGES.find((l) => link.getAttribute("href") === `?lang=${l}`) : undefined;
    const draft = lang === undefined ? null : readDraft(document);
    if (lang === undefined || draft === null) return;
    event.preventDefault();
    history.replaceState(null, "", `?lang=${lang}`);
    show(lang, draft);
    document.querySelector<HTMLElement>(`.languages a[hreflang="${LANGUAGE_TAGS[lang]}"]`)?.focus();
  });
  return nav;
}

/**
 * The newsroom answer, and once the roster has been checked (client/authority.ts) the verdict and that
 * module's helpers. Until then the form shows (so that on a slow link a source can start writing while
 * the verifier loads) but cannot send, and there is no fingerprint to compare yet.
 */
interface Loaded {
  newsroom: NewsroomResponse;
  verdict: { authority: Authority; code: typeof import("./authority.js") } | null;
}

const PROBLEMS = { invalid: "rosterInvalid", mismatch: "fingerprintMismatch", noDesks: "noDesks" } as const;

/**
 * The form comes first, right under the introduction, so that on a small phone the message box is on
 * the first screen; the advice, the fingerprint to check and the way back for a returning source follow.
 * Once checked, the fingerprint, the names and the desks are the ones this page verified, never the
 * server's say-so; tips go only to the keys the verified roster names for their desk.
 */
function renderNewsroom(t: Translate, lang: Language, main: HTMLElement, loaded: Loaded, draft?: Draft): void {
  const { newsroom, verdict } = loaded;
  if (verdict === null) {
    // Not checked yet: the answer's words, a form that cannot send, and nothing to compare.
    main.append(h("p", { class: "intro" }, t("intro", { newsroom: newsroom.names?.[lang] ?? newsroom.name })));
    const desks = newsroom.desks.filter((d) => d.recipients.length > 0).map((d) => ({ ...d, name: d.names?.[lang] ?? d.name }));
    main.append(
      h("div", { id: "start" }, desks.length > 0 && renderForm(t, lang, desks, newsroom.limits, { checking: true, ...(draft ? { draft } : {}) })),
      h("p", { class: "status", role: "status", id: "checking" }, t("checkingKeys")),
    );
    return;
  }
  const { authority, code } = verdict;
  rememberRetention(newsroom.retention);
  const name = code.nameIn(authority.names, lang);
  const fingerprintSection = h(
    "section",
    { class: "fingerprint", "aria-labelledby": "fingerprint-heading" },
    h("h2", { id: "fingerprint-heading" }, t("fingerprintHeading")),
    h("p", {}, t("fingerprintHelp", { newsroom: name })),
    h("p", {}, h("code", { id: "fingerprint", translate: "no" }, authority.fingerprint ?? "")),
    authority.ok && authority.kind === "keys" && h("p", { class: "help" }, t("fingerprintKeys")),
  );
  main.append(h("p", { class: "intro" }, t("intro", { newsroom: name })));
  if (!authority.ok) {
    main.append(fingerprintSection, h("p", { class: "error", role: "alert" }, t(PROBLEMS[authority.problem])));
    return;
  }
  const desks = code.desksIn(authority.desks, lang);
  const start = h("div", { id: "start" });
  const showStart = (kept?: Draft) =>
    start.replaceChildren(
      renderForm(t, lang, desks, newsroom.limits, kept ? { draft: kept } : {}),
      ...retentionNotice(t, newsroom.retention),
      h("p", { class: "advice" }, t("safetyAdvice")),
      returnEntry(t, lang, start, { desks, limits: newsroom.limits, roster: authority.roster }, () => showStart()),
    );
  showStart(draft);
  main.append(start, fingerprintSection);
}

/**
 * The way back for a source who kept a codename. What it needs (the word lists, the mailbox, the
 * decryption of replies) loads only when asked for, so a first visit downloads none of it.
 */
interface Verified {
  desks: NewsroomResponse["desks"];
  limits: NewsroomResponse["limits"];
  roster: VerifiedRoster | null;
}

function returnEntry(t: Translate, lang: Language, start: HTMLElement, verified: Verified, showStart: () => void): HTMLElement {
  const button = h("button", { type: "button", id: "have-codename", class: "secondary" }, t("returnButton"));
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  button.addEventListener("click", () => {
    button.disabled = true;
    status.textContent = t("loading");
    import("./returning.js").then(
      ({ renderReturn }) => {
        const view = renderReturn(t, lang, {
          ...verified,
          onClose: () => {
            showStart();
            const back = start.querySelector<HTMLElement>("#have-codename");
            back?.focus();
            start.querySelector<HTMLElement>("#return-status")!.textContent = t("forgotten");
          },
        });
        start.replaceChildren(view);
        start.querySelector<HTMLElement>("#codename-input")?.focus();
      },
      () => {
        button.disabled = false;
        status.textContent = t("loadFailed");
      },
    );
  });
  status.id = "return-status";
  return h(
    "section",
    { class: "return-entry", "aria-labelledby": "return-entry-heading" },
    h("h2", { id: "return-entry-heading" }, t("returnHeading")),
    h("p", {}, t("returnIntro")),
    button,
    status,
  );
}

/** Draws the header and an empty main in `lang`; returns the main and the translator. */
function frame(lang: Language, show: Show): { t: Translate; main: HTMLElement } {
  const t = translator(lang);
  document.documentElement.lang = LANGUAGE_TAGS[lang];
  document.title = t("pageTitle");
  const main = h("main", { id: "main" });
  document.body.replaceChildren(h("header", {}, quickExitButton(t, lang), languageNav(t, lang, show), h("h1", {}, t("pageTitle"))), main);
  return { t, main };
}

/** Draws the page again in place, keeping the draft and where the source was typing. */
function redraw(show: Show, lang: Language): void {
  const focused = document.activeElement;
  const id = focused instanceof HTMLElement && focused.id !== "" ? focused.id : null;
  const selection = focused instanceof HTMLTextAreaElement ? [focused.selectionStart, focused.selectionEnd] : null;
  show(lang, readDraft(document) ?? undefined);
  const again = id === null ? null : document.getElementById(id);
  again?.focus();
  if (again instanceof HTMLTextAreaElement && selection) again.setSelectionRange(selection[0]!, selection[1]!);
}

async function start(): Promise<void> {
  let lang = chooseLanguage(location.search, navigator.languages ?? [navigator.language]);
  let loaded: Loaded | null = null;
  const show: Show = (next, draft) => {
    lang = next;
    const { t, main } = frame(next, show);
    if (loaded) renderNewsroom(t, next, main, loaded, draft);
  };
  const { t, main } = frame(lang, show);
  const status = h("p", { class: "status", role: "status" }, t("loading"));
  main.append(status);

  // Over plain http (other than an onion service or this machine) anyone on the path can change this
  // page's code, and the browser withholds the native crypto the age library relies on: refuse.
  if (!window.isSecureContext) {
    status.textContent = t("insecureConnection");
    status.classList.add("error");
    return;
  }

  // The verifier (and the curve code it needs) loads while the newsroom and its roster are fetched.
  const authorityCode = import("./authority.js");
  const roster = getRoster();
  roster.catch(() => {});
  let newsroom: NewsroomResponse;
  try {
    newsroom = await getNewsroom();
  } catch {
    status.textContent = t("loadFailed");
    status.classList.add("error");
    return;
  }
  loaded = { newsroom, verdict: null };
  status.remove();
  renderNewsroom(t, lang, main, loaded);

  try {
    const code = await authorityCode;
    const checked = await code.loadAuthority(() => Promise.all([getNewsroom(), getRoster()]), Promise.all([newsroom, roster]));
    loaded = { newsroom: checked.newsroom, verdict: { authority: checked.authority, code } };
  } catch {
    // Nothing was verified: take the form away and say so.
    loaded = null;
    const failed = frame(lang, show);
    failed.main.append(h("p", { class: "status error", role: "status" }, failed.t("loadFailed")));
    return;
  }
  redraw(show, lang);
}

void start();
