// Builds the source page (client/) into dist/client/, which the server serves at `/`. The output must
// satisfy the page's CSP: no inline script or style, nothing from another origin. Its script and stylesheet
// carry Subresource Integrity, every text file has .br and .gz copies, and two builds of the same sources
// are byte-identical (tests/browser/reproducible.test.ts).
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import { CATALOGUES, LANGUAGE_TAGS, LANGUAGES } from "./src/i18n/index.js";
import { subresourceIntegrity } from "./scripts/vite/integrity.js";
import { inlineNobleRotations } from "./scripts/vite/inline-rotations.js";
import { precompress } from "./scripts/vite/precompress.js";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Without JavaScript the page cannot choose a language, so the <noscript> text comes in every
 * language, each marked with its own `lang`; it is written from the catalogues at build time.
 */
function staticText(): Plugin {
  return {
    name: "sealdrop-static-text",
    transformIndexHtml: {
      order: "pre",
      handler(html) {
        const noscript = LANGUAGES.map((lang) => `<div lang="${LANGUAGE_TAGS[lang]}"><p>${escapeHtml(CATALOGUES[lang].noscript)}</p></div>`).join("");
        const title = LANGUAGES.map((lang) => CATALOGUES[lang].pageTitle).join(" · ");
        return html.replace("<!--sealdrop:noscript-->", noscript).replace("%SEALDROP_TITLE%", escapeHtml(title));
      },
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL("./client", import.meta.url)),
  base: "/",
  publicDir: false,
  plugins: [inlineNobleRotations(), staticText(), subresourceIntegrity(), precompress()],
  build: {
    outDir: fileURLToPath(new URL("./dist/client", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    // The polyfill is an inline script, which the CSP forbids; every supported browser has modulepreload.
    modulePreload: { polyfill: false },
    // Everything as files under /assets/: no data: URLs for fonts or scripts.
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: false,
    reportCompressedSize: true,
  },
  // The sealing workers (client/upload/seal-worker.ts) as ES modules under /assets/, like the page's chunks,
  // with the cipher's rotations written out as in the page (scripts/vite/inline-rotations.ts).
  worker: { format: "es", plugins: () => [inlineNobleRotations()] },
  server: { strictPort: true },
});
