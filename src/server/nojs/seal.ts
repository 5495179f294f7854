// Sealing on arrival, for the page without JavaScript: each file is read from the request as it arrives,
// cleaned of metadata if it is a picture small enough to clean in memory, hashed, padded and encrypted
// with age to the desk's keys in one pass, and written as an upload in parts, the way the page's own
// streaming upload writes it (client/upload/stream-upload.ts): the same formats, so the editor's tools cannot
// tell the two apart except by the envelope's `client`. Plaintext exists only in this process's memory,
// a few pieces at a time (a picture being cleaned: whole, up to the cleaning limit); nothing of it is
// written, logged or kept once the request ends.
import { sha256 } from "@noble/hashes/sha2.js";
import { Encrypter } from "age-encryption";
import { concatChunks, randomId, toHex } from "../../core/bytes.js";
import type { AttachmentManifest } from "../../core/envelope.js";
import { cleanMedia, SNIFF_BYTES, sniff, type Finding } from "../../core/media/index.js";
import { paddingPieces } from "../../core/padding.js";
import { cutIntoParts } from "../../core/parts.js";
import { coarseDay } from "../../core/time.js";
import { LIMITS } from "../../core/wire.js";
import type { Deps } from "../deps.js";
import { resolveUploadQuotas } from "../upload-quotas.js";

export interface SealedFile {
  uploadId: string;
  manifest: AttachmentManifest;
  /** What cleaning did: found and removed, nothing to remove, could not clean, or not a kind that carries metadata. */
  media: { cleaned: Finding[] } | "none" | "asIs" | "unknown";
}

/** The server holds as many unfinished uploads as its quotas allow (upload-quotas.ts): nothing was stored. */
export class UploadQuotaError extends Error {
  override name = "UploadQuotaError";
}

/** The manifest keeps names within the envelope schema's bounds rather than failing the whole tip. */
const clip = (s: string, max: number) => (s.length <= max ? s : s.slice(0, max));

/** Pieces of `source`, the first `head` of them already read. */
async function* resume(head: readonly Uint8Array[], rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield* head;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    yield r.value;
  }
}

/** What is to be sealed: the file as sent, or its cleaned copy, and what cleaning found. */
async function cleaned(source: AsyncIterable<Uint8Array>, name: string, type: string, maxCleanBytes: number): Promise<{ plaintext: AsyncIterable<Uint8Array>; media: SealedFile["media"] }> {
  const it = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let size = 0;
  let done = false;
  // Pieces are views the reader does not reuse, but copies keep that promise out of this code.
  const take = async () => {
    const r = await it.next();
    if (r.done) done = true;
    else {
      head.push(r.value.slice());
      size += r.value.length;
    }
  };
  while (!done && size < SNIFF_BYTES) await take();
  const kind = sniff(concatChunks(head).subarray(0, SNIFF_BYTES), name, type);
  if (kind === null) return { plaintext: resume(head, it), media: "unknown" };
  if (kind !== "jpeg" && kind !== "png" && kind !== "webp") return { plaintext: resume(head, it), media: "asIs" };
  while (!done && size <= maxCleanBytes) await take();
  if (!done) return { plaintext: resume(head, it), media: "asIs" };
  const whole = concatChunks(head);
  // The pieces go: the picture is held once, and its cleaned copy beside it (config.ts, heldBytes).
  head.length = 0;
  const report = cleanMedia(whole, name, type);
  if (report.status === "cleaned") return { plaintext: resume([report.cleaned], it), media: { cleaned: report.found } };
  return { plaintext: resume([whole], it), media: report.status === "none" ? "none" : "asIs" };
}

/** file || 0x80 || zeros (src/core/padding.ts) as a stream, counting and hashing the file on the way. */
function padded(plaintext: AsyncIterable<Uint8Array>, maxBytes: number, onEnd: (sha256: string, size: number) => void): ReadableStream<Uint8Array> {
  const hash = sha256.create();
  const it = plaintext[Symbol.asyncIterator]();
  let size = 0;
  let tail: Iterator<Uint8Array> | null = null;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (tail === null) {
          const r = await it.next();
          if (!r.done) {
            size += r.value.length;
            if (size > maxBytes) throw new RangeError("the file is larger than an attachment may be");
            hash.update(r.value);
            controller.enqueue(r.value);
            return;
          }
          onEnd(toHex(hash.digest()), size);
          tail = paddingPieces(size);
        }
        const piece = tail.next();
        if (piece.done) controller.close();
        else controller.enqueue(piece.value);
      },
      async cancel() {
        await it.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Seals one file of the request into a new upload, which a submission then claims like any other. On
 * failure the upload is dropped (and would expire anyway).
 */
export async function sealFile(
  deps: Deps,
  source: AsyncIterable<Uint8Array>,
  file: { name: string; type: string },
  recipients: readonly string[],
  options: { maxCleanBytes: number },
): Promise<SealedFile> {
  const { plaintext, media } = await cleaned(source, file.name, file.type, options.maxCleanBytes);
  // The same quotas as the page's uploads (routes/uploads.ts): this path must not fill the disk either.
  const quotas = resolveUploadQuotas(deps.config.uploads);
  const pending = async () => {
    const row = await deps.db
      .selectFrom("uploads")
      .select((eb) => [eb.fn.countAll().as("uploads"), eb.fn.coalesce(eb.fn.sum("bytes"), eb.lit(0)).as("bytes")])
      .executeTakeFirstOrThrow();
    return { uploads: Number(row.uploads), bytes: Number(row.bytes) };
  };
  const before = await pending();
  if (before.uploads >= quotas.maxPendingUploads || before.bytes >= quotas.maxPendingBytes) throw new UploadQuotaError("no room for another upload");
  const uploadId = randomId();
  await deps.db
    .insertInto("uploads")
    .values({ id: uploadId, expires_day: coarseDay(new Date(deps.now().getTime() + quotas.expiryDays * 86_400_000)) })
    .execute();
  try {
    const e = new Encrypter();
    for (const r of recipients) e.addRecipient(r);
    let digest = "";
    let size = 0;
    const ciphertext = await e.encrypt(padded(plaintext, LIMITS.maxAttachmentBytes, (d, n) => ((digest = d), (size = n))));
    // Parts of the size the page's uploads use, so every blob store sees what it always sees.
    const partSize = LIMITS.maxPartBytes;
    // One buffer for every part: a write resolves only once its bytes are stored.
    let written = 0;
    let parts = 0;
    let names = "";
    await cutIntoParts(ciphertext.getReader(), new Uint8Array(partSize), async (bytes) => {
      if (written + bytes.length > quotas.maxUploadBytes || (await pending()).bytes + bytes.length > quotas.maxPendingBytes) throw new UploadQuotaError("no room for this file");
      names += await deps.blobs.writeUploadPart(uploadId, written, bytes);
      written += bytes.length;
      parts++;
      // Counted at once, so other uploads meet the quota with this one's bytes in it.
      await deps.db.updateTable("uploads").set({ parts, bytes: written, part_names: names }).where("id", "=", uploadId).execute();
    });
    return { uploadId, manifest: { name: clip(file.name, 255), type: clip(file.type, 255), size, sha256: digest }, media };
  } catch (e) {
    await dropUpload(deps, uploadId);
    throw e;
  }
}

/** Removes an upload this path made and will not submit. */
export async function dropUpload(deps: Deps, uploadId: string): Promise<void> {
  await deps.blobs.abortUpload(uploadId).catch(() => {});
  await deps.db.deleteFrom("uploads").where("id", "=", uploadId).execute().catch(() => {});
}
