// The release manifest (docs/FORMAT.md, "Release manifest"): every file of the page's build with its size
// and SHA-256, signed by the newsroom's root or by an admin the roster names, and served at
// RELEASE_PATH. A watchdog's `sealdrop verify` checks what a server serves against it; anyone can rebuild
// the page from the sources and compare (the build is reproducible). The signer key is chosen as for a
// roster entry ("root" or an admin's id) and the roster head named as in a signed note or reply.
import { ed25519 } from "@noble/curves/ed25519.js";
import * as z from "zod/mini";
import { concatBytes, fromBase64Url, ID_PATTERN, toBase64Url, utf8 } from "./bytes.js";
import { canonicalBytes, CanonicalJsonError } from "./canonical.js";
import { editorAt, findEditor, isSigningKey, type RosterHead, type SignFn, type VerifiedRoster } from "./roster.js";

export const RELEASE_DOMAIN = "sealdrop-release-v1\n";
/** Where a server serves the signed manifest; in the build directory, `.well-known/sealdrop-release.json`. */
export const RELEASE_PATH = "/.well-known/sealdrop-release.json";
export const RELEASE_LIMITS = {
  maxFiles: 10_000,
  maxPathChars: 200,
  /** The manifest as served (JSON text). */
  maxManifestBytes: 4 * 1024 * 1024,
} as const;

