// Test fixtures for large-attachment and metadata tests.
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const cat = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));
const be16 = (n: number) => Uint8Array.of(n >> 8, n & 0xff);
const be32 = (n: number) => Uint8Array.of(n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);

/** A big-endian TIFF block with Make, Model, DateTime and a GPS IFD holding a latitude. */
export function exifTiff(): Uint8Array {
  const entry = (tag: number, type: number, count: number, value: number) => cat(be16(tag), be16(type), be32(count), be32(value));
  // IFD0 at 8: 4 entries; strings at 80.., GPS IFD at 120.
  const ifd0 = cat(be16(4), entry(0x010f, 2, 6, 80), entry(0x0110, 2, 8, 86), entry(0x0132, 2, 20, 94), entry(0x8825, 4, 1, 120), be32(0));
  const strings = cat(ascii("Apple\0"), ascii("iPhone7\0"), ascii("2024:01:02 03:04:05\0"));
  const gps = cat(be16(1), entry(0x0002, 5, 3, 140), be32(0));
  const tiff = new Uint8Array(170);
  tiff.set(cat(ascii("MM"), be16(42), be32(8)), 0);
  tiff.set(ifd0, 8);
  tiff.set(strings, 80);
  tiff.set(gps, 120);
  tiff.set(cat(be32(42), be32(1), be32(30), be32(1), be32(0), be32(1)).subarray(0, 24), 140);
  return tiff;
}


/** An APP1 Exif segment carrying exifTiff(): GPS position, Apple iPhone7, a date. */
export function exifSegment(): Uint8Array {
  const body = cat(ascii("Exif\0\0"), exifTiff());
  return cat(Uint8Array.of(0xff, 0xe1), be16(body.length + 2), body);
}

/** `jpeg` with the Exif segment inserted right after its SOI marker. */
export function withExif(jpeg: Uint8Array): Uint8Array {
  return cat(jpeg.subarray(0, 2), exifSegment(), jpeg.subarray(2));
}
