// PNG: drops eXIf, tEXt, iTXt, zTXt and tIME chunks and anything after IEND; every other chunk (the image
// data included) is copied byte for byte with its CRC, so the pixels are untouched. An eXIf chunk's
// Orientation survives in a new eXIf chunk that holds nothing else, so the picture is not shown sideways.
import { MalformedMedia, ascii, join, need, startsWith, u32be } from "./bytes.js";
import { orientationTiff, readExif } from "./exif.js";
import type { Findings } from "./findings.js";
import { describeXmp } from "./jpeg.js";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const DROP = new Set(["eXIf", "tEXt", "iTXt", "zTXt", "tIME"]);

export const isPng = (b: Uint8Array): boolean => b.length >= 8 && SIGNATURE.every((x, i) => b[i] === x);

export function stripPng(b: Uint8Array, findings: Findings): Uint8Array {
  if (!isPng(b)) throw new MalformedMedia("not a PNG");
  const kept: Uint8Array[] = [b.subarray(0, 8)];
  let at = 8;
  for (;;) {
    const length = u32be(b, at);
    if (length > 0x7fffffff) throw new MalformedMedia("bad chunk length");
    const type = ascii(b, at + 4, 4);
    need(b, at, 12 + length);
    const end = at + 12 + length;
    const data = b.subarray(at + 8, at + 8 + length);
    if (DROP.has(type)) {
      const orientation = describe(type, data, findings);
      if (orientation !== null) kept.push(chunk("eXIf", orientationTiff(orientation)));
    } else kept.push(b.subarray(at, end));
    at = end;
    if (type === "IEND") {
      if (at < b.length) findings.add("other");
      return join(kept);
    }
  }
}

/** Notes what a dropped chunk reveals; returns the Orientation an eXIf chunk held, if any. */
function describe(type: string, data: Uint8Array, findings: Findings): number | null {
  if (type === "eXIf") return readExif(data, findings);
  if (type === "tIME") return findings.add("time"), null;
  findings.add("other");
  if (startsWith(data, 0, "XML:com.adobe.xmp")) return describeXmp(data, findings), null;
  const key = ascii(data, 0, Math.max(0, Math.min(data.indexOf(0), 79)));
  if (/^(Author|Copyright)$/i.test(key)) findings.add("author");
  if (/^Creation Time$/i.test(key)) findings.add("time");
  if (/^Software$/i.test(key)) findings.add("software");
  if (/^Source$/i.test(key)) findings.add("device");
  return null;
}

/** CRC-32 (ISO 3309, as PNG uses it) over a chunk's type and data. */
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of bytes) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const be32 = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);

function chunk(type: string, data: Uint8Array): Uint8Array {
  const typed = join([Uint8Array.from(type, (c) => c.charCodeAt(0)), data]);
  return join([be32(data.length), typed, be32(crc32(typed))]);
}
