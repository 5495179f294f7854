// Proof of work where it is hardest: Chromium with --jitless (no JIT, no WebAssembly, as Tor Browser
// "Safer"), running src/core/pow.ts as the page will. At the normal difficulty each solve must take well
// under 2 s, and a submission solved in the browser lands during a flood of unsolved ones.
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBase64 } from "../../src/core/bytes.js";
import { openEnvelope, sealEnvelope } from "../../src/core/envelope.js";
import { POW_HEADER } from "../../src/core/pow.js";
import { launchChromium } from "../helpers/browser.js";
import { editorFetch } from "../helpers/server.js";
import { json, startHarness, type Harness } from "./harness.js";

let h: Harness;
let browser: Browser;
let bundle: string;

beforeAll(async () => {
  h = await startHarness();
  const out = await build({
    stdin: {
      contents: `import { proofOfWorkHeaders } from "./src/core/pow.ts"; globalThis.proofOfWorkHeaders = proofOfWorkHeaders;`,
      resolveDir: fileURLToPath(new URL("../..", import.meta.url)),
      loader: "ts",
    },
    bundle: true,
    write: false,
    format: "iife",
    target: "es2022",
  });
  bundle = out.outputFiles[0]!.text;
  browser = await launchChromium({ jitless: true });
});
afterAll(async () => {
  await browser?.close();
  await h.dispose();
});

describe("proof of work in jitless Chromium", () => {
  it("solves the normal difficulty in well under 2 s, and lands a submission during a flood", async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${h.url}/api/newsroom`);
    await page.addScriptTag({ content: bundle });
    // Loopback, like https and .onion in Tor Browser, is a secure context: WebCrypto digests are there.
    expect(await page.evaluate(() => isSecureContext && typeof crypto.subtle?.digest === "function")).toBe(true);

    // Ten solves for upload creations at the server's current (normal) difficulty.
    const timings = await page.evaluate(async () => {
      const pow = (globalThis as unknown as { proofOfWorkHeaders: (o: string, m: string, p: string, b: Uint8Array) => Promise<Record<string, string>> }).proofOfWorkHeaders;
      const out: { ms: number; status: number }[] = [];
      for (let i = 0; i < 10; i++) {
        const body = new TextEncoder().encode("{}");
        const start = performance.now();
        const headers = await pow("", "POST", "/api/uploads", body);
        const ms = performance.now() - start;
        const res = await fetch("/api/uploads", { method: "POST", headers: { ...headers, "content-type": "application/json" }, body });
        out.push({ ms, status: res.status });
      }
      return out;
    });
    console.log(`jitless Chromium PoW at the normal level: ${timings.map((t) => Math.round(t.ms)).join(", ")} ms`);
    for (const t of timings) {
      expect(t.status).toBe(201);
      expect(t.ms).toBeLessThan(2000);
    }

    // A flood of unsolved submissions from elsewhere while the browser solves and submits.
    let stop = false;
    let flooded = 0;
    let floodUnderWay!: () => void;
    const underWay = new Promise<void>((r) => (floodUnderWay = r));
    const attackers = Array.from({ length: 6 }, async () => {
      while (!stop) {
        const res = await fetch(`${h.url}/api/submissions`, { method: "POST", headers: { ...json, [POW_HEADER]: "v1.x" }, body: "{}" });
        await res.arrayBuffer();
        if (++flooded === 25) floodUnderWay();
      }
    });
    const envelope = toBase64(
      await sealEnvelope({ v: 1, kind: "submission", desk: "news", message: "solved without a JIT", fields: {}, attachments: [], reply: null, client: "jitless", lang: "ko" }, [h.editor.recipient]),
    );
    // The flood is under way before the browser starts, and goes on while it solves and submits.
    await Promise.race([underWay, Promise.all(attackers)]);
    const floodedBefore = flooded;
    const receipt = await page.evaluate(async (envelope) => {
      const pow = (globalThis as unknown as { proofOfWorkHeaders: (o: string, m: string, p: string, b: Uint8Array) => Promise<Record<string, string>> }).proofOfWorkHeaders;
      const body = new TextEncoder().encode(JSON.stringify({ desk: "news", envelope, attachments: [] }));
      const res = await fetch("/api/submissions", { method: "POST", headers: { ...(await pow("", "POST", "/api/submissions", body)), "content-type": "application/json" }, body });
      return { status: res.status, body: (await res.json()) as { id: string } };
    }, envelope);
    stop = true;
    await Promise.all(attackers);
    await context.close();
    expect(flooded).toBeGreaterThan(floodedBefore);
    expect(receipt.status).toBe(201);
    const env = await editorFetch(h, h.editor, "GET", `/api/editor/submissions/${receipt.body.id}/envelope`);
    expect((await openEnvelope(new Uint8Array(await env.arrayBuffer()), [h.editor.identity])).message).toBe("solved without a JIT");
  });
});
