// Proof of work on anonymous writes: required, bound to the request, single use, adaptive to the rate
// of valid writes only; and the IP-free budgets answer 429 with Retry-After.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCodenameEntropy } from "../../src/core/codename.js";
import { deriveSourceKeys } from "../../src/core/derive.js";
import { openEnvelope } from "../../src/core/envelope.js";
import { toHex } from "../../src/core/bytes.js";
import { checkPowSolution, leadingZeroBits, parsePowHeader, POW_HEADER, powBinding, powDigest, powHeaderFor, solvePow } from "../../src/core/pow.js";
import { createApp } from "../../src/server/app.js";
import { createNodeDeps } from "../../src/server/node/serve.js";
import { fetchChallenge, powFetch } from "../helpers/pow.js";
import { editorFetch } from "../helpers/server.js";
import { submitTip } from "../helpers/source.js";
import { errorCode, json, startHarness, type Harness } from "./harness.js";

const enc = (s: string) => new TextEncoder().encode(s);

/** docs/SECURITY.md, "Wire format": recomputed independently with Python's hashlib. */
const POW_VECTOR = {
  token: "v1.AAECAwQFBgcICQoLDA0ODw.8.1800000000.ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8",
  method: "POST",
  path: "/api/uploads",
  body: "{}",
  bodySha256: "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
  binding: "c7ee5cbedfd1783e617e61ee813af1bb285cf5623a1b71140f51dffaf1c25a1e",
  nonce: "00000000000000a6",
  digest: "00ccfc8f00a31d078326c222012bae1e0d8435ed85352342a5406066eaef5fc1",
};

describe("the proof-of-work format", () => {
  it("matches the test vector", async () => {
    const v = POW_VECTOR;
    const binding = await powBinding(v.method, v.path, enc(v.body));
    expect(toHex(binding)).toBe(v.binding);
    expect(toHex(powDigest(v.token, binding, v.nonce))).toBe(v.digest);
    expect(checkPowSolution(v.token, binding, v.nonce, 8)).toBe(true);
    expect(checkPowSolution(v.token, binding, v.nonce, 9)).toBe(false);
    const header = parsePowHeader(`${v.token}.${v.nonce}.${v.bodySha256}`);
    expect(header?.token).toMatchObject({ bits: 8, expires: 1800000000 });
    expect(toHex(header!.bodySha256)).toBe(v.bodySha256);
    expect(parsePowHeader(`${v.token}.${v.nonce}`)).toBeNull(); // the body hash is part of the header
  });

  it("solves with either engine", async () => {
    const binding = await powBinding("PUT", "/api/uploads/x/parts/0", new Uint8Array(3));
    for (const engine of ["noble", "subtle"] as const) {
      const nonce = await solvePow(POW_VECTOR.token, 10, binding, { engine });
      expect(leadingZeroBits(powDigest(POW_VECTOR.token, binding, nonce))).toBeGreaterThanOrEqual(10);
    }
  });
});

