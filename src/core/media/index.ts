// Metadata in files a source attaches: found, explained and removed before encryption, by the page
// (client/media/panel.ts) or, when a page without JavaScript sends a tip, by the server on arrival
// (src/server/nojs). JPEG, PNG and WebP are cleaned without re-encoding the pixels; for formats that
// cannot be cleaned (PDF, office documents, video, HEIC, other images) it says what may be inside. Never
// throws: a file it cannot parse is reported as "cannot clean", and the page sends it only if the source agrees.
import { startsWith } from "./bytes.js";
import { Findings, type Finding } from "./findings.js";
import { isJpeg, stripJpeg } from "./jpeg.js";
import { isPng, stripPng } from "./png.js";
import { isWebp, stripWebp } from "./webp.js";

export type { Finding };
export type CleanableFormat = "jpeg" | "png" | "webp";
export type UncleanableKind = "pdf" | "office" | "video" | "heic" | "image" | "damaged" | "tooLarge";

export type MediaReport =
  /** Metadata found and removed: send `cleaned` instead of the original. */
  | { status: "cleaned"; format: CleanableFormat; found: Finding[]; cleaned: Uint8Array }
  /** A cleanable format that carried no metadata: the file goes as it is. */
  | { status: "none"; format: CleanableFormat }
  /** A format that may hide metadata this page cannot remove. */
  | { status: "cannotClean"; kind: UncleanableKind }
  /** Not a format known to carry identifying metadata (plain text, archives…). */
  | { status: "unknown" };

/** Images larger than this are not cleaned in memory; the page says so instead. */
export const MAX_CLEAN_BYTES = 256 << 20;
/** How many leading bytes identify a file's format. */
export const SNIFF_BYTES = 64;

/** The kind of file from its first bytes, its name and its declared type. */
export function sniff(head: Uint8Array, name: string, type: string): CleanableFormat | UncleanableKind | null {
  if (isJpeg(head)) return "jpeg";
  if (isPng(head)) return "png";
  if (isWebp(head)) return "webp";
  const ext = (/\.([a-z0-9]{1,5})$/i.exec(name)?.[1] ?? "").toLowerCase();
  if (startsWith(head, 0, "%PDF") || ext === "pdf") return "pdf";
  if (startsWith(head, 4, "ftyp")) {
    const brand = String.fromCharCode(...head.subarray(8, 12));
    return /^(heic|heix|hevc|heim|heis|mif1|msf1|avif)$/.test(brand) ? "heic" : "video";
  }
  if (/^(heic|heif|avif)$/.test(ext)) return "heic";
  if (/^(docx|xlsx|pptx|doc|xls|ppt|odt|ods|odp|rtf|hwp|hwpx|pages|key|numbers)$/.test(ext)) return "office";
  if (startsWith(head, 0, "\xd0\xcf\x11\xe0")) return "office";
  if (type.startsWith("video/") || /^(mp4|mov|m4v|3gp|avi|mkv|webm|wmv|flv)$/.test(ext) || startsWith(head, 0, "\x1a\x45\xdf\xa3")) return "video";
  if (type.startsWith("image/") || /^(tif|tiff|gif|bmp|dng|cr2|nef|arw|raw|svg)$/.test(ext)) return "image";
  return null;
}

/** Inspects and, where it can, cleans a whole file. Never throws. */
export function cleanMedia(bytes: Uint8Array, name: string, type: string): MediaReport {
  let format: ReturnType<typeof sniff>;
  try {
    format = sniff(bytes.subarray(0, SNIFF_BYTES), name, type);
  } catch {
    return { status: "cannotClean", kind: "damaged" };
  }
  if (format === null) return { status: "unknown" };
  if (format !== "jpeg" && format !== "png" && format !== "webp") return { status: "cannotClean", kind: format };
  if (bytes.length > MAX_CLEAN_BYTES) return { status: "cannotClean", kind: "tooLarge" };
  const findings = new Findings();
  try {
    const strip = format === "jpeg" ? stripJpeg : format === "png" ? stripPng : stripWebp;
    const cleaned = strip(bytes, findings);
    const found = findings.list();
    return found.length === 0 && cleaned.length === bytes.length ? { status: "none", format } : { status: "cleaned", format, found: found.length ? found : ["other"], cleaned };
  } catch {
    // Malformed input of any kind (MalformedMedia, or anything unforeseen): never throw out of the page.
    return { status: "cannotClean", kind: "damaged" };
  }
}

/** What the page needs of a chosen file. `File` satisfies it. */
export interface MediaFile {
  readonly name: string;
  readonly type: string;
  readonly size: number;
  slice(start?: number, end?: number): Blob;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** Reads a chosen file and reports on it; images within MAX_CLEAN_BYTES are read whole, others only sniffed. */
export async function inspectFile(file: MediaFile): Promise<MediaReport> {
  try {
    const head = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
    const kind = sniff(head, file.name, file.type);
    if (kind === null) return { status: "unknown" };
    if (kind !== "jpeg" && kind !== "png" && kind !== "webp") return { status: "cannotClean", kind };
    if (file.size > MAX_CLEAN_BYTES) return { status: "cannotClean", kind: "tooLarge" };
    return cleanMedia(new Uint8Array(await file.arrayBuffer()), file.name, file.type);
  } catch {
    return { status: "cannotClean", kind: "damaged" };
  }
}
