// Newsroom fingerprints (docs/FORMAT.md, "Newsroom fingerprint"): what a newsroom publishes and the source
// page shows, so a source can compare the two. The root fingerprint names the newsroom's root key, which
// signs the roster and never changes with staffing; the older key-list fingerprint remains for newsrooms
// that have no roster yet.
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, fromBase64Url, toHex, utf8 } from "./bytes.js";

export const ROOT_FINGERPRINT_DOMAIN = "sealdrop-newsroom-root-v1\n";

/** 20 bytes of a digest as upper-case hex in groups of four: "24E8 CB34 … 6A1A". */
const display = (digest: Uint8Array): string => (toHex(digest.subarray(0, 20)).toUpperCase().match(/.{4}/g) ?? []).join(" ");

/** The fingerprint of a newsroom with a roster: of its root public key (base64url, 32 bytes). */
export function rootFingerprint(rootPublicKey: string): string {
  const key = fromBase64Url(rootPublicKey);
  if (key.length !== 32) throw new RangeError("a root public key is 32 bytes");
  return display(sha256(concatBytes(utf8(ROOT_FINGERPRINT_DOMAIN), key)));
}

/** The fingerprint of a newsroom without a roster: of every recipient the page would encrypt to. */
export function newsroomFingerprint(recipients: readonly string[]): string {
  const unique = [...new Set(recipients)].sort();
  return display(sha256(utf8(`sealdrop-newsroom-keys-v1\n${unique.join("\n")}`)));
}
