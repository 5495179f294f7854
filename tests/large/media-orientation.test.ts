// Pictures keep the way they are shown: the cleaners drop every EXIF tag (GPS included) but write the
// Orientation back in a block that holds nothing else, so a photo taken with the phone turned does not
// arrive sideways. Checked with a TIFF reader written here, independent of src/core/media's.
import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { cleanMedia } from "../../src/core/media/index.js";
import { ascii, be32, cat, ifd0Tags, jpeg, jpegExif, le32, ORIENTATION, phoneTiff, segment } from "../helpers/phone-jpeg.js";

const cleaned = (file: Uint8Array, name: string, type: string) => {
  const report = cleanMedia(file, name, type);
  if (report.status !== "cleaned") throw new Error(`expected cleaned, got ${report.status}`);
  return report;
};

describe("pictures keep their orientation", () => {
  it("a JPEG with Orientation=6 and GPS comes out without GPS and with Orientation=6", () => {
    const report = cleaned(jpeg(phoneTiff(6)), "IMG_0001.JPG", "image/jpeg");
    expect(report.found).toEqual(expect.arrayContaining(["location", "device"]));
    const blocks = jpegExif(report.cleaned);
    expect(blocks).toHaveLength(1);
    expect([...ifd0Tags(blocks[0]!)]).toEqual([[ORIENTATION, 6]]);
    expect(Buffer.from(report.cleaned).includes("Apple")).toBe(false);
    // The image segments are copied as they were: the pixels do not change.
    expect(Buffer.from(report.cleaned).includes(Buffer.from(segment(0xc0, Uint8Array.of(8, 0, 1, 0, 1, 1, 1, 0x11, 0))))).toBe(true);
  });

  it.each([1, 0, 9])("writes no Exif block back for Orientation=%i (normal, or not a valid value)", (value) => {
    expect(jpegExif(cleaned(jpeg(phoneTiff(value)), "a.jpg", "image/jpeg").cleaned)).toEqual([]);
  });

  it("a PNG's eXIf chunk is replaced by one holding only Orientation=8, with a valid CRC", () => {
    const chunk = (type: string, data: Uint8Array) => cat(be32(data.length), ascii(type), data, be32(crc32(cat(ascii(type), data))));
    const file = cat(
      Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
      chunk("IHDR", cat(be32(1), be32(1), Uint8Array.of(8, 2, 0, 0, 0))),
      chunk("eXIf", phoneTiff(8)),
      chunk("IDAT", Uint8Array.of(1, 2, 3)),
      chunk("IEND", new Uint8Array(0)),
    );
    const out = Buffer.from(cleaned(file, "a.png", "image/png").cleaned);
    const at = out.indexOf("eXIf");
    expect(at).toBeGreaterThan(0);
    const length = out.readUInt32BE(at - 4);
    const data = out.subarray(at + 4, at + 4 + length);
    expect([...ifd0Tags(data)]).toEqual([[ORIENTATION, 8]]);
    expect(out.readUInt32BE(at + 4 + length)).toBe(crc32(out.subarray(at, at + 4 + length)));
    expect(out.includes("Apple")).toBe(false);
  });

  it("a WebP's EXIF chunk is replaced by one holding only Orientation=3, its VP8X flag kept", () => {
    const riffChunk = (type: string, data: Uint8Array) => cat(ascii(type), le32(data.length), data, data.length & 1 ? new Uint8Array(1) : new Uint8Array(0));
    const body = cat(riffChunk("VP8X", Uint8Array.of(0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0)), riffChunk("VP8L", Uint8Array.of(0x2f, 0, 0, 0, 0x10)), riffChunk("EXIF", phoneTiff(3)));
    const file = cat(ascii("RIFF"), le32(body.length + 4), ascii("WEBP"), body);
    const out = Buffer.from(cleaned(file, "a.webp", "image/webp").cleaned);
    expect(out.readUInt32LE(4)).toBe(out.length - 8);
    expect(out[20]! & 0x08).toBe(0x08);
    const at = out.indexOf("EXIF");
    const data = out.subarray(at + 8, at + 8 + out.readUInt32LE(at + 4));
    expect([...ifd0Tags(data)]).toEqual([[ORIENTATION, 3]]);
    expect(out.includes("Apple")).toBe(false);
  });
});
