// The checks `sealdrop verify` makes on what it fetched, each a pure function of bytes: the page's frame,
// a file against its manifest entry, Subresource Integrity, and the files the page and its scripts name.
import { createHash } from "node:crypto";
import { isInertNoscript, isReleasePath, type ReleaseFile, splitPage } from "../../core/release-manifest.js";
import type { Encoding } from "./release-fetch.js";

export const sha256Hex = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/** One difference between what is served and the signed release, with a stable code. */
export interface Difference {
  /** The URL path, as served (`/`, `/assets/…`). */
  path: string;
  code: "page_mismatch" | "file_mismatch" | "file_unavailable" | "sri_missing" | "sri_mismatch" | "unlisted_reference" | "third_party_reference";
  message: string;
  encoding?: Encoding;
}

/** The served `/` against the manifest's page frame. */
export function checkPage(body: Uint8Array, frameSha256: string): string | null {
  const split = splitPage(body);
  if (!split) return "it has no <noscript>…</noscript> where the release's page has one";
  if (sha256Hex(split.frame) !== frameSha256) return "it differs from the signed page outside its <noscript>";
  if (!isInertNoscript(split.inside)) return "its <noscript> holds a script tag or ends early";
  return null;
}

/** A served file against its manifest entry. */
export function checkFile(body: Uint8Array, entry: ReleaseFile): string | null {
  if (body.length !== entry.size) return `it is ${body.length} bytes; the signed release's is ${entry.size}`;
  const digest = sha256Hex(body);
  if (digest !== entry.sha256) return `its SHA-256 is ${digest.slice(0, 16)}…; the signed release's is ${entry.sha256.slice(0, 16)}…`;
  return null;
}

/** A tag of the page that loads something: its name, attributes, and the URL it names. */
export interface PageReference {
  tag: "script" | "link";
  rel: string;
  url: string;
  integrity: string | null;
}

const attribute = (tag: string, name: string): string | null => {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>"']+))`, "i").exec(tag);
  return m ? (m[1] ?? m[2] ?? m[3] ?? "") : null;
};

/** Every <script src> and <link href> in the page (outside its <noscript>, which the server writes). */
export function pageReferences(frame: string): PageReference[] {
  const out: PageReference[] = [];
  for (const m of frame.matchAll(/<(script|link)\b[^>]*>/gi)) {
    const tag = m[0];
    const name = m[1]!.toLowerCase() as "script" | "link";
    const url = attribute(tag, name === "script" ? "src" : "href");
    if (url === null) continue;
    out.push({ tag: name, rel: (attribute(tag, "rel") ?? "").toLowerCase(), url, integrity: attribute(tag, "integrity") });
  }
  return out;
}

/** What a browser demands of `integrity` (the strongest algorithm named, any of its digests) against the bytes. */
export function integrityMatches(integrity: string, body: Uint8Array): boolean {
  const ranked = ["sha512", "sha384", "sha256"] as const;
  const tokens = integrity
    .trim()
    .split(/\s+/)
    .map((t) => /^(sha256|sha384|sha512)-([A-Za-z0-9+/=_-]+)(\?.*)?$/.exec(t))
    .filter((m): m is RegExpExecArray => m !== null);
  const strongest = ranked.find((alg) => tokens.some((t) => t[1] === alg));
  if (!strongest) return false;
  const digest = createHash(strongest).update(body).digest("base64");
  return tokens.some((t) => t[1] === strongest && t[2] === digest);
}

/** Tags whose file must carry integrity: scripts, stylesheets and module preloads. */
export const needsIntegrity = (r: PageReference): boolean => r.tag === "script" || r.rel === "stylesheet" || r.rel === "modulepreload";

/**
 * The files a script or stylesheet names by relative path (`./x.js`, `/assets/x.js`, `assets/x.js` as Vite's
 * preload lists write them, CSS `url(…)`), resolved to site paths. Absolute URLs are not files of the page.
 */
export function scriptReferences(text: string, fromPath: string): string[] {
  const found = new Set<string>();
  const literal = /["'`(]((?:\.{1,2}\/|\/(?!\/)|assets\/)[A-Za-z0-9_./-]+\.(?:js|mjs|css|wasm|json|woff2?|svg|png|jpe?g|webp))["'`)]/g;
  for (const m of text.matchAll(literal)) {
    const ref = m[1]!;
    const base = ref.startsWith("assets/") ? "https://site/" : new URL(fromPath, "https://site/").href;
    found.add(new URL(ref, base).pathname);
  }
  return [...found];
}

/** The manifest path a site path names, or null if it names none (`/` is the page). */
export const manifestPath = (sitePath: string): string | null => {
  const p = sitePath.replace(/^\//, "");
  return isReleasePath(p) ? p : null;
};
