// Pictures keep the way they are shown: the cleaners drop every EXIF tag (GPS included) but write the
// Orientation back in a block that holds nothing else, so a photo taken with the phone turned does not
// arrive sideways. Checked with a TIFF reader written here, independent of src/core/media's.
import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { cleanMedia } from "../../src/core/media/index.js";

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const cat = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));
const be16 = (n: number) => Uint8Array.of(n >> 8, n & 0xff);
const be32 = (n: number) => Uint8Array.of(n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
const le16 = (n: number) => Uint8Array.of(n & 0xff, n >> 8);
const le32 = (n: number) => Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);

const GPS_IFD = 0x8825;
const ORIENTATION = 0x0112;

/** A little-endian TIFF block as phones write it: Make, Orientation, a GPS IFD with a latitude. */
function phoneTiff(orientation: number): Uint8Array {
  const entry = (tag: number, type: number, count: number, value: Uint8Array) => cat(le16(tag), le16(type), le32(count), value);
  const ifd0 = cat(le16(3), entry(0x010f, 2, 6, le32(50)), entry(ORIENTATION, 3, 1, cat(le16(orientation), le16(0))), entry(GPS_IFD, 4, 1, le32(60)), le32(0));
  const gps = cat(le16(1), entry(0x0002, 5, 3, le32(80)), le32(0));
  const tiff = new Uint8Array(104);
  tiff.set(cat(ascii("II"), le16(42), le32(8)), 0);
  tiff.set(ifd0, 8);
  tiff.set(ascii("Apple\0"), 50);
  tiff.set(gps, 60);
  tiff.set(cat(le32(42), le32(1), le32(30), le32(1), le32(7), le32(1)), 80);
  return tiff;
}

/** Every tag of IFD0 with its first 16-bit value, read either byte order. */
function ifd0Tags(tiff: Uint8Array): Map<number, number> {
  const b = Buffer.from(tiff);
  const le = b.toString("latin1", 0, 2) === "II";
  const u16 = (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  expect(u16(2)).toBe(42);
  const at = u32(4);
  const tags = new Map<number, number>();
  for (let i = 0; i < u16(at); i++) tags.set(u16(at + 2 + 12 * i), u16(at + 2 + 12 * i + 8));
  expect(u32(at + 2 + 12 * u16(at))).toBe(0); // no further IFD
  return tags;
}

const segment = (marker: number, body: Uint8Array) => cat(Uint8Array.of(0xff, marker), be16(body.length + 2), body);

function jpeg(tiff: Uint8Array): Uint8Array {
  return cat(
    Uint8Array.of(0xff, 0xd8),
    segment(0xe1, cat(ascii("Exif\0\0"), tiff)),
    segment(0xe0, ascii("JFIF\0\x01\x01\0\0\x01\0\x01\0\0")),
    segment(0xdb, new Uint8Array(65)),
    segment(0xc0, Uint8Array.of(8, 0, 1, 0, 1, 1, 1, 0x11, 0)),
    segment(0xda, Uint8Array.of(1, 1, 0, 0, 63, 0)),
    Uint8Array.of(0x12, 0x34, 0xff, 0xd9),
  );
}

/** The TIFF blocks of every APP1 Exif segment of a JPEG. */
function jpegExif(file: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 2; file[at] === 0xff && file[at + 1] !== 0xda; ) {
    const length = (file[at + 2]! << 8) | file[at + 3]!;
    const body = file.subarray(at + 4, at + 2 + length);
    if (file[at + 1] === 0xe1 && Buffer.from(body.subarray(0, 6)).equals(Buffer.from("Exif\0\0", "latin1"))) out.push(body.subarray(6));
    at += 2 + length;
  }
  return out;
}

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
