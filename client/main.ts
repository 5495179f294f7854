// The source page: choose the language, load the newsroom, show its key fingerprint and the form.
import "./style.css";
import { newsroomFingerprint } from "../src/core/fingerprint.js";
import type { NewsroomResponse } from "../src/core/wire.js";
import { getNewsroom } from "./api.js";
import { h } from "./dom.js";
import { readDraft, renderForm, type Draft } from "./form.js";
import { quickExitButton } from "./quick-exit.js";
import { CATALOGUES, LANGUAGE_TAGS, LANGUAGES, chooseLanguage, translator, type Language, type Translate } from "../src/i18n/index.js";

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
 * The fingerprint is computed here from the keys this page will actually encrypt to, not taken on the
 * server's word: a server that swapped the keys would otherwise still show the published fingerprint.
 */
function keysMatch(newsroom: NewsroomResponse): { fingerprint: string; ok: boolean } {
  const recipients = newsroom.desks.flatMap((d) => d.recipients);
  const fingerprint = newsroomFingerprint(recipients);
  return { fingerprint, ok: recipients.length > 0 && fingerprint === newsroom.fingerprint };
}

/**
 * The form comes first, right under the introduction, so that on a small phone the message box is on
 * the first screen; the advice, the fingerprint to check and the way back for a returning source follow.
 */
function renderNewsroom(t: Translate, lang: Language, main: HTMLElement, newsroom: NewsroomResponse, draft?: Draft): void {
  const { fingerprint, ok } = keysMatch(newsroom);
  const desks = newsroom.desks.filter((d) => d.recipients.length > 0);
  const fingerprintSection = h(
    "section",
    { class: "fingerprint", "aria-labelledby": "fingerprint-heading" },
    h("h2", { id: "fingerprint-heading" }, t("fingerprintHeading")),
    h("p", {}, t("fingerprintHelp", { newsroom: newsroom.name })),
    h("p", {}, h("code", { id: "fingerprint", translate: "no" }, fingerprint)),
  );
  main.append(h("p", { class: "intro" }, t("intro", { newsroom: newsroom.name })));
  if (!ok) {
    main.append(fingerprintSection, h("p", { class: "error", role: "alert" }, desks.length === 0 ? t("noDesks") : t("fingerprintMismatch")));
    return;
  }
  const start = h("div", { id: "start" });
  const showStart = (kept?: Draft) =>
    start.replaceChildren(
      renderForm(t, lang, desks, newsroom.limits, kept ? { draft: kept } : {}),
      h("p", { class: "advice" }, t("safetyAdvice")),
      returnEntry(t, lang, start, desks, newsroom.limits, () => showStart()),
    );
  showStart(draft);
  main.append(start, fingerprintSection);
}

/**
 * The way back for a source who kept a codename. What it needs (the word lists, the mailbox, the
 * decryption of replies) loads only when asked for, so a first visit downloads none of it.
 */
function returnEntry(t: Translate, lang: Language, start: HTMLElement, desks: NewsroomResponse["desks"], limits: NewsroomResponse["limits"], showStart: () => void): HTMLElement {
  const button = h("button", { type: "button", id: "have-codename", class: "secondary" }, t("returnButton"));
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  button.addEventListener("click", () => {
    button.disabled = true;
    status.textContent = t("loading");
    import("./returning.js").then(
      ({ renderReturn }) => {
        const view = renderReturn(t, lang, {
          desks,
          limits,
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

async function start(): Promise<void> {
  const lang = chooseLanguage(location.search, navigator.languages ?? [navigator.language]);
  let newsroom: NewsroomResponse | null = null;
  const show: Show = (next, draft) => {
    const { t, main } = frame(next, show);
    if (newsroom) renderNewsroom(t, next, main, newsroom, draft);
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

  try {
    newsroom = await getNewsroom();
  } catch {
    status.textContent = t("loadFailed");
    status.classList.add("error");
    return;
  }
  status.remove();
  renderNewsroom(t, lang, main, newsroom);
}

void start();
