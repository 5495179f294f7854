// Metadata stripping (src/core/media): what each format's cleaner removes, what it keeps byte for byte,
// and that no input at all, however malformed, makes it throw (fast-check).
import { crc32, deflateSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cleanMedia, sniff } from "../../src/core/media/index.js";
import { exifTiff } from "./fixtures.js";

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const cat = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));
const be16 = (n: number) => Uint8Array.of(n >> 8, n & 0xff);
const be32 = (n: number) => Uint8Array.of(n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
const le32 = (n: number) => Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);
const has = (hay: Uint8Array, needle: string) => Buffer.from(hay).includes(Buffer.from(needle, "latin1"));

const segment = (marker: number, body: Uint8Array) => cat(Uint8Array.of(0xff, marker), be16(body.length + 2), body);

function jpegParts() {
  const keep = [
    segment(0xe0, ascii("JFIF\0\x01\x01\0\0\x01\0\x01\0\0")),
    segment(0xdb, new Uint8Array(65)),
    segment(0xc0, Uint8Array.of(8, 0, 1, 0, 1, 1, 1, 0x11, 0)),
    segment(0xc4, new Uint8Array(20)),
    segment(0xda, Uint8Array.of(1, 1, 0, 0, 63, 0)),
    Uint8Array.of(0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56, 0xff, 0xff, 0xd9),
  ];
  const drop = [segment(0xe1, cat(ascii("Exif\0\0"), exifTiff())), segment(0xe1, ascii("http://ns.adobe.com/xap/1.0/\0<x:xmpmeta exif:GPSLatitude='1'/>")), segment(0xed, ascii("Photoshop 3.0\0")), segment(0xfe, ascii("secret comment"))];
  return { keep, drop };
}

function jpeg(): { file: Uint8Array; expected: Uint8Array } {
  const { keep, drop } = jpegParts();
  const soi = Uint8Array.of(0xff, 0xd8);
  return {
    file: cat(soi, keep[0]!, ...drop, ...keep.slice(1), ascii("TRAILER with hidden data")),
    expected: cat(soi, ...keep),
  };
}

const chunk = (type: string, data: Uint8Array) => cat(be32(data.length), ascii(type), data, be32(crc32(cat(ascii(type), data))));

function png(): { file: Uint8Array; expected: Uint8Array } {
  const sig = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
  const ihdr = chunk("IHDR", cat(be32(1), be32(1), Uint8Array.of(8, 2, 0, 0, 0)));
  const idat = chunk("IDAT", deflateSync(Uint8Array.of(0, 255, 0, 0)));
  const iend = chunk("IEND", new Uint8Array(0));
  const meta = [chunk("eXIf", exifTiff()), chunk("tEXt", ascii("Author\0Kim")), chunk("tIME", new Uint8Array(7)), chunk("iTXt", ascii("XML:com.adobe.xmp\0\0\0\0\0<x/>"))];
  return { file: cat(sig, ihdr, ...meta, idat, iend, ascii("after")), expected: cat(sig, ihdr, idat, iend) };
}

function webp(): { file: Uint8Array; expected: Uint8Array } {
  const riffChunk = (type: string, data: Uint8Array) => cat(ascii(type), le32(data.length), data, data.length & 1 ? new Uint8Array(1) : new Uint8Array(0));
  const vp8x = (flags: number) => riffChunk("VP8X", Uint8Array.of(flags, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  const image = riffChunk("VP8L", Uint8Array.of(0x2f, 0, 0, 0, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0));
  const riff = (body: Uint8Array) => cat(ascii("RIFF"), le32(body.length + 4), ascii("WEBP"), body);
  return {
    file: riff(cat(vp8x(0x0c | 0x10), image, riffChunk("EXIF", exifTiff()), riffChunk("XMP ", ascii("<x:xmpmeta tiff:Model='X'/>")))),
    expected: riff(cat(vp8x(0x10), image)),
  };
}

describe.each([
  { format: "jpeg", make: jpeg },
  { format: "png", make: png },
  { format: "webp", make: webp },
] as const)("$format", ({ format, make }) => {
  it("removes location, device and time, and keeps every image byte as it was", () => {
    const { file, expected } = make();
    const report = cleanMedia(file, `photo.${format}`, `image/${format}`);
    expect(report.status).toBe("cleaned");
    if (report.status !== "cleaned") return;
    expect(report.format).toBe(format);
    expect(report.found).toEqual(expect.arrayContaining(["location", "device", "time"]));
    expect(Buffer.from(report.cleaned).equals(Buffer.from(expected))).toBe(true);
    for (const trace of ["Apple", "iPhone7", "2024:01:02", "GPSLatitude", "Exif"]) expect(has(report.cleaned, trace), trace).toBe(false);
  });

  it("finds nothing more in what it cleaned", () => {
    const report = cleanMedia(make().file, "x", "");
    if (report.status !== "cleaned") throw new Error("not cleaned");
    expect(cleanMedia(report.cleaned, "x", "")).toEqual({ status: "none", format });
  });

  it("never throws on damaged input: truncated, flipped or spliced files are cleaned or reported", () => {
    const { file } = make();
    fc.assert(
      fc.property(
        fc.nat(file.length),
        fc.array(fc.tuple(fc.nat(file.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.uint8Array({ maxLength: 32 }),
        (cut, flips, insert) => {
          const damaged = Uint8Array.from(file);
          for (const [at, value] of flips) damaged[at] = value;
          const input = cat(damaged.subarray(0, cut), insert, damaged.subarray(cut));
          const report = cleanMedia(input, "photo", "");
          expect(["cleaned", "none", "cannotClean", "unknown"]).toContain(report.status);
          // Whatever it returns as cleaned has nothing left to find.
          if (report.status === "cleaned") expect(cleanMedia(report.cleaned, "photo", "").status).toMatch(/^(none|cannotClean)$/);
          const truncated = cleanMedia(damaged.subarray(0, cut), "photo", "");
          expect(truncated.status).not.toBe(undefined);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("any bytes at all", () => {
  it("never make the cleaner throw, whatever the name and type", () => {
    const magic = fc.constantFrom(
      Uint8Array.of(0xff, 0xd8, 0xff),
      Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
      ascii("RIFF\x10\0\0\0WEBP"),
      ascii("%PDF-1.7"),
      new Uint8Array(0),
    );
    fc.assert(
      fc.property(magic, fc.uint8Array({ maxLength: 512 }), fc.string(), fc.string(), (head, rest, name, type) => {
        const report = cleanMedia(cat(head, rest), name, type);
        expect(report).toHaveProperty("status");
      }),
      { numRuns: 5000 },
    );
  });
});

describe("formats it cannot clean", () => {
  it.each([
    ["report.pdf", "application/pdf", ascii("%PDF-1.7\n"), "pdf"],
    ["notes.docx", "", ascii("PK\x03\x04"), "office"],
    ["old.doc", "", ascii("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), "office"],
    ["clip.mp4", "video/mp4", ascii("\0\0\0\x18ftypisom"), "video"],
    ["IMG_1.HEIC", "image/heic", ascii("\0\0\0\x18ftypheic"), "heic"],
    ["scan.tiff", "image/tiff", ascii("MM\0*"), "image"],
  ])("says what %s may hide", (name, type, head, kind) => {
    expect(sniff(head, name, type)).toBe(kind);
    expect(cleanMedia(head, name, type)).toEqual({ status: "cannotClean", kind });
  });

  it("passes other files through untouched", () => {
    expect(cleanMedia(ascii("plain text"), "notes.txt", "text/plain")).toEqual({ status: "unknown" });
  });
});
