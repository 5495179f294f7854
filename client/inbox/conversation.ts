// A source's dossier and conversation: submissions, follow-ups, replies and desk notes in the order they
// happened (the inbox process orders them: src/cli/inbox/conversation.ts), attachments listed with name,
// type, size and SHA-256, saved to a folder with progress or previewed on request in a sandboxed frame,
// and the reply composer. Everything a source wrote goes on screen as text.
import type { AttachmentRow, ConversationItem, Dossier } from "../../src/cli/inbox/wire.js";
import { InboxRequestError, request, tokenUrl } from "./api.js";
import { h, heading, relationText, section, sizeText, STATUS_KEYS, table, type View } from "./ui.js";

const itemKey = { submission: "itemSubmission", followup: "itemFollowup" } as const;

function dossierList(view: View, d: Dossier): HTMLElement {
  const { t } = view;
  const s = d.source;
  const entry = (term: string, value: string) => [h("dt", {}, term), h("dd", {}, value)];
  return h(
    "dl",
    { class: "dossier" },
    ...entry(t("colDesk"), s.desks.join(", ")),
    ...entry(t("firstSeen"), s.firstSeen ?? ""),
    ...entry(t("lastSeen"), s.lastSeen ?? ""),
    ...entry(t("colGrade"), s.reliability ?? t("noGrade")),
    ...entry(t("colTags"), s.tags.length ? s.tags.join(", ") : t("none")),
    ...entry(t("colStatus"), t(STATUS_KEYS[s.status] ?? "statusNew")),
    ...entry(t("knownBy"), String(d.knownBy)),
    ...entry(t("quietWindows"), d.quietWindows.length ? d.quietWindows.map((w) => t("quietWindow", w)).join("; ") : t("none")),
    ...entry(t("introducedBy"), d.introducedBy.length ? d.introducedBy.join(", ") : t("none")),
    ...entry(t("introduced"), d.introduced.length ? d.introduced.join(", ") : t("none")),
    ...entry(t("paths"), d.paths.map((p) => (p.length ? p.join(" → ") : t("direct"))).join("; ") || t("direct")),
  );
}

function attachmentsOf(view: View, d: Dossier, item: ConversationItem & { type: "submission" | "followup" }): HTMLElement | null {
  const { t } = view;
  if (item.attachments.length === 0) return null;
  const previewArea = h("div", { class: "preview-area" });
  const progress = h("p", { class: "save-status", role: "status" });
  const save = h("button", { type: "button", class: "save" }, t("saveAttachments"));
  save.addEventListener("click", () => void saveAll(view, item.id, save, progress));
  const rows = item.attachments.map((a) => [a.name, a.type, sizeText(t, a.size), h("code", { class: "sha" }, a.sha256), a.previewable ? previewButton(view, d, item.id, a, previewArea) : ""]);
  return h(
    "div",
    { class: "attachments" },
    table(t("attachmentsHeading"), [t("colName"), t("colType"), t("colSize"), t("colSha"), t("colActions")], rows, { class: "attachments-table" }),
    save,
    progress,
    previewArea,
  );
}

function previewButton(view: View, d: Dossier, submission: string, a: AttachmentRow, area: HTMLElement): HTMLElement {
  const { t } = view;
  const button = h("button", { type: "button", "aria-label": t("previewLabel", { name: a.name }) }, t("preview"));
  button.addEventListener("click", () => {
    const src = tokenUrl(`/api/preview/${encodeURIComponent(d.source.pseudonym)}/${submission}/${a.position}`);
    // sandbox="" : no scripts, no forms, no top navigation, an opaque origin; the response has its own CSP too.
    const frame = h("iframe", { sandbox: "", src, title: t("previewTitle", { name: a.name }), class: "preview", referrerpolicy: "no-referrer" });
    const close = h("button", { type: "button" }, t("closePreview"));
    close.addEventListener("click", () => {
      area.replaceChildren();
      button.focus();
    });
    area.replaceChildren(frame, close);
  });
  return button;
}

