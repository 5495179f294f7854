// Subresource Integrity for the page's own script and stylesheet: index.html names each by its SHA-384,
// so a copy of the page (saved, mirrored, checked by a watchdog) pins the exact code it loads, and a file
// changed on the server after the HTML was read is refused by the browser. Chunks loaded later with
// import() cannot carry an integrity attribute (that needs an import map, i.e. inline script, which the
// CSP forbids); the release manifest covers them.
import { createHash } from "node:crypto";
import type { Plugin, Rollup } from "vite";

type OutputBundle = Rollup.OutputBundle;

export const integrityOf = (bytes: string | Uint8Array): string => `sha384-${createHash("sha384").update(bytes).digest("base64")}`;

/** Adds `integrity` to every <script src> and <link href> that points at a file of this build. */
export function addIntegrity(html: string, bundle: OutputBundle): string {
  const bytesOf = (url: string): string | Uint8Array | null => {
    const item = bundle[url.replace(/^\//, "")];
    if (item === undefined) return null;
    return item.type === "chunk" ? item.code : item.source;
  };
  return html.replace(/<(script|link)\b([^>]*?)\s(src|href)="([^"]+)"([^>]*)>/g, (tag, name: string, before: string, attr: string, url: string, after: string) => {
    if (/\bintegrity=/.test(tag)) return tag;
    const bytes = bytesOf(url);
    if (bytes === null) {
      // Only the empty icon (a data: URL) may point elsewhere; anything else is a build mistake.
      if (url.startsWith("data:")) return tag;
      throw new Error(`integrity: ${url} in index.html is not a file of this build`);
    }
    return `<${name}${before} ${attr}="${url}" integrity="${integrityOf(bytes)}"${after}>`;
  });
}

export function subresourceIntegrity(): Plugin {
  return {
    name: "sealdrop-integrity",
    apply: "build",
    enforce: "post",
    // After Vite's own plugins have finished every chunk: the hashes are of the bytes that are written.
    generateBundle: {
      order: "post",
      handler(_options, bundle) {
        for (const item of Object.values(bundle)) {
          if (item.type !== "asset" || !item.fileName.endsWith(".html")) continue;
          item.source = addIntegrity(String(item.source), bundle);
        }
      },
    },
  };
}