describe("proof of work, at the default difficulty", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.dispose());

  const solved = async (path: string, body: string, method = "POST") =>
    powHeaderFor(await fetchChallenge(h.url), method, path, enc(body));
  const post = (path: string, body: string, pow?: string) =>
    fetch(h.url + path, { method: "POST", headers: { ...json, ...(pow ? { [POW_HEADER]: pow } : {}) }, body });

  it("issues challenges at the base difficulty in normal times", async () => {
    const c = await fetchChallenge(h.url);
    expect(c.bits).toBe(10);
    expect(c.token).toMatch(/^v1\.[A-Za-z0-9_-]{22}\.10\.\d+\.[A-Za-z0-9_-]{43}$/);
  });

  it.each(["/api/uploads", "/api/submissions", "/api/mailbox"])("refuses %s without proof of work, saying what to do", async (path) => {
    const res = await post(path, "{}");
    expect(res.status).toBe(428);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("proof_of_work_required");
    expect(body.error.message).toContain("GET /api/pow");
  });

  it("refuses a part without proof of work", async () => {
    const res = await fetch(`${h.url}/api/uploads/${"a".repeat(32)}/parts/0`, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: new Uint8Array(10) });
    expect(await errorCode(res)).toBe("proof_of_work_required");
  });

  it("accepts a solved request once, and refuses the same solution again", async () => {
    const pow = await solved("/api/uploads", "{}");
    expect((await post("/api/uploads", "{}", pow)).status).toBe(201);
    const again = await post("/api/uploads", "{}", pow);
    expect(again.status).toBe(428);
    expect(((await again.json()) as { error: { message: string } }).error.message).toContain("already used");
  });

  it("binds the solution to path and body", async () => {
    const moved = await post("/api/mailbox", "{}", await solved("/api/uploads", "{}"));
    expect(await errorCode(moved)).toBe("proof_of_work_required");
    const pow = await solved("/api/uploads", "{}");
    const edited = await post("/api/uploads", "{ }", pow);
    expect(await errorCode(edited)).toBe("proof_of_work_required");
    // The token was spent before the body was read (one token, one body read), so even the right body is refused now.
    const after = await post("/api/uploads", "{}", pow);
    expect(((await after.json()) as { error: { message: string } }).error.message).toContain("already used");
    expect((await post("/api/uploads", "{}", await solved("/api/uploads", "{}"))).status).toBe(201);
  });

  it("refuses a challenge with forged difficulty, a wrong nonce, or garbage", async () => {
    const c = await fetchChallenge(h.url);
    const easier = c.token.replace(/\.10\./, ".1.");
    const forged = await powHeaderFor({ token: easier, bits: 1 }, "POST", "/api/uploads", enc("{}"));
    expect(await errorCode(await post("/api/uploads", "{}", forged))).toBe("proof_of_work_required");
    expect(await errorCode(await post("/api/uploads", "{}", `${c.token}.0000000000000000`))).toBe("proof_of_work_required");
    for (const junk of ["", "v1", "x".repeat(500), `${c.token}`, `${c.token}.zz`]) {
      expect(await errorCode(await post("/api/uploads", "{}", junk || " "))).toBe("proof_of_work_required");
    }
  });

  it("refuses an expired challenge", async () => {
    const pow = await solved("/api/uploads", "{}");
    h.advance(601);
    try {
      const res = await post("/api/uploads", "{}", pow);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain("expired");
    } finally {
      h.advance(-601);
    }
  });
});

describe("proof of work across processes", () => {
  it("shares the challenge key and the spent seeds through the database", async () => {
    const a = await startHarness();
    // A second app on the same data directory: another process of one deployment.
    const depsB = await createNodeDeps(a.dataDir);
    const appB = createApp(depsB);
    try {
      const challenge = await fetchChallenge(a.url);
      const pow = await powHeaderFor(challenge, "POST", "/api/uploads", enc("{}"));
      const first = await appB.request("/api/uploads", { method: "POST", headers: { ...json, [POW_HEADER]: pow }, body: "{}" });
      expect(first.status).toBe(201);
      const replay = await fetch(`${a.url}/api/uploads`, { method: "POST", headers: { ...json, [POW_HEADER]: pow }, body: "{}" });
      expect(await errorCode(replay)).toBe("proof_of_work_required");
    } finally {
      await depsB.db.destroy();
      await a.dispose();
    }
  });
});

describe("adaptive difficulty", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ pow: { baseBits: 2, maxBits: 8, normalWritesPerMinute: 10 } });
  });
  afterAll(() => h.dispose());

  it("does not rise under a flood of invalid writes", async () => {
    await Promise.all(Array.from({ length: 200 }, () => fetch(`${h.url}/api/submissions`, { method: "POST", headers: { ...json, [POW_HEADER]: "junk" }, body: "{}" })));
    expect((await fetchChallenge(h.url)).bits).toBe(2);
  });

  it("rises with the rate of valid writes, up to the cap", async () => {
    for (let i = 0; i < 40; i++) expect((await powFetch(`${h.url}/api/uploads`, { method: "POST", headers: json, body: "{}" })).status).toBe(201);
    expect((await fetchChallenge(h.url)).bits).toBe(4); // 40/min over 10/min normal: two doublings
    for (let i = 0; i < 200; i++) await powFetch(`${h.url}/api/uploads`, { method: "POST", headers: json, body: "{}" });
    expect((await fetchChallenge(h.url)).bits).toBe(7);
    h.advance(70);
    expect((await fetchChallenge(h.url)).bits).toBe(2);
  });
});