interface SaveJob {
  state: "running" | "done" | "failed";
  done: number;
  total: number;
  folder: string | null;
  error?: string;
}

async function saveAll(view: View, submission: string, button: HTMLButtonElement, status: HTMLElement): Promise<void> {
  const { t } = view;
  button.disabled = true;
  try {
    const { job } = await request<{ job: string }>("/api/save", { method: "POST", body: { submission } });
    for (;;) {
      const state = await request<SaveJob>(`/api/save/${job}`);
      if (state.state === "failed") throw new InboxRequestError("inbox_save_failed", state.error ?? "");
      if (state.state === "done") {
        status.textContent = t("saved", { folder: state.folder ?? "" });
        break;
      }
      status.textContent = t("saving", { percent: state.total ? Math.floor((100 * state.done) / state.total) : 0 });
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (e) {
    status.textContent = t("saveFailed", { message: (e as Error).message });
  } finally {
    button.disabled = false;
  }
}

function itemView(view: View, d: Dossier, item: ConversationItem): HTMLElement {
  const { t } = view;
  const meta = (label: string, extra?: string) => h("p", { class: "item-meta" }, h("strong", {}, label), " · ", h("time", {}, item.day), extra ? ` · ${extra}` : "");
  switch (item.type) {
    case "submission":
    case "followup": {
      const fields = Object.entries(item.fields);
      return h(
        "li",
        { class: `item ${item.type}`, "data-id": item.id, "data-type": item.type },
        meta(t(itemKey[item.type]), item.desk),
        h("p", { class: "message" }, item.message),
        fields.length ? h("dl", { class: "fields", "aria-label": t("fields") }, ...fields.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])) : null,
        attachmentsOf(view, d, item),
      );
    }
    case "reply":
      return h(
        "li",
        { class: "item reply", "data-id": item.id, "data-type": "reply" },
        meta(t("itemReply", { from: item.from }), item.verified ? t("writtenBy", { author: item.author ?? "" }) : t("unverified")),
        h("p", { class: "message" }, item.message),
      );
    case "note":
      return h(
        "li",
        { class: "item note", "data-id": item.id, "data-type": "note" },
        meta(t("itemNote"), item.verified ? t("writtenBy", { author: item.author ?? "" }) : t("unverified")),
        h(
          "ul",
          { class: "note-parts" },
          item.reliability ? h("li", { class: "note-reliability" }, t("noteReliability", { grade: item.reliability })) : null,
          item.credibility !== null ? h("li", {}, t("noteCredibility", { grade: item.credibility })) : null,
          item.tags.length ? h("li", {}, t("noteTags", { tags: item.tags.join(", ") })) : null,
          ...item.links.map((l) =>
            h("li", { class: "note-link" }, l.source ? t("noteLink", { relation: relationText(t, l.relation), source: l.source }) : t("noteLinkUnknown", { relation: relationText(t, l.relation), id: l.submission.slice(0, 12) })),
          ),
        ),
        item.text ? h("p", { class: "message" }, item.text) : null,
      );
  }
}

function composer(view: View, d: Dossier, outbox: boolean, reload: (announce: string) => void): HTMLElement {
  const { t } = view;
  if (!d.source.canReply) return section("composer-heading", h("h3", { id: "composer-heading" }, t("composerHeading")), h("p", {}, t("cannotReply")));
  const text = h("textarea", { id: "reply-text", name: "message", rows: "5", "aria-describedby": "reply-help" });
  const status = h("p", { id: "reply-status", role: "status" });
  const send = h("button", { type: "submit" }, t("send"));
  const form = h("form", { class: "composer", "aria-labelledby": "composer-heading" }, h("label", { for: "reply-text" }, t("composerLabel", { pseudonym: d.source.pseudonym })), text, h("p", { id: "reply-help", class: "help" }, t("composerHelp")), send, status);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (text.value.trim() === "") {
      status.textContent = t("replyEmpty");
      text.focus();
      return;
    }
    send.disabled = true;
    status.textContent = t("sending");
    request<{ outbox: boolean }>(`/api/sources/${encodeURIComponent(d.source.pseudonym)}/reply`, { method: "POST", body: { message: text.value } }).then(
      (sent) => {
        text.value = "";
        reload(sent.outbox || outbox ? t("sentOutbox") : t("sent"));
      },
      (error: Error) => {
        send.disabled = false;
        status.textContent = t("replyFailed", { message: error.message });
      },
    );
  });
  return section("composer-heading", h("h3", { id: "composer-heading" }, t("composerHeading")), form);
}

