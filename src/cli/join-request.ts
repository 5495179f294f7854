// A join request (docs/FORMAT.md "Join request"): what a new editor hands an admin so the admin can add
// them to the roster, with no secret in it: their id, name, age recipient and signing key, and the
// fingerprint of the newsroom they pinned. One line of text, `sealdrop-join-v1:` + base64url of its
// canonical JSON, fits a file, a chat message or a QR code. Its short check code is read aloud between
// the two people, so a request swapped on the way is caught before the admin signs it.
import { sha256 } from "@noble/hashes/sha2.js";
import { z } from "zod";
import { fromBase64Url, fromUtf8, ID_PATTERN, toBase64Url, toHex } from "../core/bytes.js";
import { canonicalBytes } from "../core/canonical.js";
import { isAgeRecipient, isDisplayText, isSigningKey } from "../core/roster.js";
import { CliError } from "./errors.js";

export const JOIN_PREFIX = "sealdrop-join-v1:";

export const joinRequestSchema = z
  .object({
    v: z.literal(1),
    fingerprint: z.string().regex(/^([0-9A-F]{4} ){9}[0-9A-F]{4}$/),
    id: z.string().regex(ID_PATTERN),
    name: z.string().max(100).refine(isDisplayText, "names are NFC text without control or invisible characters or surrounding spaces"),
    ageRecipient: z.string().refine(isAgeRecipient, "expected an age recipient"),
    signPublicKey: z.string().refine(isSigningKey, "expected a base64url Ed25519 public key"),
  })
  .strict();
export type JoinRequest = z.infer<typeof joinRequestSchema>;

export const encodeJoinRequest = (request: JoinRequest): string => JOIN_PREFIX + toBase64Url(canonicalBytes(joinRequestSchema.parse(request)));

/** 64 bits of SHA-256 of the request's canonical JSON, as "AB12 CD34 EF56 7890": compared aloud. */
export const joinCheckCode = (request: JoinRequest): string => (toHex(sha256(canonicalBytes(request)).subarray(0, 8)).toUpperCase().match(/.{4}/g) ?? []).join(" ");

export function decodeJoinRequest(text: string): JoinRequest {
  const line = text.trim();
  if (!line.startsWith(JOIN_PREFIX)) throw new CliError(`not a sealdrop join request (it starts with ${JOIN_PREFIX})`, 1, "bad_join_request");
  let json: unknown;
  try {
    json = JSON.parse(fromUtf8(fromBase64Url(line.slice(JOIN_PREFIX.length))));
  } catch {
    throw new CliError("the join request is damaged (not base64url JSON)", 1, "bad_join_request");
  }
  const parsed = joinRequestSchema.safeParse(json);
  if (!parsed.success) throw new CliError(`the join request is damaged: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`, 1, "bad_join_request");
  return parsed.data;
}