describe("under a flood of submissions without valid proof of work", () => {
  it("a real source's submission still lands and decrypts", async () => {
    const h = await startHarness({ rateLimits: { anonymousWritesPerMinute: 30 } });
    try {
      let stop = false;
      let flooded = 0;
      // The source starts once the flood is under way (this many refusals), not after a guessed time.
      const FLOOD_BEFORE_SOURCE = 100;
      let floodUnderWay!: () => void;
      const underWay = new Promise<void>((r) => (floodUnderWay = r));
      const attacker = async () => {
        const junk = JSON.stringify({ desk: "news", envelope: "YWdl", attachments: [] });
        const c = await fetchChallenge(h.url);
        while (!stop) {
          const headers = flooded % 2 ? { ...json } : { ...json, [POW_HEADER]: `${c.token}.${"0".repeat(16)}` };
          const res = await fetch(`${h.url}/api/submissions`, { method: "POST", headers, body: junk });
          expect(res.status).toBe(428);
          await res.arrayBuffer();
          if (++flooded === FLOOD_BEFORE_SOURCE) floodUnderWay();
        }
      };
      const attackers = Array.from({ length: 8 }, attacker);
      await Promise.race([underWay, Promise.all(attackers)]);
      const floodedBefore = flooded;
      expect(floodedBefore).toBeGreaterThanOrEqual(FLOOD_BEFORE_SOURCE);
      const receipt = await submitTip(h.url, "the flood did not stop me", [{ name: "m.txt", type: "text/plain", bytes: enc("map") }]);
      stop = true;
      await Promise.all(attackers);
      expect(flooded).toBeGreaterThan(floodedBefore); // the flood went on while the source submitted
      const env = await editorFetch(h, h.editor, "GET", `/api/editor/submissions/${receipt.id}/envelope`);
      expect((await openEnvelope(new Uint8Array(await env.arrayBuffer()), [h.editor.identity])).message).toBe("the flood did not stop me");
    } finally {
      await h.dispose();
    }
  });
});

describe("rate limits without IP addresses", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ pow: { baseBits: 0, maxBits: 0 }, rateLimits: { mailboxFetchesPerHour: 3, anonymousWritesPerMinute: 20 } });
  });
  afterAll(() => h.dispose());
  const fetchMailbox = (id: string, credential: string) => powFetch(`${h.url}/api/mailbox`, { method: "POST", headers: json, body: JSON.stringify({ id, credential }) });

  it("limit fetches per mailbox id, with Retry-After, the same for any id", async () => {
    const keys = await deriveSourceKeys(newCodenameEntropy(), "x25519");
    for (let i = 0; i < 3; i++) expect((await fetchMailbox(keys.mailboxId, keys.mailboxCredential)).status).toBe(200);
    const limited = await fetchMailbox(keys.mailboxId, keys.mailboxCredential);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await errorCode(limited)).toBe("rate_limited");
    // Another mailbox is unaffected.
    const other = await deriveSourceKeys(newCodenameEntropy(), "x25519");
    expect((await fetchMailbox(other.mailboxId, other.mailboxCredential)).status).toBe(200);
  });

  it("limit anonymous writes globally, and recover after the window", async () => {
    let limited: Response | undefined;
    for (let i = 0; i < 30 && !limited; i++) {
      const res = await powFetch(`${h.url}/api/uploads`, { method: "POST", headers: json, body: "{}" });
      if (res.status === 429) limited = res;
      else await res.arrayBuffer();
    }
    expect(limited).toBeDefined();
    expect(await errorCode(limited!)).toBe("rate_limited");
    const wait = Number(limited!.headers.get("retry-after"));
    expect(wait).toBeGreaterThan(0);
    h.advance(wait);
    expect((await powFetch(`${h.url}/api/uploads`, { method: "POST", headers: json, body: "{}" })).status).toBe(201);
  });
});
