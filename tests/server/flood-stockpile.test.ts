// Issue 14, "A flood cannot starve real sources" (docs/SECURITY.md): the stockpile scenario scaled down.
// One client mints challenges as fast as it can, solves every one, and spends them all at once on
// submissions, mailbox polls and never-finished uploads, then keeps replaying; meanwhile a real source
// sends its first submissions with the page's retry policy. Every real submission lands; most of the
// stockpile is refused as below the difficulty in force; the mailbox and upload floods run into their own
// budgets, not the submissions'.
//
// Node-specific on purpose, whatever SEALDROP_TEST_BACKEND says: it needs a server whose difficulty and
// budgets it scales down (the harness in tests/security), over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes, randomId, toBase64 } from "../../src/core/bytes.js";
import { POW_HEADER, powHeaderFor } from "../../src/core/pow.js";
import { fetchChallenge, powFetchAsThePage } from "../helpers/pow.js";
import { editorFetch } from "../helpers/server.js";
import { submitTip } from "../helpers/source.js";
import { DEFAULT_POW } from "../../src/server/middleware/pow.js";
import { DEFAULT_RATE_LIMITS } from "../../src/server/middleware/rate-limit.js";
import { errorCode, json, startHarness, type Harness } from "../security/harness.js";

const enc = (s: string) => new TextEncoder().encode(s);

// Scaled: the 1,400 tokens against a 1,200-per-minute budget becomes 240 tokens against budgets
// of 100 submissions and 10 mailbox fetches and 10 upload writes per minute, at a base of 8 bits.
// FLOOD_AT_DEFAULTS=1 runs the issue's own figures instead: 1,400 tokens, the default difficulty and
// budgets, 9 real submissions (docs/SECURITY.md records what it printed).
const AT_DEFAULTS = process.env.FLOOD_AT_DEFAULTS === "1";
const SCALE = AT_DEFAULTS
  ? { pow: { ...DEFAULT_POW }, rateLimits: { ...DEFAULT_RATE_LIMITS } }
  : {
      pow: { ...DEFAULT_POW, baseBits: 8, maxBits: 16, normalWritesPerMinute: 20, normalChallengesPerMinute: 20 },
      rateLimits: { submissionsPerMinute: 100, mailboxFetchesPerMinute: 10, uploadWritesPerMinute: 10, mailboxFetchesPerHour: 60 },
    };
const STOCKPILE = AT_DEFAULTS ? 1400 : 240;
const REAL_SUBMISSIONS = AT_DEFAULTS ? 9 : 5;

type Kind = "submission" | "mailbox" | "upload";

interface Stocked {
  kind: Kind;
  path: string;
  body: string;
  bits: number;
  header: string;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness(SCALE);
});
afterAll(() => h?.dispose());

/** The attacker's bodies: a junk (but well-formed) submission, a poll of a random mailbox, an upload never filled. */
function request(kind: Kind): { path: string; body: string } {
  if (kind === "submission") return { path: "/api/submissions", body: JSON.stringify({ desk: "news", envelope: toBase64(randomBytes(600)), attachments: [] }) };
  if (kind === "mailbox") return { path: "/api/mailbox", body: JSON.stringify({ id: randomId(), credential: "00".repeat(32) }) };
  return { path: "/api/uploads", body: "{}" };
}

