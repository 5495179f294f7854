// The page's "hidden information" panel: when files are chosen, each is checked (./index.ts) and the
// source is told in plain words what it carries; at send time, cleaned copies replace the originals
// unless the source chose to keep the information. Nothing here throws: a file that cannot be checked
// is described as such and sent as it is.
import { h } from "../dom.js";
import type { MessageKey, Translate } from "../../src/i18n/index.js";
import { inspectFile, type Finding, type MediaReport } from "../../src/core/media/index.js";

const FINDING_TEXT: Record<Finding, MessageKey> = {
  location: "metaLocation",
  device: "metaDevice",
  time: "metaTime",
  author: "metaAuthor",
  software: "metaSoftware",
  other: "metaOther",
};

export interface MetadataPanel {
  element: HTMLElement;
  /** Checks newly chosen files and shows what was found. */
  inspect(files: readonly File[]): Promise<void>;
  /** The files to send: cleaned copies where metadata was removed, originals otherwise. */
  filesToSend(files: readonly File[]): Promise<File[]>;
}

/** "a, b and c" in the page's language (the <html lang> set from the catalogue). */
function joinList(items: string[]): string {
  try {
    return new Intl.ListFormat(document.documentElement.lang || "en", { type: "conjunction" }).format(items);
  } catch {
    return items.join("; ");
  }
}

export function metadataPanel(t: Translate): MetadataPanel {
  const list = h("ul", { id: "metadata-findings" });
  const keep = h("input", { type: "checkbox", id: "metadata-keep" });
  const keepField = h("div", { class: "field checkbox" }, keep, h("label", { for: "metadata-keep" }, t("metaKeep")));
  const element = h("section", { class: "metadata", "aria-labelledby": "metadata-heading", "aria-live": "polite" }, h("h3", { id: "metadata-heading" }, t("metaHeading")), list, keepField);
  element.hidden = true;
  const reports = new Map<File, Promise<MediaReport>>();
  let generation = 0;

  const describe = (file: File, r: MediaReport): string => {
    switch (r.status) {
      case "cleaned": {
        const items = joinList(r.found.map((f) => t(FINDING_TEXT[f])));
        return t(keep.checked ? "metaFoundKept" : "metaFound", { name: file.name, items });
      }
      case "none":
        return t("metaNone", { name: file.name });
      case "cannotClean":
        return t(`metaCannot_${r.kind}` as MessageKey, { name: file.name });
      case "unknown":
        return "";
    }
  };

  let shown: readonly File[] = [];
  const render = async () => {
    const mine = ++generation;
    const lines: HTMLElement[] = [];
    let anyCleaned = false;
    for (const file of shown) {
      const report = await reports.get(file)!;
      if (mine !== generation) return;
      const text = describe(file, report);
      if (report.status === "cleaned") anyCleaned = true;
      if (text) lines.push(h("li", { class: report.status === "cannotClean" ? "warning" : report.status }, text));
    }
    list.replaceChildren(...lines);
    element.hidden = lines.length === 0;
    keepField.hidden = !anyCleaned;
  };
  keep.addEventListener("change", () => void render());

  return {
    element,
    async inspect(files) {
      shown = files;
      for (const f of files) if (!reports.has(f)) reports.set(f, inspectFile(f));
      await render();
    },
    async filesToSend(files) {
      const out: File[] = [];
      for (const f of files) {
        const report = await (reports.get(f) ?? inspectFile(f));
        if (report.status === "cleaned" && !keep.checked) out.push(new File([report.cleaned as Uint8Array<ArrayBuffer>], f.name, { type: f.type }));
        else out.push(f);
      }
      return out;
    },
  };
}
