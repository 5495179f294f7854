// The source is told what the server deletes and when (client/retention.ts), in each language, from the
// newsroom answer's `retention`: the right sentence for each combination of settings, days in words
// ("1 day", "5 days", "5일", "5 天"), nothing at all from a server that does not say.
import { describe, expect, it } from "vitest";
import { retentionSentences } from "../../client/retention.js";
import { CATALOGUES, LANGUAGES, translator } from "../../src/i18n/index.js";

const none = { submissionDays: null, submissionsWhenPulled: false, replyDays: null, mailboxDays: null };

describe("retention in plain words", () => {
  it("says nothing when the server does not say", () => {
    for (const lang of LANGUAGES) expect(retentionSentences(translator(lang), undefined)).toEqual([]);
  });

  it("says the tip is kept until an editor deletes it when nothing expires", () => {
    for (const lang of LANGUAGES) {
      const c = CATALOGUES[lang];
      expect(retentionSentences(translator(lang), none)).toEqual([c.retentionKept, c.retentionCopies]);
    }
  });

  it("names each setting, with the days in the page's language", () => {
    const en = translator("en");
    expect(retentionSentences(en, { submissionDays: 1, submissionsWhenPulled: false, replyDays: 30, mailboxDays: 90 })).toEqual([
      "The newsroom's server deletes your tip and its files 1 day after it arrives.",
      "Replies to you are deleted 30 days after they are sent.",
      "Your mailbox and the replies in it are deleted when it has not been used for 90 days.",
      CATALOGUES.en.retentionCopies,
    ]);
    expect(retentionSentences(en, { ...none, submissionsWhenPulled: true })[0]).toBe(CATALOGUES.en.retentionPulled);
    expect(retentionSentences(en, { ...none, submissionDays: 7, submissionsWhenPulled: true })[0]).toBe(
      "The newsroom's server deletes your tip and its files once every editor of the desk has downloaded them, and 7 days after it arrives at the latest.",
    );
    expect(retentionSentences(translator("ko"), { ...none, submissionDays: 5 })[0]).toContain("5일");
    expect(retentionSentences(translator("zh"), { ...none, mailboxDays: 5 })[1]).toContain("5 天");
    for (const lang of LANGUAGES) {
      for (const sentence of retentionSentences(translator(lang), { submissionDays: 3, submissionsWhenPulled: true, replyDays: 4, mailboxDays: 5 })) {
        expect(sentence).not.toMatch(/[{}]/);
      }
    }
  });
});
