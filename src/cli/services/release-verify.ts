// `sealdrop verify`: does this server serve the release the newsroom signed? The roster is verified from
// the root the fingerprint names (or, without one, from the root the server claims, which the report says),
// the keys the server hands sources are checked against it (core/newsroom-check.ts), the manifest's
// signature against it (core/release-manifest.ts); then the page and every file of the release are fetched
// in each encoding a browser may get and compared with the manifest, the page's integrity attributes with
// the files, and every file the page or its scripts name must be one the release lists. The server is
// distrusted throughout: sizes are capped, answers time out, nothing it sends reaches the terminal raw.
import { z } from "zod";
import { rootFingerprint } from "../../core/fingerprint.js";
import { newsroomMismatch } from "../../core/newsroom-check.js";
import { RELEASE_LIMITS, RELEASE_PATH, type ReleaseBody, splitPage, verifyRelease } from "../../core/release-manifest.js";
import { findEditor, type VerifiedRoster, verifyRoster } from "../../core/roster.js";
import { normalizeServerUrl } from "../api.js";
import { CliError } from "../errors.js";
import { inlineSafe } from "../text.js";
import { checkFile, checkPage, type Difference, integrityMatches, manifestPath, needsIntegrity, pageReferences, scriptReferences } from "./release-check.js";
import { type Encoding, type FetchOptions, FetchFailure, fetchFile } from "./release-fetch.js";
import { rosterRefusal } from "./roster.js";

export const VERIFY_LIMITS = {
  /** Any one file of the page, the roster or the manifest, encoded or decoded. */
  maxFileBytes: 32 * 1024 * 1024,
  /** The files fetched (each in three encodings). */
  maxFiles: 2_000,
} as const;

export const ENCODINGS: readonly Encoding[] = ["identity", "gzip", "br"];

export interface VerifyRequest extends FetchOptions {
  server: string;
  /** The newsroom's published fingerprint; null: take the server's root and say so. */
  fingerprint: string | null;
}

export interface FileResult {
  path: string;
  ok: boolean;
  /** The encodings the server answered with, for the encodings asked. */
  served: Encoding[];
}

export interface VerifyReport {
  ok: boolean;
  server: string;
  newsroom: string;
  fingerprint: string;
  pinned: boolean;
  release: { signer: string; signerName: string; rosterSeq: number; files: number };
  files: FileResult[];
  differences: Difference[];
}

/** The fingerprint as typed (any case, spaces or none) in its display form, or null if it is not one. */
export function normalizeFingerprint(text: string): string | null {
  const hex = text.replace(/\s+/g, "").toUpperCase();
  return /^[0-9A-F]{40}$/.test(hex) ? (hex.match(/.{4}/g) ?? []).join(" ") : null;
}

const rosterAnswer = z.object({ root: z.string(), entries: z.array(z.unknown()) });
const newsroomAnswer = z.object({
  fingerprint: z.string().optional(),
  desks: z.array(z.object({ id: z.string(), recipients: z.array(z.string()) })),
  roster: z.object({ fingerprint: z.string(), root: z.string().optional(), head: z.object({ seq: z.number(), hash: z.string() }).optional() }).nullish(),
});

function parseJson<T>(bytes: Uint8Array, schema: z.ZodType<T>, what: string, code: string): T {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new CliError(`the server's ${what} is not JSON`, 1, code);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new CliError(`the server's ${what} is not what sealdrop serves: ${inlineSafe(parsed.error.issues[0]?.message ?? "bad shape")}`, 1, code);
  return parsed.data;
}

/** The roster the server serves, verified and pinned by the fingerprint. */
async function pinnedRoster(base: URL, request: VerifyRequest): Promise<{ roster: VerifiedRoster; fingerprint: string }> {
  const fetched = await fetchFile(base, "/api/roster", "identity", VERIFY_LIMITS.maxFileBytes, request);
  const log = parseJson(fetched.body, rosterAnswer, "roster (/api/roster)", "roster_malformed");
  if (!/^[A-Za-z0-9_-]{43}$/.test(log.root)) throw new CliError("the server's roster names no valid root key", 1, "roster_malformed");
  const fingerprint = rootFingerprint(log.root);
  if (request.fingerprint !== null && fingerprint !== request.fingerprint) {
    throw new CliError(`the server's newsroom has the fingerprint ${fingerprint}, not ${request.fingerprint}: it is not that newsroom, or someone is impersonating it`, 1, "fingerprint_mismatch");
  }
  const verified = verifyRoster(log.root, log.entries);
  if (!verified.ok) throw rosterRefusal(verified.error, base.origin);
  return { roster: verified, fingerprint };
}

async function checkedNewsroomAnswer(base: URL, roster: VerifiedRoster, request: VerifyRequest): Promise<void> {
  const fetched = await fetchFile(base, "/api/newsroom", "identity", VERIFY_LIMITS.maxFileBytes, request);
  const found = newsroomMismatch(parseJson(fetched.body, newsroomAnswer, "newsroom answer (/api/newsroom)", "newsroom_mismatch"), roster, { strict: true });
  if (found) throw new CliError(`the keys or roster the server hands sources' browsers are not the roster's (${found.kind}${found.kind === "desk" ? ` ${inlineSafe(found.desk)}` : ""})`, 1, "newsroom_mismatch");
}