/**
 * The desk's triage of this source: star and status are queued on this machine at each click, and shared
 * with the desk (one signed, padded note per desk) only when the editor presses "share".
 */
function triageControls(view: View, d: Dossier, pending: number, reload: (announce: string) => void): HTMLElement {
  const { t } = view;
  const path = `/api/sources/${encodeURIComponent(d.source.pseudonym)}/triage`;
  const status = h("p", { id: "triage-status", role: "status" });
  const act = (body: Record<string, string>, done: string) =>
    request<{ pending: number }>(path, { method: "POST", body }).then(
      () => reload(done),
      (error: Error) => void (status.textContent = t("triageFailed", { message: error.message })),
    );
  const star = h("button", { type: "button", id: "triage-star", "aria-pressed": d.source.starred ? "true" : "false" }, d.source.starred ? t("unstarAction") : t("starAction"));
  star.addEventListener("click", () => void act({ op: d.source.starred ? "unstar" : "star" }, t("triageQueued")));
  const select = h("select", { id: "triage-status-select" }, ...Object.entries(STATUS_KEYS).map(([value, key]) => h("option", { value, ...(value === d.source.status ? { selected: "" } : {}) }, t(key))));
  select.addEventListener("change", () => void act({ op: "status", status: select.value }, t("triageQueued")));
  const share = h("button", { type: "button", id: "triage-share", ...(pending === 0 ? { disabled: "" } : {}) }, t("shareTriage"));
  share.addEventListener("click", () => {
    share.disabled = true;
    request<{ notes: number; outbox: boolean }>("/api/triage/share", { method: "POST", body: {} }).then(
      (sent) => reload(sent.outbox ? t("triageSharedOutbox") : t("triageShared")),
      (error: Error) => {
        share.disabled = false;
        status.textContent = t("triageFailed", { message: error.message });
      },
    );
  });
  return section(
    "triage-heading",
    h("h3", { id: "triage-heading" }, t("triageHeading")),
    h("div", { class: "triage" }, star, h("label", { for: "triage-status-select" }, t("colStatus")), select),
    h("p", { id: "triage-pending", class: "help" }, t("triagePending", { n: pending })),
    share,
    status,
  );
}

export async function renderConversation(view: View, pseudonym: string, outbox: boolean, reload: (announce: string) => void, pendingTriage = 0): Promise<HTMLElement> {
  const { t } = view;
  const d = await request<Dossier>(`/api/sources/${encodeURIComponent(pseudonym)}`);
  const back = h("a", { href: "#/sources", class: "back" }, t("back"));
  return section(
    "source-heading",
    back,
    heading(d.source.pseudonym, "source-heading"),
    section("dossier-heading", h("h3", { id: "dossier-heading" }, t("dossierHeading")), dossierList(view, d)),
    triageControls(view, d, pendingTriage, reload),
    section(
      "conversation-heading",
      h("h3", { id: "conversation-heading" }, t("conversationHeading")),
      d.items.length === 0 ? h("p", {}, t("conversationNone")) : h("ol", { class: "thread", id: "thread" }, ...d.items.map((item) => itemView(view, d, item))),
    ),
    composer(view, d, outbox, reload),
  );
}
