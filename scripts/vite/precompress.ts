// Writes a brotli (.br) and a gzip (.gz) copy beside every text file of the page's build, so a slow link
// downloads a fifth of the bytes and the server spends no CPU compressing: the Node entry serves them with
// serveStatic's `precompressed` and the Workers entry picks them from its assets (src/server/*/).
// Maximum levels, no timestamps: the same input gives the same bytes, so the build stays reproducible.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { Plugin } from "vite";

/** What gets compressed copies; everything else (images, fonts) is already compressed or absent. */
export const COMPRESSIBLE = /\.(js|css|html|json|svg|txt)$/;

export function brotli(bytes: Uint8Array): Buffer {
  return brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  });
}

/** zlib writes no file name and a zero modification time in the gzip header. */
export const gzip = (bytes: Uint8Array): Buffer => gzipSync(bytes, { level: 9 });

export function precompress(): Plugin {
  return {
    name: "sealdrop-precompress",
    apply: "build",
    // After every other plugin wrote its output (the HTML with its integrity attributes included).
    enforce: "post",
    async writeBundle(output, bundle) {
      const dir = output.dir;
      if (dir === undefined) throw new Error("precompress needs an output directory");
      for (const item of Object.values(bundle)) {
        // Vite's own .vite/manifest.json is never served.
        if (!COMPRESSIBLE.test(item.fileName) || item.fileName.startsWith(".vite/")) continue;
        const bytes = item.type === "chunk" ? Buffer.from(item.code) : typeof item.source === "string" ? Buffer.from(item.source) : Buffer.from(item.source);
        // A copy that is not smaller would only cost a second look-up.
        for (const [ext, compress] of [[".br", brotli], [".gz", gzip]] as const) {
          const packed = compress(bytes);
          if (packed.length < bytes.length) await writeFile(join(dir, item.fileName + ext), packed);
        }
      }
    },
  };
}
