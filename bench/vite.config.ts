// Builds the benchmark page (bench/page) — never part of the source page's build.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { inlineNobleRotations } from "../scripts/vite/inline-rotations.js";

export default defineConfig({
  root: fileURLToPath(new URL("./page", import.meta.url)),
  base: "/",
  publicDir: false,
  // The same cipher as the source page's: its rotations written out (scripts/vite/inline-rotations.ts).
  plugins: [inlineNobleRotations()],
  build: { target: "es2022", modulePreload: { polyfill: false }, assetsInlineLimit: 0, sourcemap: false, reportCompressedSize: false, chunkSizeWarningLimit: 4096 },
  worker: { format: "es", plugins: () => [inlineNobleRotations()] },
  logLevel: "warn",
});
