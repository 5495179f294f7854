// Measures proof-of-work speed in Chromium, normal and --jitless (as Tor Browser "Safer"), and in Node.
// Usage: npx tsx scripts/simulate/pow-bench.ts   (needs /usr/bin/chromium, as the browser tests do)
import { build } from "esbuild";
import { launchChromium } from "../../tests/helpers/browser.js";

const bundle = await build({
  entryPoints: [new URL("./pow-bench-page.ts", import.meta.url).pathname],
  bundle: true,
  write: false,
  format: "iife",
  target: "es2022",
});
const code = bundle.outputFiles[0]!.text;
for (const jitless of [false, true]) {
  const browser = await launchChromium({ jitless });
  const page = await browser.newPage();
  // A secure context, so crypto.subtle exists (as on https or .onion in Tor Browser).
  await page.route("http://localhost/", (route) => route.fulfill({ contentType: "text/html", body: "<!doctype html><title>pow</title>" }));
  await page.goto("http://localhost/");
  await page.addScriptTag({ content: code });
  const result = await page.evaluate(() => (globalThis as unknown as { powBench: () => Promise<Record<string, number>> }).powBench());
  console.log(`chromium${jitless ? " --jitless" : ""}:`, JSON.stringify(result, (_k, v: unknown) => (typeof v === "number" ? Math.round(v) : v)));
  await browser.close();
}
