// PNG: drops eXIf, tEXt, iTXt, zTXt and tIME chunks and anything after IEND; every other chunk (the image
// data included) is copied byte for byte with its CRC, so the pixels are untouched.
import { MalformedMedia, ascii, join, need, startsWith, u32be } from "./bytes.js";
import { readExif } from "./exif.js";
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
    if (DROP.has(type)) describe(type, data, findings);
    else kept.push(b.subarray(at, end));
    at = end;
    if (type === "IEND") {
      if (at < b.length) findings.add("other");
      return join(kept);
    }
  }
}

function describe(type: string, data: Uint8Array, findings: Findings): void {
  if (type === "eXIf") return readExif(data, findings);
  if (type === "tIME") return findings.add("time");
  findings.add("other");
  if (startsWith(data, 0, "XML:com.adobe.xmp")) return describeXmp(data, findings);
  const key = ascii(data, 0, Math.max(0, Math.min(data.indexOf(0), 79)));
  if (/^(Author|Copyright)$/i.test(key)) findings.add("author");
  if (/^Creation Time$/i.test(key)) findings.add("time");
  if (/^Software$/i.test(key)) findings.add("software");
  if (/^Source$/i.test(key)) findings.add("device");
}
