// The newsroom key fingerprint (docs/FORMAT.md, "Fingerprint"): shown on the source page and printed by
// `sealdrop fingerprint`, so a source can compare it with one published elsewhere.
import { sha256 } from "@noble/hashes/sha2.js";
import { toHex, utf8 } from "./bytes.js";

export function newsroomFingerprint(recipients: readonly string[]): string {
  const unique = [...new Set(recipients)].sort();
  const digest = sha256(utf8(`sealdrop-newsroom-keys-v1\n${unique.join("\n")}`));
  return (toHex(digest.subarray(0, 20)).toUpperCase().match(/.{4}/g) ?? []).join(" ");
}
