// The tip form: desk, message, files, and the progress and error regions that narrate a submission.
import { codenameToPhrase, newCodenameEntropy } from "../src/core/codename.js";
import { deriveSourceKeys, keyKindOf } from "../src/core/derive.js";
import type { ReplyChannel } from "../src/core/envelope.js";
import type { Receipt } from "../src/core/wire.js";
import { ApiError, NetworkError } from "./api.js";
import { h } from "./dom.js";
import { megabytes } from "./format.js";
import type { Language, MessageKey, Translate } from "../src/i18n/index.js";
import { renderReceipt } from "./receipt.js";
import { metadataPanel } from "./media/panel.js";
import { ProgressMeter, clock } from "./upload/meter.js";
import { FileReadError, MAX_TOTAL_FILE_BYTES, checkTip, submitTip, type Desk, type Limits, type OnProgress, type Problem, type Step } from "./submit.js";
import { loadWordlist } from "./wordlists.js";

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
      return t("errorFileTooLarge", { name: p.name, max: megabytes(t, p.max) });
    case "filesTooLarge":
      return t("errorFilesTooLarge", { size: megabytes(t, p.size), max: megabytes(t, p.max) });
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

/** The reply channel a codename gives, and the words that show it (only for a new codename). */
interface Channel {
  reply: ReplyChannel;
  words: string[] | null;
}

/**
 * A new codename for a first submission: fresh entropy, the keys it derives (of the kind the desk's
 * keys are: age cannot mix them) and its words in the page's language. The word list is loaded before
 * anything is sent, so a failed load can never leave a stored tip whose codename the page cannot show.
 */
async function newChannel(lang: Language, desk: Desk): Promise<Channel> {
  const entropy = newCodenameEntropy();
  const [keys, wordlist] = await Promise.all([deriveSourceKeys(entropy, keyKindOf(desk.recipients[0] ?? "")), loadWordlist(lang)]);
  const words = codenameToPhrase(entropy, wordlist).split(" ");
  entropy.fill(0);
  return { reply: { recipient: keys.replyRecipient, mailbox: { id: keys.mailboxId, credential: keys.mailboxCredential } }, words };
}

export interface FormOptions {
  /** A returning source's follow-up: sent with this channel, and no new codename is made. */
  followup?: ReplyChannel;
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
        : list.map((f) => h("li", {}, t("fileChosen", { name: f.name, size: megabytes(t, f.size) })))),
    );
  };
  showChosen();
  // Keeping a codename is the default: without one, the newsroom can never answer.
  const keep = followup ? null : h("input", { id: "keep-codename", name: "keep-codename", type: "checkbox", checked: true, "aria-describedby": "keep-codename-help" });
  const media = metadataPanel(t);
  const submit = h("button", { type: "submit" }, t("submit"));
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
      h("p", { id: "files-help", class: "help" }, t("filesHelp", { max: megabytes(t, Math.min(MAX_TOTAL_FILE_BYTES, limits.maxAttachmentBytes)) })),
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
  const alert = h("div", { class: "error", role: "alert", id: "form-error" });
  alert.hidden = true;
  // Validation is ours, not the browser's: its bubbles speak the browser's language, not the page's.
  const form = h("form", { novalidate: true, "aria-describedby": "form-error" }, fieldset, status, alert);

  // The message is required only while no file is chosen.
  files.addEventListener("change", () => {
    message.required = (files.files?.length ?? 0) === 0;
    showChosen();
    void media.inspect([...(files.files ?? [])]);
  });

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
  const send = async (draft: Omit<Parameters<typeof submitTip>[0], "reply" | "kind">, onProgress: Parameters<typeof submitTip>[1]) => {
    if (keep !== null && !keep.checked) channel = null;
    else if (channel === null) channel = await newChannel(lang, draft.desk);
    const toSend = { ...draft, files: await media.filesToSend(draft.files as File[]) };
    return submitTip({ ...toSend, reply: channel?.reply ?? null, kind: followup ? "followup" : "submission" }, onProgress);
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (fieldset.disabled) return;
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
    const onProgress: OnProgress = (step, fraction, work) => {
      const text = work?.retrying === "server" ? t("statusServerWaiting") : work?.retrying ? t("statusReconnecting") : t(STEP_MESSAGES[step.kind], "n" in step ? { n: step.n, total: step.total } : {});
      const r = work ? meter.read(work.done / 2, work.total / 2) : null;
      // Work counts each file twice (seal, send): halved, speed is in bytes of file per second.
      const detail = r ? t("progressDetail", { percent: Math.floor(fraction * 100), speed: megabytes(t, r.speed), left: clock(r.secondsLeft) }) : "";
      statusText.textContent = detail ? `${text} ${detail}` : text;
      progress.value = fraction;
    };
    send(draft, onProgress).then(
      (receipt: Receipt) => {
        // Drop the tip from the page: the form and everything it held goes away with it.
        form.reset();
        message.value = "";
        files.value = "";
        chosen.replaceChildren();
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
        statusText.textContent = "";
        showError(failureText(t, e));
        submit.focus();
      },
    );
  });

  return form;
}
