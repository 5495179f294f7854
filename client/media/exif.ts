// Reads an EXIF (TIFF) block just far enough to say what it reveals: GPS position, camera or phone,
// times, author, software. Only tags are looked at, never values beyond their presence; the block is
// dropped whole anyway. Malformed blocks still count as metadata ("other").
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

export function readExif(tiff: Uint8Array, findings: Findings): void {
  findings.add("other");
  try {
    const order = u16be(tiff, 0);
    if (order !== 0x4949 && order !== 0x4d4d) return;
    const le = order === 0x4949;
    const u16 = (o: number) => (le ? (need(tiff, o, 2), tiff[o]! | (tiff[o + 1]! << 8)) : u16be(tiff, o));
    const u32 = (o: number) => (le ? (need(tiff, o, 4), (tiff[o]! | (tiff[o + 1]! << 8) | (tiff[o + 2]! << 16)) + tiff[o + 3]! * 0x1000000) : u32be(tiff, o));
    if (u16(2) !== 42) return;
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
      }
    };
    walk(u32(4), 0);
  } catch (e) {
    if (!(e instanceof MalformedMedia)) throw e;
  }
}
