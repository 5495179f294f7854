// `sealdrop release sign`: an admin signs the page's build as the newsroom's release (docs/FORMAT.md,
// "Release manifest"). Every file of the build directory is listed with its size and SHA-256; the manifest
// goes into the directory itself, at .well-known/sealdrop-release.json, so the server serves it with the
// page on Node and on Workers. It is verified here, as a watchdog will, before it is written.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { toHex } from "../../core/bytes.js";
import { isReleasePath, RELEASE_LIMITS, RELEASE_PATH, type ReleaseFile, type ReleaseManifest, releaseBodyFor, signRelease, splitPage, verifyRelease } from "../../core/release-manifest.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { CliError } from "../errors.js";
import { writeFileAtomic } from "../files.js";
import { type RootKey, rootSigner } from "../root-key.js";
import { editorSigner, requireAdmin } from "./roster-changes.js";
import type { EditorSession } from "./session.js";

/** The page served at `/`, as the build writes it. */
export const PAGE_FILE = "index.html";

async function fileDigest(path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { size, sha256: hash.digest("hex") };
}

/**
 * Every file the server serves from `dist`: all regular files but those under a folder or name starting
 * with a dot (.well-known holds the manifest itself; .vite is Vite's own record, not part of the page).
 */
export async function releaseFiles(dist: string): Promise<ReleaseFile[]> {
  let entries;
  try {
    entries = await readdir(dist, { recursive: true, withFileTypes: true });
  } catch (e) {
    throw new CliError(`cannot read the build directory ${dist}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 1, "release_no_build");
  }
  const files: ReleaseFile[] = [];
  for (const entry of entries) {
    const path = relative(dist, join(entry.parentPath, entry.name)).split(sep).join("/");
    if (path.split("/").some((segment) => segment.startsWith("."))) continue;
    if (entry.isDirectory()) continue;
    if (!entry.isFile()) throw new CliError(`${path} in the build is not a regular file (a link?); sign a build made by \`npm run build\``, 1, "release_bad_file");
    if (!isReleasePath(path)) throw new CliError(`${JSON.stringify(path)} in the build is not a name a release can list (letters, digits, . _ - and /)`, 1, "release_bad_file");
    files.push({ path, ...(await fileDigest(join(dist, path))) });
  }
  if (files.length > RELEASE_LIMITS.maxFiles) throw new CliError(`the build has ${files.length} files; a release lists at most ${RELEASE_LIMITS.maxFiles}`, 1, "release_bad_file");
  return files;
}

export interface SignedReleaseResult {
  manifest: ReleaseManifest;
  /** Where it was written. */
  file: string;
}

/**
 * Signs the build in `dist` and writes the manifest into it: as this session's editor (an admin of the
 * verified roster), or with the newsroom's root key when `root` is given (it must be the roster's root).
 */
export async function signBuild(session: EditorSession, dist: string, root?: RootKey): Promise<SignedReleaseResult> {
  const check = await session.roster();
  if (!check) throw new CliError("this newsroom has no roster yet; a release is signed by an admin the roster names (see `sealdrop roster upgrade`)", 1, "no_roster");
  const editorId = session.editor.header.editorId;
  if (root) {
    if (root.publicKey !== check.root) throw new CliError(`the root key ${root.fingerprint} is not this newsroom's root (${check.fingerprint})`, 1, "release_root_mismatch");
  } else {
    requireAdmin(check.roster.state, editorId);
  }
  const files = await releaseFiles(dist);
  if (!files.some((f) => f.path === PAGE_FILE)) throw new CliError(`${dist} has no ${PAGE_FILE}: give the page's build directory (dist/client after \`npm run build\`)`, 1, "release_no_build");
  const split = splitPage(await readFile(join(dist, PAGE_FILE)));
  if (!split) throw new CliError(`${PAGE_FILE} in ${dist} has no <noscript>…</noscript>: it is not a sealdrop page build`, 1, "release_no_build");
  const body = releaseBodyFor(check.root, check.roster.head, root ? "root" : editorId, { path: PAGE_FILE, frame: toHex(sha256(split.frame)) }, files);
  const manifest = await signRelease(body, root ? rootSigner(root) : editorSigner(session));
  const verified = verifyRelease(JSON.parse(JSON.stringify(manifest)), check.roster);
  if (!verified.ok) throw new CliError(`the signed manifest does not verify (${verified.message}); is this home's key the one the roster names?`, 1, verified.code);
  const file = join(dist, ...RELEASE_PATH.split("/").filter(Boolean));
  // Readable by a server running as another user, like the rest of the build.
  await mkdir(dirname(file), { recursive: true, mode: 0o755 });
  await writeFileAtomic(file, `${JSON.stringify(manifest, null, 1)}\n`, { mode: 0o644 });
  return { manifest, file };
}
