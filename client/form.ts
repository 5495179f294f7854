// The tip form: desk, message, files, and the progress and error regions that narrate a submission.
import type { ReplyChannel } from "../src/core/envelope.js";
import type { Receipt } from "../src/core/wire.js";
import { ApiError } from "../src/core/api-error.js";
import { CancelledError, NetworkError } from "./api.js";
import { h } from "./dom.js";
import { fileSize } from "./format.js";
import type { Language, MessageKey, Translate } from "../src/i18n/index.js";
import { renderReceipt } from "./receipt.js";
import { metadataPanel } from "./media/panel.js";
import type { Channel } from "./send.js";
import { ProgressMeter, clock } from "./upload/meter.js";
import { FileReadError, MAX_TOTAL_FILE_BYTES, checkTip, type Desk, type Limits, type OnProgress, type Problem, type Step, type Tip } from "./tip.js";

/** The encryption code, fetched once the form is on screen; a failed fetch is tried again on the next send. */
let sender: Promise<typeof import("./send.js")> | null = null;
function loadSender(): Promise<typeof import("./send.js")> {
  sender ??= import("./send.js").catch((e: unknown) => {
    sender = null;
    throw new NetworkError(e instanceof Error ? e.message : String(e));
  });
  return sender;
}

const STEP_MESSAGES: Record<Step["kind"], MessageKey> = {
  reading: "statusReading",
  encryptingFile: "statusEncryptingFile",
  uploadingFile: "statusUploadingFile",
  encryptingMessage: "statusEncryptingMessage",
  sending: "statusSending",
};

/** Error codes with their own explanation; any other code gets the generic message. */
const ERROR_MESSAGES: Partial<Record<string, MessageKey>> = {
  payload_too_large: "error_payload_too_large",
  unknown_desk: "error_unknown_desk",
  rate_limited: "error_rate_limited",
  upload_incomplete: "error_upload_incomplete",
  upload_conflict: "error_upload_conflict",
  invalid_ciphertext: "error_invalid_ciphertext",
  proof_of_work_required: "error_proof_of_work_required",
  unavailable: "error_unavailable",
  storage_full: "error_storage_full",
  upload_quota_exceeded: "error_upload_quota_exceeded",
};

function problemText(t: Translate, p: Problem): string {
  switch (p.kind) {
    case "empty":
      return t("errorEmpty");
    case "messageTooLong":
      return t("errorMessageTooLong", { max: p.max });
    case "tooManyFiles":
      return t("errorTooManyFiles", { max: p.max });
    case "fileTooLarge":
      return t("errorFileTooLarge", { name: p.name, max: fileSize(t, p.max) });
    case "filesTooLarge":
      return t("errorFilesTooLarge", { size: fileSize(t, p.size), max: fileSize(t, p.max) });
  }
}

function failureText(t: Translate, e: unknown): string {
  if (e instanceof ApiError) {
    const key = ERROR_MESSAGES[e.code];
    return key !== undefined ? `${t(key)} ${t("errorKept")}` : t("errorGeneric", { code: e.code });
  }
  if (e instanceof NetworkError) return t("errorNetwork");
  if (e instanceof FileReadError) return `${t("errorFileUnreadable", { name: e.fileName })} ${t("errorKept")}`;
  return t("errorGeneric", { code: e instanceof Error ? e.name : "error" });
}

export interface FormOptions {
  /** A returning source's follow-up: sent with this channel, and no new codename is made. */
  followup?: ReplyChannel;
  /** What a form of this page held before (the language changed): restored, nothing lost. */
  draft?: Draft;
  /** The newsroom's keys are still being checked (client/authority.ts): the form takes a draft but cannot send. */
  checking?: boolean;
}

/** What a source has put in the first-submission form so far; it lives only in this page's memory. */
export interface Draft {
  desk: string | null;
  message: string;
  files: FileList | null;
  keepCodename: boolean;
}

/** The draft of the first-submission form inside `root`, or null when there is none (or it is sending). */
export function readDraft(root: ParentNode): Draft | null {
  const form = root.querySelector<HTMLFormElement>("form[data-form=first]");
  if (form === null || form.getAttribute("aria-busy") === "true") return null;
  return {
    desk: form.querySelector<HTMLSelectElement>("#desk")?.value ?? null,
    message: form.querySelector<HTMLTextAreaElement>("#message")?.value ?? "",
    files: form.querySelector<HTMLInputElement>("#files")?.files ?? null,
    keepCodename: form.querySelector<HTMLInputElement>("#keep-codename")?.checked ?? true,
  };
}