describe("a stockpiled-token flood from one client", () => {
  it("does not keep a real source's first submissions from landing, each within the page's retries", { timeout: AT_DEFAULTS ? 600_000 : 120_000 }, async () => {
    // 1. Mint as fast as one client can, then solve every challenge for its request.
    const kinds: Kind[] = ["submission", "submission", "mailbox", "upload"];
    const challenges = [];
    for (let i = 0; i < STOCKPILE; i++) challenges.push(await fetchChallenge(h.url));
    const stock: Stocked[] = [];
    for (const [i, c] of challenges.entries()) {
      const kind = kinds[i % kinds.length]!;
      const { path, body } = request(kind);
      stock.push({ kind, path, body, bits: c.bits, header: await powHeaderFor(c, "POST", path, enc(body)) });
    }
    // Minting in a burst already costs: later challenges carry more bits.
    expect(stock[0]!.bits).toBe(SCALE.pow.baseBits);
    expect(stock.at(-1)!.bits).toBeGreaterThanOrEqual(SCALE.pow.baseBits + 3);

    // 2. Spend the stockpile at once from 8 connections, then keep replaying it until the source is done.
    const outcomes: { kind: Kind; bits: number; status: number; message: string }[] = [];
    let next = 0;
    let done = false;
    let resolveUnderWay!: () => void;
    const underWay = new Promise<void>((r) => (resolveUnderWay = r));
    const attacker = async () => {
      // The whole stockpile is spent, and the replays go on until the source is done.
      while (!done || next < stock.length) {
        // Which request this is, taken before the await: the other connections move `next` on meanwhile.
        const at = next++;
        const s = stock[at % stock.length]!;
        const res = await fetch(h.url + s.path, { method: "POST", headers: { ...json, [POW_HEADER]: s.header }, body: s.body });
        const text = await res.text();
        if (at < stock.length) outcomes.push({ kind: s.kind, bits: s.bits, status: res.status, message: text });
        if (outcomes.length === 40) resolveUnderWay();
        if (next >= stock.length * 3) break; // bounded: the stockpile three times over at most
      }
      resolveUnderWay();
    };
    const attackers = Array.from({ length: 8 }, attacker);

    // 3. The real source starts once the flood is under way and sends first submissions as the page does.
    await underWay;
    const receipts: string[] = [];
    try {
      for (let i = 0; i < REAL_SUBMISSIONS; i++) {
        const receipt = await submitTip(h.url, `real tip ${i} during the flood`, [], "news", { send: powFetchAsThePage });
        receipts.push(receipt.id);
      }
    } finally {
      done = true;
      await Promise.all(attackers);
    }
    expect(receipts).toHaveLength(REAL_SUBMISSIONS);

    // The flood was the stockpile, spent while the source submitted. The minting burst itself keeps the
    // difficulty in force at the top bits minted for a minute, so every token more than a bit below it (all
    // minted before the burst had raised the price) is refused; the rest cost their minter their bits each.
    expect(outcomes).toHaveLength(STOCKPILE);
    const top = stock.at(-1)!.bits;
    const tally = (kind: Kind, status: number) => outcomes.filter((o) => o.kind === kind && o.status === status).length;
    const cheap = outcomes.filter((o) => o.bits < top - SCALE.pow.graceBits);
    const stale = outcomes.filter((o) => o.status === 428 && o.message.includes("in force now")).length;
    expect(cheap.length).toBeGreaterThanOrEqual(STOCKPILE / 4);
    expect(cheap.every((o) => o.status === 428 && o.message.includes("in force now"))).toBe(true);
    expect(stale).toBe(cheap.length);
    // Polls and never-finished uploads ran into their own budgets (at the scaled ones) …
    if (!AT_DEFAULTS) {
      expect(tally("mailbox", 429)).toBeGreaterThan(0);
      expect(tally("upload", 429)).toBeGreaterThan(0);
    }
    // … and the submissions' budget was never used up: what got through was refused by the route (junk).
    expect(tally("submission", 429)).toBe(0);
    expect(tally("submission", 400)).toBeGreaterThan(0);
    console.log(
      `stockpile of ${STOCKPILE} (bits ${stock[0]!.bits}–${stock.at(-1)!.bits}): ${stale} refused as below the difficulty in force; ` +
        `submissions admitted ${tally("submission", 400)}, mailbox ${tally("mailbox", 200)} + ${tally("mailbox", 429)}×429, uploads ${tally("upload", 201)} + ${tally("upload", 429)}×429; ` +
        `${REAL_SUBMISSIONS}/${REAL_SUBMISSIONS} real submissions landed`,
    );

    // Exactly the source's tips are stored.
    const list = (await (await editorFetch(h, h.editor, "GET", "/api/editor/submissions")).json()) as { submissions: { id: string }[] };
    expect(list.submissions.map((s) => s.id).sort()).toEqual([...receipts].sort());
  });
});

describe("GET /api/pow", () => {
  it("is bounded: past the normal rate at the highest difficulty, 429 with Retry-After", async () => {
    // maxBits = baseBits: the budget is the normal rate itself.
    const tight = await startHarness({ pow: { baseBits: 4, maxBits: 4, normalChallengesPerMinute: 5 } });
    try {
      const statuses: number[] = [];
      let refused: Response | undefined;
      for (let i = 0; i < 6 && !refused; i++) {
        const res = await fetch(`${tight.url}/api/pow`);
        statuses.push(res.status);
        if (res.status === 429) refused = res;
        else await res.arrayBuffer();
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      expect(await errorCode(refused!)).toBe("rate_limited");
      expect(Number(refused!.headers.get("retry-after"))).toBeGreaterThan(0);
      tight.advance(70);
      expect((await fetch(`${tight.url}/api/pow`)).status).toBe(200);
    } finally {
      await tight.dispose();
    }
  });

  it("issues short-lived tokens that are refused once the difficulty in force is more than a bit above theirs", async () => {
    const fresh = await startHarness({ pow: { baseBits: 2, maxBits: 10, normalWritesPerMinute: 5, normalChallengesPerMinute: 1000 } });
    try {
      const cheap = await fetchChallenge(fresh.url);
      expect(cheap.expires - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(120);
      const header = await powHeaderFor(cheap, "POST", "/api/uploads", enc("{}"));
      // Twenty valid writes: 20/min over 5/min normal, two bits up.
      for (let i = 0; i < 20; i++) {
        const res = await powFetchAsThePage(`${fresh.url}/api/uploads`, { method: "POST", headers: json, body: "{}" });
        expect(res.status).toBe(201);
      }
      expect((await fetchChallenge(fresh.url)).bits).toBe(4);
      const late = await fetch(`${fresh.url}/api/uploads`, { method: "POST", headers: { ...json, [POW_HEADER]: header }, body: "{}" });
      expect(late.status).toBe(428);
      expect(((await late.json()) as { error: { message: string } }).error.message).toContain("4 are in force now");
    } finally {
      await fresh.dispose();
    }
  });
});
