// "Quick exit": for a source who must hide the page at once. It empties every field and the whole page
// (message, files, a codename on screen) and replaces this page in the tab's history with a neutral one,
// so Back does not return here. Nothing is requested from the other site before the click.
//
// The neutral page is a public weather page: ordinary to have open anywhere. Sources in the Chinese border
// provinces cannot reach Wikipedia, whose error page would itself look odd, so the Korean and Chinese pages
// leave for the China Meteorological Administration's public site; the English page for Wikipedia's article
// on weather.
import { h } from "./dom.js";
import type { Language, Translate } from "../src/i18n/index.js";

export const EXIT_URLS: Readonly<Record<Language, string>> = {
  en: "https://en.wikipedia.org/wiki/Weather",
  ko: "https://www.weather.com.cn/",
  zh: "https://www.weather.com.cn/",
};

export function leaveNow(lang: Language): void {
  for (const field of document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>("input, textarea, select")) {
    if (field instanceof HTMLInputElement && (field.type === "checkbox" || field.type === "radio")) field.checked = false;
    else field.value = "";
  }
  document.body.replaceChildren();
  document.title = "";
  location.replace(EXIT_URLS[lang]);
}

export function quickExitButton(t: Translate, lang: Language): HTMLElement {
  const help = h("span", { id: "quick-exit-help", class: "visually-hidden" }, t("quickExitHelp"));
  const button = h("button", { type: "button", id: "quick-exit", class: "quick-exit", "aria-describedby": "quick-exit-help" }, t("quickExit"));
  button.addEventListener("click", () => leaveNow(lang));
  return h("div", { class: "quick-exit-bar" }, button, help);
}