export function renderForm(t: Translate, lang: Language, desks: readonly Desk[], limits: Limits, options: FormOptions = {}): HTMLElement {
  const followup = options.followup ?? null;
  const deskSelect =
    desks.length > 1
      ? h("select", { id: "desk", name: "desk" }, ...desks.map((d) => h("option", { value: d.id }, d.name)))
      : null;
  const message = h("textarea", { id: "message", name: "message", rows: "8", required: true, "aria-describedby": "message-help" });
  // The native picker speaks the browser's language, so it is hidden behind a translated label; it
  // stays the focusable control, and its label shows the focus ring.
  const files = h("input", {
    id: "files",
    name: "files",
    type: "file",
    multiple: true,
    class: "file-input",
    "aria-labelledby": "files-label",
    "aria-describedby": "files-help files-chosen",
  });
  const chosen = h("ul", { id: "files-chosen", class: "chosen" });
  const showChosen = () => {
    const list = [...(files.files ?? [])];
    chosen.replaceChildren(
      ...(list.length === 0
        ? [h("li", { class: "help" }, t("noFilesChosen"))]
        : list.map((f) => h("li", {}, t("fileChosen", { name: f.name, size: fileSize(t, f.size) })))),
    );
  };
  showChosen();
  // Keeping a codename is the default: without one, the newsroom can never answer.
  const keep = followup ? null : h("input", { id: "keep-codename", name: "keep-codename", type: "checkbox", checked: true, "aria-describedby": "keep-codename-help" });
  const media = metadataPanel(t);
  const submit = h("button", { type: "submit", disabled: options.checking === true }, t("submit"));
  const fieldset = h(
    "fieldset",
    {},
    h("legend", {}, t(followup ? "followupHeading" : "formHeading")),
    deskSelect && h("div", { class: "field" }, h("label", { for: "desk" }, t("deskLabel")), deskSelect),
    h(
      "div",
      { class: "field" },
      h("label", { for: "message" }, t("messageLabel")),
      h("p", { id: "message-help", class: "help" }, t("messageHelp")),
      message,
    ),
    h(
      "div",
      { class: "field" },
      h("span", { id: "files-label", class: "label" }, t("filesLabel")),
      h("p", { id: "files-help", class: "help" }, t("filesHelp", { max: fileSize(t, Math.min(MAX_TOTAL_FILE_BYTES, limits.maxAttachmentBytes)) })),
      files,
      h("label", { for: "files", class: "file-button" }, t("chooseFiles")),
      chosen,
      media.element,
    ),
    keep &&
      h(
        "div",
        { class: "field check" },
        keep,
        h("label", { for: "keep-codename" }, t("keepCodename")),
        h("p", { id: "keep-codename-help", class: "help" }, t("keepCodenameHelp")),
      ),
    submit,
  );
  const statusText = h("span", { id: "progress-text" });
  const progress = h("progress", { max: "1", value: "0", "aria-labelledby": "progress-text" });
  const status = h("div", { class: "status", role: "status", "aria-live": "polite" }, statusText, progress);
  progress.hidden = true;
  // Outside the fieldset, which is disabled while sending. Shown until the submission itself is posted.
  const cancel = h("button", { type: "button", id: "cancel-send", class: "secondary" }, t("cancelSend"));
  cancel.hidden = true;
  let controller: AbortController | null = null;
  cancel.addEventListener("click", () => controller?.abort(new CancelledError("cancelled by the source")));
  const alert = h("div", { class: "error", role: "alert", id: "form-error" });
  alert.hidden = true;
  // Validation is ours, not the browser's: its bubbles speak the browser's language, not the page's.
  const form = h("form", { novalidate: true, "aria-describedby": "form-error", "data-form": followup ? "followup" : "first" }, fieldset, status, cancel, alert);

  // The message is required only while no file is chosen.
  files.addEventListener("change", () => {
    message.required = (files.files?.length ?? 0) === 0;
    showChosen();
    void media.inspect([...(files.files ?? [])]);
  });

  const draft = options.draft;
  if (draft) {
    message.value = draft.message;
    if (deskSelect && draft.desk !== null && desks.some((d) => d.id === draft.desk)) deskSelect.value = draft.desk;
    if (keep) keep.checked = draft.keepCodename;
    if (draft.files && draft.files.length > 0) {
      files.files = draft.files;
      message.required = false;
      showChosen();
      void media.inspect([...draft.files]);
    }
  }

  const showError = (text: string, focus?: HTMLElement) => {
    alert.textContent = text;
    alert.hidden = false;
    if (focus) {
      focus.setAttribute("aria-invalid", "true");
      focus.focus();
    }
  };
  const clearError = () => {
    alert.textContent = "";
    alert.hidden = true;
    message.removeAttribute("aria-invalid");
    files.removeAttribute("aria-invalid");
  };

  // Made once per form and kept across retries: if a send failed after the server stored it, the retry
  // still belongs to the same source rather than to a second, unrelated codename.
  let channel: Channel | null = followup ? { reply: followup, words: null } : null;
  const send = async (draft: Omit<Tip, "reply" | "kind">, onProgress: OnProgress, signal: AbortSignal) => {
    const { newChannel, submitTip } = await loadSender();
    signal.throwIfAborted();
    if (keep !== null && !keep.checked) channel = null;
    else if (channel === null) channel = await newChannel(lang, draft.desk);
    const toSend = { ...draft, files: await media.filesToSend(draft.files as File[]) };
    signal.throwIfAborted();
    return submitTip({ ...toSend, reply: channel?.reply ?? null, kind: followup ? "followup" : "submission" }, onProgress, signal);
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (fieldset.disabled || options.checking) return;
    clearError();
    const desk = desks.find((d) => d.id === (deskSelect?.value ?? desks[0]?.id));
    if (desk === undefined) return;
    const draft = { desk, message: message.value, files: [...(files.files ?? [])], lang };
    const problem = checkTip({ ...draft, reply: null, kind: "submission" }, limits);
    if (problem !== null) {
      showError(problemText(t, problem), problem.kind === "empty" || problem.kind === "messageTooLong" ? message : files);
      return;
    }

    fieldset.disabled = true;
    form.setAttribute("aria-busy", "true");
    progress.hidden = false;
    progress.value = 0;
    const meter = new ProgressMeter();
    controller = new AbortController();
    const signal = controller.signal;
    cancel.hidden = false;
    const onProgress: OnProgress = (step, fraction, work) => {
      // From here the submission is posted: too late to take it back, so Cancel goes.
      if (step.kind === "sending") cancel.hidden = true;
      const text = work?.retrying === "server" ? t("statusServerWaiting") : work?.retrying ? t("statusReconnecting") : t(STEP_MESSAGES[step.kind], "n" in step ? { n: step.n, total: step.total } : {});
      const r = work ? meter.read(work.done / 2, work.total / 2) : null;
      // Work counts each file twice (seal, send): halved, speed is in bytes of file per second.
      const detail = r ? t("progressDetail", { percent: Math.floor(fraction * 100), speed: fileSize(t, r.speed), left: clock(r.secondsLeft) }) : "";
      statusText.textContent = detail ? `${text} ${detail}` : text;
      progress.value = fraction;
    };
    send(draft, onProgress, signal).then(
      (receipt: Receipt) => {
        // Drop the tip from the page: the form and everything it held goes away with it.
        form.reset();
        message.value = "";
        files.value = "";
        chosen.replaceChildren();
        cancel.hidden = true;
        const view = renderReceipt(t, lang, receipt, { words: channel?.words ?? null, followup: followup !== null });
        channel = null;
        form.replaceWith(view);
        view.focus();
      },
      (e: unknown) => {
        // Keep everything the source wrote; say what happened and let them try again.
        fieldset.disabled = false;
        form.removeAttribute("aria-busy");
        progress.hidden = true;
        cancel.hidden = true;
        controller = null;
        statusText.textContent = "";
        showError(signal.aborted ? t("sendCancelled") : failureText(t, e));
        submit.focus();
      },
    );
  });

  // On its way while the source reads and writes: by the time they send, it is usually here.
  void loadSender().catch(() => {});
  return form;
}
