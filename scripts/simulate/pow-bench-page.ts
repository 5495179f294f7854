// Bundled into a page by scripts/simulate/pow-bench.ts: measures proof-of-work hashing in the browser.
import { sha256 } from "@noble/hashes/sha2.js";
import { leadingZeroBits, powBinding, solvePow } from "../../src/core/pow.js";

async function bench(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const binding = await powBinding("POST", "/api/submissions", new Uint8Array(100));
  const token = "v1.AAAAAAAAAAAAAAAAAAAAAA.12.1999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  // noble with a cloned midstate: hashes/second, measured by a solve at 30 bits for ~1.5 s.
  const ctl = new AbortController();
  const t0 = performance.now();
  let tries = 0;
  const base = sha256.create().update(new Uint8Array(64));
  let scratch = base.clone();
  const nonce = new Uint8Array(8);
  const dv = new DataView(nonce.buffer);
  while (performance.now() - t0 < 1500) {
    for (let i = 0; i < 256; i++) {
      dv.setUint32(4, tries++);
      scratch = base._cloneInto(scratch);
      leadingZeroBits(scratch.update(nonce).digest());
    }
  }
  out.nobleMidstatePerSec = tries / ((performance.now() - t0) / 1000);
  // crypto.subtle.digest of the 72-byte input, sequential awaits.
  if (globalThis.crypto?.subtle) {
    const input = new Uint8Array(72);
    const idv = new DataView(input.buffer);
    let n = 0;
    const t1 = performance.now();
    while (performance.now() - t1 < 1500) {
      idv.setUint32(68, n++);
      leadingZeroBits(new Uint8Array(await crypto.subtle.digest("SHA-256", input)));
    }
    out.subtleSequentialPerSec = n / ((performance.now() - t1) / 1000);
    // Batches of 64 in parallel.
    let m = 0;
    const t2 = performance.now();
    while (performance.now() - t2 < 1500) {
      const batch = [];
      for (let i = 0; i < 64; i++) {
        const x = input.slice();
        new DataView(x.buffer).setUint32(68, m++);
        batch.push(crypto.subtle.digest("SHA-256", x));
      }
      for (const d of await Promise.all(batch)) leadingZeroBits(new Uint8Array(d));
    }
    out.subtleBatch64PerSec = m / ((performance.now() - t2) / 1000);
    const big = new Uint8Array(8 << 20);
    const t3 = performance.now();
    await crypto.subtle.digest("SHA-256", big);
    out.subtle8MiBms = performance.now() - t3;
  }
  const big = new Uint8Array(1 << 20);
  const t4 = performance.now();
  sha256(big);
  out.noble1MiBms = performance.now() - t4;
  // Real solves at a few difficulties: mean of several.
  for (const engine of ["auto", "noble", "subtle"] as const) {
    for (const bits of [10, 12, 14]) {
      if (engine === "noble" && bits > 12) continue;
      const runs = 24;
      const t = performance.now();
      for (let r = 0; r < runs; r++) await solvePow(token + r, bits, binding, { signal: ctl.signal, engine });
      out[`${engine}${bits}ms`] = (performance.now() - t) / runs;
    }
  }
  const b8 = new Uint8Array(8 << 20);
  const t5 = performance.now();
  await powBinding("PUT", "/api/uploads/x/parts/0", b8);
  out.binding8MiBms = performance.now() - t5;
  return out;
}
(globalThis as unknown as { powBench: typeof bench }).powBench = bench;
