// WebP (RIFF): drops the EXIF and XMP chunks and anything after the RIFF payload, clears the matching
// VP8X flags and rewrites the RIFF size; the image chunks (VP8, VP8L, ALPH, ANIM…) are copied unchanged.
// An EXIF chunk's Orientation survives in a new EXIF chunk that holds nothing else (Chromium ignores it
// in WebP, WebKit applies it: kept, the picture shows as it did).
import { MalformedMedia, ascii, join, need, startsWith, u32le } from "./bytes.js";
import { orientationTiff, readExif } from "./exif.js";
import type { Findings } from "./findings.js";
import { describeXmp } from "./jpeg.js";

const VP8X_EXIF = 0x08;
const VP8X_XMP = 0x04;

export const isWebp = (b: Uint8Array): boolean => startsWith(b, 0, "RIFF") && startsWith(b, 8, "WEBP");

export function stripWebp(b: Uint8Array, findings: Findings): Uint8Array {
  if (!isWebp(b)) throw new MalformedMedia("not a WebP file");
  const riffEnd = 8 + u32le(b, 4);
  need(b, 0, riffEnd);
  if (riffEnd < b.length) findings.add("other");
  const kept: Uint8Array[] = [];
  let vp8x: Uint8Array | null = null;
  let at = 12;
  while (at < riffEnd) {
    const type = ascii(b, at, 4);
    const size = u32le(b, at + 4);
    const end = at + 8 + size + (size & 1);
    if (end > riffEnd) throw new MalformedMedia("chunk runs past the file");
    const data = b.subarray(at + 8, at + 8 + size);
    if (type === "EXIF") {
      // Some writers keep the JPEG-style "Exif\0\0" prefix.
      const orientation = readExif(startsWith(data, 0, "Exif\0\0") ? data.subarray(6) : data, findings);
      if (orientation !== null && vp8x !== null) {
        const tiff = orientationTiff(orientation);
        kept.push(join([Uint8Array.from("EXIF", (c) => c.charCodeAt(0)), Uint8Array.of(tiff.length, 0, 0, 0), tiff]));
        vp8x[8] = vp8x[8]! | VP8X_EXIF;
      }
    } else if (type === "XMP ") {
      describeXmp(data, findings);
    } else if (type === "VP8X") {
      need(b, at + 8, 1);
      const copy = b.slice(at, end);
      copy[8] = copy[8]! & ~(VP8X_EXIF | VP8X_XMP);
      kept.push(copy);
      vp8x = copy;
    } else {
      kept.push(b.subarray(at, end));
    }
    at = end;
  }
  const body = join(kept);
  const header = new Uint8Array(12);
  header.set(b.subarray(0, 12));
  const size = 4 + body.length;
  header[4] = size & 0xff;
  header[5] = (size >>> 8) & 0xff;
  header[6] = (size >>> 16) & 0xff;
  header[7] = (size >>> 24) & 0xff;
  return join([header, body]);
}
