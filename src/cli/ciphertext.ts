// A cheap structural check on stored ciphertext: every blob sealdrop keeps is an age v1 file.
import { utf8 } from "../core/bytes.js";

const AGE_MAGIC = utf8("age-encryption.org/v1\n");

export function isAgeFile(b: Uint8Array): boolean {
  return b.length > AGE_MAGIC.length && AGE_MAGIC.every((byte, i) => b[i] === byte);
}