async function signedRelease(base: URL, roster: VerifiedRoster, request: VerifyRequest): Promise<ReleaseBody> {
  let fetched;
  try {
    fetched = await fetchFile(base, RELEASE_PATH, "identity", RELEASE_LIMITS.maxManifestBytes, request);
  } catch (e) {
    if (e instanceof FetchFailure && e.code === "bad_response") throw new CliError(`the server serves no signed release at ${RELEASE_PATH} (${e.message})`, 1, "release_missing");
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(fetched.body));
  } catch {
    throw new CliError(`${RELEASE_PATH} is not JSON`, 1, "release_malformed");
  }
  const verified = verifyRelease(json, roster);
  if (!verified.ok) throw new CliError(`the release manifest cannot be trusted: ${inlineSafe(verified.message)}`, 1, verified.code);
  return verified.manifest.body;
}

/** The compressed copies the build writes beside a file; a browser gets them through Accept-Encoding. */
const isVariant = (path: string, listed: Set<string>): boolean => /\.(br|gz)$/.test(path) && listed.has(path.replace(/\.(br|gz)$/, ""));

export async function verifyServedRelease(request: VerifyRequest): Promise<VerifyReport> {
  const base = new URL(normalizeServerUrl(request.server));
  const { roster, fingerprint } = await pinnedRoster(base, request);
  await checkedNewsroomAnswer(base, roster, request);
  const release = await signedRelease(base, roster, request);
  const listed = new Set(release.files.map((f) => f.path));
  const entries = release.files.filter((f) => !isVariant(f.path, listed) && f.path !== release.page.path);
  if (entries.length + 1 > VERIFY_LIMITS.maxFiles) throw new CliError(`the release lists more than ${VERIFY_LIMITS.maxFiles} files to fetch`, 1, "release_too_large");

  const differences: Difference[] = [];
  const files: FileResult[] = [];
  const bodies = new Map<string, Uint8Array>();
  /** Fetches `path` in every encoding; `check` says what is wrong with a decoded body, or null. */
  const fetchAll = async (path: string, check: (body: Uint8Array) => string | null, code: Difference["code"]) => {
    const result: FileResult = { path, ok: true, served: [] };
    for (const accept of ENCODINGS) {
      let fetched;
      try {
        fetched = await fetchFile(base, path, accept, VERIFY_LIMITS.maxFileBytes, request);
      } catch (e) {
        if (!(e instanceof FetchFailure)) throw e;
        if (e.code === "unreachable" || e.code === "timeout") throw e;
        differences.push({ path, code: "file_unavailable", message: `asked for ${accept}: ${e.message.slice(path.length + 2)} (${e.code})`, encoding: accept });
        result.ok = false;
        continue;
      }
      result.served.push(fetched.encoding);
      const problem = check(fetched.body);
      if (problem) {
        differences.push({ path, code, message: `${problem} (served as ${fetched.encoding})`, encoding: fetched.encoding });
        result.ok = false;
      } else if (accept === "identity") bodies.set(path, fetched.body);
    }
    files.push(result);
  };

  await fetchAll("/", (body) => checkPage(body, release.page.frame), "page_mismatch");
  for (const entry of entries) await fetchAll(`/${entry.path}`, (body) => checkFile(body, entry), "file_mismatch");

  // What the page loads: files of the release, each with integrity the browser will check.
  const page = bodies.get("/");
  if (page) {
    const frame = new TextDecoder("latin1").decode(splitPage(page)!.frame);
    for (const ref of pageReferences(frame)) {
      if (ref.url === "data:," && ref.tag === "link" && ref.rel === "icon") continue;
      const url = new URL(ref.url, base);
      const path = url.origin === base.origin ? manifestPath(url.pathname) : null;
      const shown = url.origin === base.origin ? url.pathname : "(another origin)";
      if (url.origin !== base.origin) differences.push({ path: "/", code: "third_party_reference", message: `the page loads a ${ref.tag} from another origin` });
      else if (path === null || !listed.has(path)) differences.push({ path: shown, code: "unlisted_reference", message: "the page loads it, but the signed release does not list it" });
      else if (needsIntegrity(ref) && ref.integrity === null) differences.push({ path: shown, code: "sri_missing", message: "the page loads it without an integrity attribute" });
      else if (ref.integrity !== null && bodies.has(shown) && !integrityMatches(ref.integrity, bodies.get(shown)!)) {
        differences.push({ path: shown, code: "sri_mismatch", message: "its integrity attribute in the page does not match the file" });
      }
    }
  }
  // What the scripts and stylesheets load: files of the release too.
  for (const [path, body] of bodies) {
    if (!/\.(m?js|css)$/.test(path)) continue;
    for (const ref of scriptReferences(new TextDecoder().decode(body), path)) {
      const listedPath = manifestPath(ref);
      if (listedPath === null || !listed.has(listedPath)) differences.push({ path: ref, code: "unlisted_reference", message: `${path} loads it, but the signed release does not list it` });
    }
  }

  const signer = release.signer === "root" ? null : findEditor(roster.state, release.signer);
  return {
    ok: differences.length === 0,
    server: base.origin,
    newsroom: roster.state.names.en,
    fingerprint,
    pinned: request.fingerprint !== null,
    release: { signer: release.signer, signerName: signer ? signer.name : "the newsroom's root key", rosterSeq: release.roster.seq, files: release.files.length },
    files,
    differences,
  };
}
