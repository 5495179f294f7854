// A tip form's request (`POST /`), read part after part and sealed on arrival: everything checked
// (language, question, desk, codename) comes before the files in the form, so a refused request has no
// file read; the message is held in memory until the envelope is sealed, the files are sealed as they
// arrive (seal.ts). What it stores: the sealed uploads and one submission, as the page's own tips.
import { toBase64 } from "../../core/bytes.js";
import { type AttachmentManifest, type Envelope, MAX_ATTACHMENTS, MAX_MESSAGE_CHARS, sealEnvelope } from "../../core/envelope.js";
import { LIMITS } from "../../core/wire.js";
import { type Language, translator } from "../../i18n/index.js";
import type { Deps } from "../deps.js";
import type { SubmissionStore } from "../submission-store.js";
import { FormAgain, isLanguage, PageError, sizeText, verdictText } from "./answers.js";
import type { Challenges } from "./challenge.js";
import { NOJS_CLIENT, type NoJsConfig } from "./config.js";
import { type Keys, keysOf, newKeys } from "./keys.js";
import type { MultipartReader } from "./multipart.js";
import type { FileOutcome, PageContext } from "./pages.js";
import { sealFile } from "./seal.js";

export interface TipReceipt {
  id: string;
  /** A new codename's words, or null (none kept, or a follow-up). */
  words: string[] | null;
  followup: boolean;
  files: FileOutcome[];
}

export interface TipOptions {
  deps: Deps;
  submissions: SubmissionStore;
  challenges: Challenges;
  config: NoJsConfig;
  /** Uploads made so far, for the caller to drop if the tip is not stored. */
  uploads: string[];
  /** Called when the form names its language: the answer is written in it. */
  onLanguage(ctx: PageContext): void;
}

const badRequest = () => new PageError(400, (x) => x.t("nojsFailed", { code: "bad_request" }));

export async function receiveTip(reader: MultipartReader, ctx0: PageContext, options: TipOptions): Promise<TipReceipt> {
  const { deps, challenges, config, uploads } = options;
  let ctx = ctx0;
  let token = "";
  let verified = false;
  let message = "";
  let deskId: string | null = null;
  let codename: string | null = null;
  let keep = false;
  let followupKeys: Keys | null = null;
  const attachments: AttachmentManifest[] = [];
  const files: FileOutcome[] = [];
  const kept = () => ({ message, ...(deskId === null ? {} : { desk: deskId }), ...(codename === null ? {} : { codename }) });
  const desk = () => ctx.newsroom.desks.find((d) => d.id === deskId && d.recipients.length > 0);
  for (let part = await reader.next(); part !== null; part = await reader.next()) {
    if (part.filename !== null) {
      if (!verified || desk() === undefined) throw badRequest();
      const chunks = reader.chunks();
      if (part.filename === "") {
        // An empty file input still sends a part, with no name and no bytes.
        for await (const piece of chunks) if (piece.length > 0) throw badRequest();
        continue;
      }
      if (attachments.length >= MAX_ATTACHMENTS) throw new FormAgain(400, (x) => x.t("errorTooManyFiles", { max: MAX_ATTACHMENTS }), kept());
      const sealed = await sealFile(deps, chunks, { name: part.filename, type: part.type }, desk()!.recipients, { maxCleanBytes: config.maxCleanBytes });
      uploads.push(sealed.uploadId);
      attachments.push(sealed.manifest);
      files.push({ name: sealed.manifest.name, result: sealed.media });
      continue;
    }
    switch (part.name) {
      case "lang": {
        const lang: string = await reader.text(16);
        if (isLanguage(lang)) options.onLanguage((ctx = withLanguage(ctx0, lang)));
        break;
      }
      case "challenge":
        token = await reader.text(256);
        break;
      case "desk":
        deskId = await reader.text(64);
        break;
      case "codename":
        codename = await reader.text(4096);
        break;
      case "message":
        // Browsers send a textarea's line breaks as CRLF; the page's script sends what the textarea holds (LF).
        message = (await reader.text(MAX_MESSAGE_CHARS * 4)).replace(/\r\n?/g, "\n");
        break;
      case "keep-codename":
        keep = (await reader.text(16)) !== "";
        break;
      case "answer": {
        const verdict = await challenges.check(token, await reader.text(64), "database");
        if (verdict !== "ok") throw new FormAgain(403, verdictText(verdict), { ...kept(), answerInvalid: true });
        if (desk() === undefined) throw new PageError(400, (x) => x.t("error_unknown_desk"));
        // A follow-up's codename came back from the mailbox page: decoded here, before any file.
        if (codename !== null) followupKeys = await keysOf(codename, ctx).catch(() => Promise.reject(new PageError(400, (x) => x.t("codenameChecksum"))));
        verified = true;
        break;
      }
      default:
        for await (const _ of reader.chunks());
    }
  }
  if (!verified) throw badRequest();
  if (message.length > MAX_MESSAGE_CHARS) throw new FormAgain(400, (x) => x.t("errorMessageTooLong", { max: MAX_MESSAGE_CHARS }), kept());
  if (message.trim() === "" && attachments.length === 0) throw new FormAgain(400, (x) => x.t("errorEmpty"), kept());
  const recipients = desk()!.recipients;

  // The reply channel: the returning source's, or a new codename's; derived here and forgotten with the request.
  const channel = followupKeys ?? (keep ? await newKeys(ctx.lang, recipients[0]!) : null);
  const envelope: Envelope = {
    v: 1,
    kind: codename !== null ? "followup" : "submission",
    desk: deskId!,
    message,
    fields: {},
    attachments,
    reply: channel ? { recipient: channel.keys.replyRecipient, mailbox: { id: channel.keys.mailboxId, credential: channel.keys.mailboxCredential } } : null,
    client: NOJS_CLIENT,
    lang: ctx.lang,
  };
  const sealed = await sealEnvelope(envelope, recipients);
  if (sealed.length > LIMITS.maxEnvelopeBytes) throw new PageError(413, (x) => x.t("nojsTooLarge", { max: sizeText(x, LIMITS.maxEnvelopeBytes) }));
  const receipt = await options.submissions.store({ desk: deskId!, envelopeBase64: toBase64(sealed), envelopeSize: sealed.length, attachments: uploads });
  // Stored: the uploads are the submission's now.
  uploads.length = 0;
  return { id: receipt.id, words: followupKeys === null && channel ? channel.phrase.split(" ") : null, followup: codename !== null, files };
}

export const withLanguage = (ctx: PageContext, lang: Language): PageContext => ({ ...ctx, lang, t: translator(lang) });