/** A path inside the build: `/`-separated segments of letters, digits, `.`, `_`, `-`, none starting with a dot. */
export const RELEASE_FILE_PATH = /^[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/;
export const isReleasePath = (path: string): boolean => path.length <= RELEASE_LIMITS.maxPathChars && RELEASE_FILE_PATH.test(path);

const sha256Hex = z.string().check(z.regex(/^[0-9a-f]{64}$/, "expected a 64-character lowercase hex SHA-256"));
const releaseFile = z.strictObject({
  path: z.string().check(z.refine(isReleasePath, "a file path inside the build (no segment starting with a dot)")),
  size: z.number().check(z.int(), z.gte(0), z.lte(Number.MAX_SAFE_INTEGER)),
  sha256: sha256Hex,
});
export type ReleaseFile = z.infer<typeof releaseFile>;

export const releaseBody = z.strictObject({
  v: z.literal(1),
  /** The newsroom's root public key: a release of one newsroom is never taken for another's. */
  root: z.string().check(z.refine(isSigningKey, "expected a base64url Ed25519 public key")),
  /** The roster head the signer verified; the verifier's roster must contain it. */
  roster: z.strictObject({ seq: z.number().check(z.int(), z.gte(0)), hash: z.string().check(z.regex(/^[0-9a-f]{64}$/)) }),
  signer: z.union([z.literal("root"), z.string().check(z.regex(ID_PATTERN))]),
  /**
   * The file served at `/` and the SHA-256 of its frame (splitPage): the server writes its own form into
   * the page's <noscript>, so `/` is checked by its frame, and the file itself by `files`.
   */
  page: z.strictObject({ path: z.string().check(z.refine(isReleasePath, "a file path inside the build")), frame: sha256Hex }),
  /** Sorted by path (code-unit order), each path once. */
  files: z.array(releaseFile).check(z.minLength(1), z.maxLength(RELEASE_LIMITS.maxFiles)),
});
export type ReleaseBody = z.infer<typeof releaseBody>;

export const releaseManifest = z.strictObject({
  body: z.unknown(),
  signature: z.string().check(z.regex(/^[A-Za-z0-9_-]{86}$/, "expected a base64url Ed25519 signature")),
});
export interface ReleaseManifest {
  body: ReleaseBody;
  signature: string;
}

/** The bytes the signer signs: the domain line, then the canonical JSON of the body. */
export const releaseSignedBytes = (body: ReleaseBody): Uint8Array => concatBytes(utf8(RELEASE_DOMAIN), canonicalBytes(body));

const sortedUnique = (files: readonly ReleaseFile[]): boolean => files.every((f, i) => i === 0 || files[i - 1]!.path < f.path);

/** The body for `files` (any order), signed by `signer` after verifying `roster` up to `head`. */
export function releaseBodyFor(root: string, head: RosterHead, signer: string, page: { path: string; frame: string }, files: readonly ReleaseFile[]): ReleaseBody {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return releaseBody.parse({ v: 1, root, roster: { seq: head.seq, hash: head.hash }, signer, page, files: sorted });
}

export async function signRelease(body: ReleaseBody, sign: SignFn): Promise<ReleaseManifest> {
  const parsed = releaseBody.parse(body);
  if (!sortedUnique(parsed.files)) throw new RangeError("release files must be sorted by path, each once");
  if (!parsed.files.some((f) => f.path === parsed.page.path)) throw new RangeError("the page served at / must be among the files");
  return { body: parsed, signature: toBase64Url(await sign(releaseSignedBytes(parsed))) };
}

export const RELEASE_ERROR_CODES = [
  "release_malformed", // not a manifest: bad JSON shape, path, order or limit
  "release_root_mismatch", // the manifest names another root key than the verified roster's
  "release_roster_ahead", // it names a roster head after the verifier's: the server served an older roster
  "release_roster_fork", // it names a roster head the verified roster does not contain
  "release_unknown_signer", // the signer is not in the roster
  "release_signer_not_admin", // the signer is revoked, or not an admin (now, or at the head it names)
  "release_key_compromised", // signed by a key the roster marked compromised
  "release_bad_signature", // forged or altered
] as const;
export type ReleaseErrorCode = (typeof RELEASE_ERROR_CODES)[number];

export type ReleaseVerification = { ok: true; manifest: ReleaseManifest; files: Map<string, ReleaseFile> } | { ok: false; code: ReleaseErrorCode; message: string };

const refuse = (code: ReleaseErrorCode, message: string): ReleaseVerification => ({ ok: false, code, message });

/**
 * Verifies a manifest (its parsed JSON) against a verified roster: the signer is the root, or an editor
 * who is an active admin now and was one at the roster head named, signing with the key they held there,
 * not marked compromised. Never throws for bad input.
 */
export function verifyRelease(raw: unknown, roster: VerifiedRoster): ReleaseVerification {
  const outer = releaseManifest.safeParse(raw);
  if (!outer.success) return refuse("release_malformed", `not a release manifest: ${outer.error.issues[0]?.message ?? "bad shape"}`);
  const parsed = releaseBody.safeParse(outer.data.body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse("release_malformed", `bad manifest body${issue?.path.length ? ` at ${issue.path.join(".")}` : ""}: ${issue?.message ?? "bad shape"}`);
  }
  const body = parsed.data;
  if (!sortedUnique(body.files)) return refuse("release_malformed", "the files are not sorted by path, each once");
  if (!body.files.some((f) => f.path === body.page.path)) return refuse("release_malformed", "the page served at / is not among the files");
  let bytes: Uint8Array;
  try {
    bytes = releaseSignedBytes(body);
  } catch (e) {
    if (e instanceof CanonicalJsonError) return refuse("release_malformed", `the manifest has no canonical form: ${e.message}`);
    throw e;
  }
  const { state } = roster;
  if (body.root !== state.root) return refuse("release_root_mismatch", "the manifest belongs to another newsroom's root key");
  if (body.roster.seq > roster.head.seq) return refuse("release_roster_ahead", `it was signed against roster entry ${body.roster.seq}, after the newest served (${roster.head.seq})`);
  if (roster.entries[body.roster.seq]!.hash !== body.roster.hash) return refuse("release_roster_fork", `its roster entry ${body.roster.seq} is not the verified roster's`);
  let key: string;
  if (body.signer === "root") key = state.root;
  else {
    const editor = findEditor(state, body.signer);
    if (!editor) return refuse("release_unknown_signer", `signer ${body.signer} is not in the roster`);
    const then = editorAt(editor, body.roster.seq);
    if (editor.revoked || editor.role !== "admin" || !then || then.role !== "admin") return refuse("release_signer_not_admin", `signer ${body.signer} is not an active admin`);
    if (editor.compromisedSignKeys.includes(then.signPublicKey)) return refuse("release_key_compromised", `signer ${body.signer}'s key was marked compromised`);
    key = then.signPublicKey;
  }
  let valid = false;
  try {
    valid = ed25519.verify(fromBase64Url(outer.data.signature), bytes, fromBase64Url(key), { zip215: false });
  } catch {
    valid = false;
  }
  if (!valid) return refuse("release_bad_signature", "the signature does not verify");
  return { ok: true, manifest: { body, signature: outer.data.signature }, files: new Map(body.files.map((f) => [f.path, f])) };
}

const OPEN = utf8("<noscript>");
const CLOSE = utf8("</noscript>");
function indexOf(haystack: Uint8Array, needle: Uint8Array, last = false): number {
  const at = (i: number) => needle.every((b, j) => haystack[i + j] === b);
  if (last) {
    for (let i = haystack.length - needle.length; i >= 0; i--) if (at(i)) return i;
  } else for (let i = 0; i <= haystack.length - needle.length; i++) if (at(i)) return i;
  return -1;
}

/**
 * The page served at `/` split around its <noscript>, which the server fills with the form for browsers
 * without JavaScript (src/server/routes/nojs.ts): `frame` is everything up to and including the first
 * `<noscript>` followed by everything from the last `</noscript>` on; `inside` is what lies between. Null
 * for a page without both.
 */
export function splitPage(page: Uint8Array): { frame: Uint8Array; inside: Uint8Array } | null {
  const open = indexOf(page, OPEN);
  const close = indexOf(page, CLOSE, true);
  if (open < 0 || close < open + OPEN.length) return null;
  return { frame: concatBytes(page.subarray(0, open + OPEN.length), page.subarray(close)), inside: page.subarray(open + OPEN.length, close) };
}

/**
 * Whether a <noscript>'s content is inert for a browser running the script: with scripting on, the
 * browser reads it as text up to the first `</noscript`, so nothing in it may end it early or start a
 * script: no `<script`, `</script`, `<noscript` or `</noscript`, in any case.
 */
export const isInertNoscript = (inside: Uint8Array): boolean => !/<\/?(no)?script/i.test(new TextDecoder("latin1").decode(inside));

/** Whether a served `/` is the build's page: the same frame, byte for byte, around an inert <noscript>. */
export function isBuiltPage(served: Uint8Array, built: Uint8Array): boolean {
  const [s, b] = [splitPage(served), splitPage(built)];
  if (!s || !b) return false;
  return s.frame.length === b.frame.length && s.frame.every((x, i) => x === b.frame[i]) && isInertNoscript(s.inside);
}
