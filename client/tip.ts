// A tip as the form holds it, and the checks made before any work: light, so the form shows and answers
// at once on a slow link while the encryption code (submit.ts) is still on its way.
import type { Envelope, ReplyChannel } from "../src/core/envelope.js";
import { MAX_ATTACHMENTS, MAX_MESSAGE_CHARS } from "../src/core/limits.js";
import { paddedSize } from "../src/core/padding.js";
import type { NewsroomResponse } from "../src/core/wire.js";
import type { Retrying } from "./upload/stream-upload.js";

/** Limit on all files of one tip together. Files are streamed (client/upload), never whole in memory. */
export const MAX_TOTAL_FILE_BYTES = 16 * 1024 ** 3;

/** The largest file whose padded ciphertext (+0.03% STREAM tags, + header) fits in `maxAttachmentBytes`. */
const fits = (size: number, maxAttachmentBytes: number) => paddedSize(size) * (1 + 16 / 65536) + 65536 <= maxAttachmentBytes;

export type Desk = NewsroomResponse["desks"][number];
export type Limits = NewsroomResponse["limits"];

/** What the page hands over: `File` satisfies it. */
export interface TipFile {
  readonly name: string;
  readonly type: string;
  readonly size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
  stream?(): ReadableStream<Uint8Array>;
}

export interface Tip {
  desk: Desk;
  message: string;
  files: readonly TipFile[];
  /** The page language, recorded so editors know which language to reply in. */
  lang: string;
  /** Where replies go (from the source's codename), sealed inside the envelope only; null for none. */
  reply: ReplyChannel | null;
  /** A follow-up comes from a source returning with their codename. */
  kind: Envelope["kind"];
}

export type Problem =
  | { kind: "empty" }
  | { kind: "messageTooLong"; max: number }
  | { kind: "tooManyFiles"; max: number }
  | { kind: "fileTooLarge"; name: string; max: number }
  | { kind: "filesTooLarge"; size: number; max: number };

/** Checks a tip against the limits before any work is done, so the source hears about it at once. */
export function checkTip(tip: Tip, limits: Limits): Problem | null {
  if (tip.message.trim() === "" && tip.files.length === 0) return { kind: "empty" };
  if (tip.message.length > MAX_MESSAGE_CHARS) return { kind: "messageTooLong", max: MAX_MESSAGE_CHARS };
  if (tip.files.length > MAX_ATTACHMENTS) return { kind: "tooManyFiles", max: MAX_ATTACHMENTS };
  const perFile = Math.min(limits.maxAttachmentBytes, MAX_TOTAL_FILE_BYTES);
  for (const f of tip.files) if (f.size > perFile || !fits(f.size, limits.maxAttachmentBytes)) return { kind: "fileTooLarge", name: f.name, max: Math.floor(perFile / 1.13) };
  const total = tip.files.reduce((n, f) => n + f.size, 0);
  if (total > MAX_TOTAL_FILE_BYTES) return { kind: "filesTooLarge", size: total, max: MAX_TOTAL_FILE_BYTES };
  return null;
}

export type Step =
  | { kind: "reading" | "encryptingFile" | "uploadingFile"; n: number; total: number }
  | { kind: "encryptingMessage" | "sending" };

/**
 * `fraction` runs from 0 to 1 over the whole submission; `work` is the same in bytes (for speed and time
 * left); `retrying` says why the upload is waiting to resume (a dropped connection, or a server that does not answer).
 */
export type OnProgress = (step: Step, fraction: number, work?: { done: number; total: number; retrying: Retrying }) => void;

/** A file that could not be read (moved, deleted, permission revoked since it was chosen). */
export class FileReadError extends Error {
  override name = "FileReadError";
  constructor(readonly fileName: string) {
    super(`could not read ${fileName}`);
  }
}

