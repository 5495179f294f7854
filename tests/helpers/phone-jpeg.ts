// A phone's JPEG as tests need it: an Exif block with the camera make, an Orientation and a GPS position,
// and a TIFF reader written here, independent of src/core/media's, to check what a cleaner kept.
import { expect } from "vitest";

export const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
export const cat = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));
export const be16 = (n: number) => Uint8Array.of(n >> 8, n & 0xff);
export const be32 = (n: number) => Uint8Array.of(n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
export const le16 = (n: number) => Uint8Array.of(n & 0xff, n >> 8);
export const le32 = (n: number) => Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);

export const GPS_IFD = 0x8825;
export const ORIENTATION = 0x0112;

/** A little-endian TIFF block as phones write it: Make, Orientation, a GPS IFD with a latitude. */
export function phoneTiff(orientation: number): Uint8Array {
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
export function ifd0Tags(tiff: Uint8Array): Map<number, number> {
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

export const segment = (marker: number, body: Uint8Array) => cat(Uint8Array.of(0xff, marker), be16(body.length + 2), body);

export function jpeg(tiff: Uint8Array): Uint8Array {
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
export function jpegExif(file: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 2; file[at] === 0xff && file[at + 1] !== 0xda; ) {
    const length = (file[at + 2]! << 8) | file[at + 3]!;
    const body = file.subarray(at + 4, at + 2 + length);
    if (file[at + 1] === 0xe1 && Buffer.from(body.subarray(0, 6)).equals(Buffer.from("Exif\0\0", "latin1"))) out.push(body.subarray(6));
    at += 2 + length;
  }
  return out;
}

