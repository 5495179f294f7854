// What the server deletes, and when, in plain words for the source (docs/THREAT-MODEL.md, "Retention and
// deletion"): from `retention` in the newsroom answer, which main.ts hands over once it has it. Shown under
// the form and again on the receipt. An older server that says nothing gets nothing said.
import type { NewsroomResponse } from "../src/core/wire.js";
import type { Translate } from "../src/i18n/index.js";
import { h } from "./dom.js";

type Retention = NonNullable<NewsroomResponse["retention"]>;

let known: Retention | undefined;

/** Keeps the newsroom's settings for the receipt, which is drawn later, from the form. */
export function rememberRetention(retention: NewsroomResponse["retention"]): void {
  known = retention;
}

/** The sentences for `retention`, in the page's language; none when the server did not say. */
export function retentionSentences(t: Translate, retention: Retention | undefined = known): string[] {
  if (!retention) return [];
  const days = (n: number) => (n === 1 ? t("retentionOneDay") : t("retentionDays", { n }));
  const { submissionDays, submissionsWhenPulled, replyDays, mailboxDays } = retention;
  const out: string[] = [];
  if (submissionDays !== null && submissionsWhenPulled) out.push(t("retentionPulledOrDays", { days: days(submissionDays) }));
  else if (submissionDays !== null) out.push(t("retentionTipDays", { days: days(submissionDays) }));
  else if (submissionsWhenPulled) out.push(t("retentionPulled"));
  else out.push(t("retentionKept"));
  if (replyDays !== null) out.push(t("retentionReplies", { days: days(replyDays) }));
  if (mailboxDays !== null) out.push(t("retentionMailbox", { days: days(mailboxDays) }));
  out.push(t("retentionCopies"));
  return out;
}

/** A paragraph with those sentences, or none (to spread into a parent's children). */
export function retentionNotice(t: Translate, retention: Retention | undefined = known): HTMLElement[] {
  const sentences = retentionSentences(t, retention);
  return sentences.length > 0 ? [h("p", { class: "help retention" }, sentences.join(" "))] : [];
}
