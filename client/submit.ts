// Sending a tip: every byte is sealed in this browser before it leaves (invariant 1, docs/INVARIANTS.md). Files go
// first, each its own age file uploaded in parts; the envelope then names them in upload order.
import { sha256 } from "@noble/hashes/sha2.js";
import { toBase64, toHex } from "../src/core/bytes.js";
import { sealBytes, sealEnvelope, type AttachmentManifest, type Envelope } from "../src/core/envelope.js";
import type { Receipt } from "../src/core/wire.js";
import { createUpload, postSubmission, putPart } from "./api.js";
import { getUploadStatus } from "./upload/status.js";
import { type Retrying, uploadEncrypted } from "./upload/stream-upload.js";
import { FileReadError, type OnProgress, type Step, type Tip } from "./tip.js";

export const CLIENT_VERSION = "sealdrop-web/0.1.0";

async function digest(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  // Native SHA-256 is much faster without a JIT; crypto.subtle exists only in secure contexts.
  if (globalThis.crypto?.subtle !== undefined) return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return sha256(bytes);
}

/** The manifest keeps names within the envelope schema's bounds rather than failing the whole tip. */
const clip = (s: string, max: number) => (s.length <= max ? s : s.slice(0, max));

/**
 * Seals and sends `tip`. `signal` is Cancel: it stops the work at once and rejects with its reason, and
 * it is checked for the last time right after the "sending" step is reported, before the submission
 * itself is posted: the form hides Cancel at that step, so a cancelled tip is never stored as one.
 */
export async function submitTip(tip: Tip, onProgress: OnProgress, signal?: AbortSignal): Promise<Receipt> {
  const recipients = tip.desk.recipients;
  const total = tip.files.length;
  // Work units: each file costs its size twice (seal, then send); the envelope costs a fixed share.
  const envelopeWeight = 64 * 1024;
  const totalWork = tip.files.reduce((n, f) => n + 2 * Math.max(f.size, 1), 0) + 2 * envelopeWeight;
  let done = 0;
  const report = (step: Step, extra = 0, retrying: Retrying = false) =>
    onProgress(step, Math.min(1, (done + extra) / totalWork), { done: Math.min(totalWork, done + extra), total: totalWork, retrying });

  const attachments: AttachmentManifest[] = [];
  const uploadIds: string[] = [];
  for (const [i, file] of tip.files.entries()) {
    signal?.throwIfAborted();
    const n = i + 1;
    const weight = Math.max(file.size, 1);
    if (file.stream !== undefined) {
      // Every file, whatever its size: read, padded, sealed on the device's cores (Web Workers) and sent as
      // a stream; encryption and network overlap, a stalled or dropped part is sent again, and a dropped
      // connection resumes from the server's last part. Reading and sealing count with sending here.
      const step = { kind: "uploadingFile", n, total } as const;
      report(step);
      const stream = file.stream.bind(file);
      const uploaded = await uploadEncrypted(
        { size: file.size, stream },
        {
          recipients,
          api: { createUpload, putPart, getUpload: (id) => getUploadStatus(id) },
          onProgress: (p) => report(step, (p.sent / p.total) * 2 * weight, p.retrying),
          signal,
        },
      ).catch((e: unknown) => {
        throw e instanceof Error && e.name === "FileStreamError" ? new FileReadError(file.name) : e;
      });
      attachments.push({ name: clip(file.name, 255), type: clip(file.type, 255), size: uploaded.size, sha256_pieces: uploaded.sha256Pieces });
      uploadIds.push(uploaded.uploadId);
      done += 2 * weight;
      continue;
    }
    // A file that cannot be streamed (no browser sealdrop supports lacks File.stream): sealed whole here.
    report({ kind: "reading", n, total });
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch {
      throw new FileReadError(file.name);
    }
    report({ kind: "encryptingFile", n, total });
    attachments.push({ name: clip(file.name, 255), type: clip(file.type, 255), size: bytes.length, sha256: toHex(await digest(bytes)) });
    const ciphertext = await sealBytes(bytes, recipients);
    signal?.throwIfAborted();
    done += weight;

    const step = { kind: "uploadingFile", n, total } as const;
    report(step);
    const upload = await createUpload();
    signal?.throwIfAborted();
    const partSize = upload.partSize > 0 ? upload.partSize : ciphertext.length;
    const parts = Math.max(1, Math.ceil(ciphertext.length / partSize));
    for (let p = 0; p < parts; p++) {
      const start = p * partSize;
      const part = ciphertext.subarray(start, Math.min(start + partSize, ciphertext.length));
      await putPart(upload.id, p, part, (sent) => report(step, ((start + sent) / ciphertext.length) * weight), signal);
    }
    done += weight;
    uploadIds.push(upload.id);
  }

  report({ kind: "encryptingMessage" });
  const envelope: Envelope = {
    v: 1,
    kind: tip.kind,
    desk: tip.desk.id,
    message: tip.message,
    fields: {},
    attachments,
    reply: tip.reply,
    client: CLIENT_VERSION,
    lang: tip.lang,
  };
  const sealed = await sealEnvelope(envelope, recipients);
  done += envelopeWeight;

  signal?.throwIfAborted();
  report({ kind: "sending" });
  signal?.throwIfAborted();
  const result = await postSubmission({ desk: tip.desk.id, envelope: toBase64(sealed), attachments: uploadIds });
  done += envelopeWeight;
  report({ kind: "sending" });
  return result;
}
