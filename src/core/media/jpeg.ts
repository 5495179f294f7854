// JPEG: drops every segment that can carry metadata (APP1 Exif/XMP, APP13 IPTC/Photoshop, APP3–APP12,
// APP15, COM) and anything after the end-of-image marker, copying all other segments and the
// entropy-coded image data byte for byte: the pixels are not re-encoded. Kept: APP0 (JFIF), APP2 (ICC
// colour profile) and APP14 (Adobe colour transform), which decoders need to show the same pixels. An Exif
// block's Orientation survives in a new APP1 that holds nothing else, so the picture is not shown sideways.
import { MalformedMedia, join, need, startsWith, u16be, u8 } from "./bytes.js";
import { orientationTiff, readExif } from "./exif.js";
import type { Findings } from "./findings.js";

const KEEP_APP = new Set([0xe0, 0xe2, 0xee]);

export const isJpeg = (b: Uint8Array): boolean => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** Returns the cleaned file; adds what the dropped segments revealed to `findings`. */
export function stripJpeg(b: Uint8Array, findings: Findings): Uint8Array {
  if (!isJpeg(b)) throw new MalformedMedia("not a JPEG");
  const kept: Uint8Array[] = [b.subarray(0, 2)];
  let at = 2;
  for (;;) {
    if (u8(b, at) !== 0xff) throw new MalformedMedia("expected a marker");
    let marker = u8(b, at + 1);
    // Fill bytes: any number of 0xFF before a marker.
    while (marker === 0xff) marker = u8(b, ++at + 1);
    if (marker === 0xd9) {
      kept.push(b.subarray(at, at + 2));
      if (at + 2 < b.length) findings.add("other"); // Data after the image: phone trailers, hidden files.
      return join(kept);
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      kept.push(b.subarray(at, at + 2));
      at += 2;
      continue;
    }
    const length = u16be(b, at + 2);
    if (length < 2) throw new MalformedMedia("bad segment length");
    need(b, at + 2, length);
    const end = at + 2 + length;
    const body = b.subarray(at + 4, end);
    const isApp = marker >= 0xe0 && marker <= 0xef;
    if ((isApp && !KEEP_APP.has(marker)) || marker === 0xfe) {
      const orientation = describe(marker, body, findings);
      if (orientation !== null) kept.push(orientationSegment(orientation));
    } else {
      kept.push(b.subarray(at, end));
    }
    at = end;
    if (marker === 0xda) {
      // Entropy-coded data runs to the next marker that is not a stuffed byte or a restart marker.
      let i = at;
      for (;;) {
        i = b.indexOf(0xff, i);
        if (i < 0) throw new MalformedMedia("image data never ends");
        need(b, i, 2);
        const next = b[i + 1]!;
        if (next !== 0x00 && next !== 0xff && !(next >= 0xd0 && next <= 0xd7)) break;
        i++;
      }
      kept.push(b.subarray(at, i));
      at = i;
    }
  }
}

/** Notes what a dropped segment reveals; returns the Orientation an Exif segment held, if any. */
function describe(marker: number, body: Uint8Array, findings: Findings): number | null {
  if (marker === 0xe1 && startsWith(body, 0, "Exif\0\0")) return readExif(body.subarray(6), findings);
  if (marker === 0xe1 && startsWith(body, 0, "http://ns.adobe.com/")) describeXmp(body, findings);
  else if (marker === 0xed) findings.add("author", "time", "other"); // IPTC: by-line, dates, captions, places.
  else findings.add("other");
  return null;
}

/** APP1 "Exif\0\0" holding only the Orientation tag. */
function orientationSegment(value: number): Uint8Array {
  const tiff = orientationTiff(value);
  const length = 2 + 6 + tiff.length;
  return join([Uint8Array.of(0xff, 0xe1, length >> 8, length & 0xff, 0x45, 0x78, 0x69, 0x66, 0, 0), tiff]);
}

/** XMP is XML: a few property names say enough (GPS, device, dates, creator). */
export function describeXmp(body: Uint8Array, findings: Findings): void {
  findings.add("other");
  let text = "";
  for (let i = 0; i < Math.min(body.length, 1 << 20); i++) text += String.fromCharCode(body[i]!);
  if (/exif:GPS|GPSLatitude/i.test(text)) findings.add("location");
  if (/tiff:(Make|Model)|aux:(SerialNumber|Lens)/i.test(text)) findings.add("device");
  if (/(CreateDate|ModifyDate|DateTimeOriginal|MetadataDate)/i.test(text)) findings.add("time");
  if (/dc:creator|photoshop:(Author|Credit)|dc:rights/i.test(text)) findings.add("author");
  if (/CreatorTool|softwareAgent/i.test(text)) findings.add("software");
}
