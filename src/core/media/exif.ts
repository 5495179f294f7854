// Reads an EXIF (TIFF) block just far enough to say what it reveals: GPS position, camera or phone,
// times, author, software. Only tags are looked at, never values beyond their presence, except the
// Orientation tag: the block is dropped whole and replaced by one that holds only that tag
// (orientationTiff), so the picture still shows the right way up. Malformed blocks still count as
// metadata ("other").
import { MalformedMedia, need, u16be, u32be } from "./bytes.js";
import type { Findings } from "./findings.js";

const TAGS: Record<number, "location" | "device" | "time" | "author" | "software"> = {
  0x8825: "location", // GPS IFD
  0x010f: "device", // Make
  0x0110: "device", // Model
  0x927c: "device", // MakerNote
  0xa431: "device", // BodySerialNumber
  0xa432: "device", // LensSpecification
  0xa433: "device", // LensMake
  0xa434: "device", // LensModel
  0xa435: "device", // LensSerialNumber
  0xa430: "author", // CameraOwnerName
  0x013b: "author", // Artist
  0x8298: "author", // Copyright
  0x0131: "software", // Software
  0x0132: "time", // DateTime
  0x9003: "time", // DateTimeOriginal
  0x9004: "time", // DateTimeDigitized
};
const EXIF_IFD = 0x8769;
const ORIENTATION = 0x0112;

/**
 * Adds what the block reveals to `findings`; returns its Orientation (2–8: how the viewer must turn or
 * mirror the pixels), or null when it has none, the normal one (1), or an invalid one.
 */
export function readExif(tiff: Uint8Array, findings: Findings): number | null {
  findings.add("other");
  let orientation: number | null = null;
  try {
    const order = u16be(tiff, 0);
    if (order !== 0x4949 && order !== 0x4d4d) return null;
    const le = order === 0x4949;
    const u16 = (o: number) => (le ? (need(tiff, o, 2), tiff[o]! | (tiff[o + 1]! << 8)) : u16be(tiff, o));
    const u32 = (o: number) => (le ? (need(tiff, o, 4), (tiff[o]! | (tiff[o + 1]! << 8) | (tiff[o + 2]! << 16)) + tiff[o + 3]! * 0x1000000) : u32be(tiff, o));
    if (u16(2) !== 42) return null;
    const seen = new Set<number>();
    const walk = (offset: number, depth: number) => {
      if (depth > 4 || seen.has(offset)) return;
      seen.add(offset);
      const count = u16(offset);
      if (count > 1000) throw new MalformedMedia("implausible IFD");
      for (let i = 0; i < count; i++) {
        const entry = offset + 2 + 12 * i;
        const tag = u16(entry);
        const kind = TAGS[tag];
        if (kind) findings.add(kind);
        if (tag === EXIF_IFD) walk(u32(entry + 8), depth + 1);
        // IFD0 only, a SHORT (type 3) with one value, held in the first two bytes of the value field.
        if (tag === ORIENTATION && depth === 0 && u16(entry + 2) === 3 && u32(entry + 4) === 1) {
          const value = u16(entry + 8);
          orientation = value >= 2 && value <= 8 ? value : null;
        }
      }
    };
    walk(u32(4), 0);
  } catch (e) {
    if (!(e instanceof MalformedMedia)) throw e;
    return null;
  }
  return orientation;
}

/** The smallest TIFF block that says only "Orientation = value": big-endian, IFD0 with one entry. */
export function orientationTiff(value: number): Uint8Array {
  return Uint8Array.of(
    0x4d, 0x4d, 0, 42, 0, 0, 0, 8, // "MM", 42, IFD0 at 8
    0, 1, // one entry
    ORIENTATION >> 8, ORIENTATION & 0xff, 0, 3, 0, 0, 0, 1, value >> 8, value & 0xff, 0, 0, // SHORT ×1 = value
    0, 0, 0, 0, // no next IFD
  );
}
