// Budgets across isolates (docs/SCALING.md, "Budgets across nodes"): two workers, each its own isolate with
// its own app, run the bundle `wrangler deploy` builds in one workerd (Miniflare), on one D1 and one R2, and
// both reach the BUDGETS Durable Object that the first defines (src/server/workers/budgets-object.ts). A
// flood split over the two is limited as if it hit one, a mailbox fetch's proof of work spent through one is
// refused by the other, and the difficulty both hand out follows the challenges of both; the form without
// JavaScript's budget and its mailbox openings' spent questions hold across both too. Counted per isolate
// (the code before the Durable Object), each of these fails: twice the budget, the replay accepted, the
// base difficulty, the question accepted again, no post refused.
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wordlist as english } from "@scure/bip39/wordlists/english.js";
import { codenameToPhrase, newCodenameEntropy } from "../../src/core/codename.js";
import { deriveSourceKeys } from "../../src/core/derive.js";
import { POW_PATH, proofOfWorkHeaders } from "../../src/core/pow.js";
import { en } from "../../src/i18n/en.js";
import { DEFAULT_POW } from "../../src/server/middleware/pow.js";
import { DEFAULT_NOJS } from "../../src/server/routes/nojs.js";
import { bundleWorker } from "../helpers/backends.js";
import { answerOf, inputValue, textOf } from "../helpers/nojs.js";
import { setUpNewsroomOver } from "../helpers/newsroom.js";
import { freshFetch } from "../helpers/http.js";
import { fetchChallenge, powFetch } from "../helpers/pow.js";

const WRITES_PER_MINUTE = 5;
const json = { "content-type": "application/json" };
const form = { "content-type": "application/x-www-form-urlencoded" };
const SETUP_TOKEN = "setup-budgets-object-test";

let dir: string;
let mf: Miniflare;
let urls: [string, string];
/** A worker whose BUDGETS object fails every call. */
let unreachable: string;

beforeAll(async () => {
  const { Miniflare } = await import("miniflare");
  const bundle = await bundleWorker("sealdrop-budgets-object-");
  dir = bundle.dir;
  // A built page as small as the form without JavaScript needs: a <noscript> for the form.
  await mkdir(join(dir, "client"));
  await writeFile(join(dir, "client", "index.html"), '<!doctype html><html lang="en"><head></head><body><noscript>Turn JavaScript on.</noscript></body></html>');
  // Both isolates exactly as wrangler.toml binds a deployed worker: the same D1, R2 and variables.
  const worker = (name: string, budgets: { className: string; scriptName?: string; useSQLite?: boolean }) => ({
    name,
    modules: [{ type: "ESModule" as const, path: "index.js", contents: bundle.contents }],
    compatibilityDate: bundle.compatibilityDate,
    d1Databases: { DB: bundle.databaseId },
    r2Buckets: { BLOBS: "sealdrop-blobs" },
    durableObjects: { BUDGETS: budgets },
    assets: { directory: join(dir, "client"), binding: "ASSETS", routerConfig: { invoke_user_worker_ahead_of_assets: true, has_user_worker: true } },
    bindings: { SEALDROP_HTTPS: "false", SEALDROP_SETUP_TOKEN: SETUP_TOKEN, SEALDROP_ANONYMOUS_WRITES_PER_MINUTE: String(WRITES_PER_MINUTE) },
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
  });
  const className = bundle.budgetsClass;
  mf = new Miniflare({
    d1Persist: bundle.d1Persist,
    r2Persist: bundle.r2Persist,
    // The first worker defines the object (as wrangler.toml's migration does), the second binds the first's.
    // A third isolate binds an object that fails every call: what a Durable Object that cannot be reached is.
    workers: [
      worker("a", { className, useSQLite: true }),
      worker("b", { className, scriptName: "a" }),
      worker("c", { className, scriptName: "down" }),
      {
        name: "down",
        modules: [{ type: "ESModule", path: "down.js", contents: `export class ${className} { fetch() { throw new Error("down"); } }\nexport default { fetch: () => new Response(null, { status: 404 }) };` }],
        compatibilityDate: bundle.compatibilityDate,
        durableObjects: { DOWN: { className, useSQLite: true } },
      },
    ],
  });
  await mf.ready;
  const url = async (name: string) => (await mf.unsafeGetDirectURL(name)).toString().replace(/\/$/, "");
  urls = [await url("a"), await url("b")];
  unreachable = await url("c");
  // The form without JavaScript answers only once the newsroom exists (both isolates share its D1).
  await setUpNewsroomOver(urls[0], SETUP_TOKEN);
});

afterAll(async () => {
  await mf?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * The budget counts in fixed one-minute windows aligned to the clock. A flood straddling a window's end
 * would get a fresh budget halfway, so start it early in a window: this waits for a clock position, not
 * for something to happen.
 */
async function earlyInAMinute(): Promise<void> {
  const intoWindow = Date.now() % 60_000;
  if (intoWindow > 30_000) await new Promise((r) => setTimeout(r, 60_000 - intoWindow + 50));
}

describe("two isolates sharing the BUDGETS Durable Object", () => {
  it("refuse through one isolate a mailbox fetch's proof of work spent through the other", async () => {
    const [a, b] = urls;
    const keys = await deriveSourceKeys(newCodenameEntropy(), "pq");
    const body = JSON.stringify({ id: keys.mailboxId, credential: keys.mailboxCredential });
    const headers = { ...json, ...(await proofOfWorkHeaders(a, "POST", "/api/mailbox", new TextEncoder().encode(body), { fetch: freshFetch })) };
    const first = await freshFetch(`${a}/api/mailbox`, { method: "POST", headers, body });
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    const replayed = await freshFetch(`${b}/api/mailbox`, { method: "POST", headers, body });
    expect(replayed.status).toBe(428);
    expect(((await replayed.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: "proof_of_work_required", message: expect.stringContaining("already used") });
  });

  it("admit a flood of anonymous writes split over both as one box would: the budget once, not twice", async () => {
    await earlyInAMinute();
    const statuses: number[] = [];
    for (let i = 0; i < 4 * WRITES_PER_MINUTE; i++) {
      const res = await powFetch(`${urls[i % 2]}/api/uploads`, { method: "POST", headers: json, body: "{}" });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
        expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      } else await res.arrayBuffer();
    }
    expect(statuses.filter((s) => s === 201)).toHaveLength(WRITES_PER_MINUTE);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3 * WRITES_PER_MINUTE);
    // Both isolates admitted some and refused some: one count, whichever isolate a request reaches.
    for (const parity of [0, 1]) {
      const mine = statuses.filter((_, i) => i % 2 === parity);
      expect(mine).toContain(201);
      expect(mine).toContain(429);
    }
  });

  it("hand out the difficulty that the challenges of both isolates together set", async () => {
    // Challenges issued in the last minute, over both isolates, past the normal rate but not past twice
    // it: one bit over the base on each isolate. Counted per isolate (about half each) it would be none.
    const target = Math.floor(DEFAULT_POW.normalChallengesPerMinute * 1.5);
    for (let i = 0; i < target; i++) {
      const res = await freshFetch(`${urls[i % 2]}${POW_PATH}`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    for (const url of urls) expect((await fetchChallenge(url)).bits).toBe(DEFAULT_POW.baseBits + 1);
  });

  it("refuse every anonymous request with 503 unavailable, and store nothing, while the object does not answer", async () => {
    const uploads = async () => (await (await mf.getD1Database("DB", "a")).prepare("SELECT count(*) AS n FROM uploads").all<{ n: number }>()).results[0]!.n;
    const before = await uploads();
    const challenge = await freshFetch(`${unreachable}${POW_PATH}`);
    expect(challenge.status).toBe(503);
    expect(challenge.headers.get("retry-after")).toBeTruthy();
    expect(((await challenge.json()) as { error: { code: string } }).error.code).toBe("unavailable");
    // A proof of work solved at a working isolate (the challenge key is the deployment's, in D1) is not let through uncounted.
    const body = new TextEncoder().encode("{}");
    const headers = { ...json, ...(await proofOfWorkHeaders(urls[0], "POST", "/api/uploads", body, { fetch: freshFetch })) };
    const write = await freshFetch(`${unreachable}/api/uploads`, { method: "POST", headers, body });
    expect(write.status).toBe(503);
    expect(((await write.json()) as { error: { code: string } }).error.code).toBe("unavailable");
    expect(await uploads()).toBe(before);
    // The same solution is still good where the object answers: the refusal spent nothing.
    // (201, or 429 once the flood above used up this window's budget; never 428 "already used").
    expect([201, 429]).toContain((await freshFetch(`${urls[1]}/api/uploads`, { method: "POST", headers, body })).status);
  });

  /** The mailbox form at /replies: its check question's token and answer. */
  const question = async (url: string) => {
    const res = await freshFetch(`${url}/replies?lang=en`);
    expect(res.status).toBe(200);
    const html = await res.text();
    return { challenge: inputValue(html, "challenge"), answer: String(answerOf(en, textOf(html, "label", 'for="answer"'))) };
  };

  it("refuse through one isolate the check question a mailbox opening spent through the other (the form without JavaScript)", async () => {
    const [a, b] = urls;
    const fields = new URLSearchParams({ lang: "en", ...(await question(a)), codename: codenameToPhrase(newCodenameEntropy(), english) });
    const opened = await freshFetch(`${a}/replies`, { method: "POST", headers: form, body: fields.toString() });
    expect(opened.status).toBe(200);
    await opened.arrayBuffer();
    // Spent, so the other isolate judges it as one seen before: the form again, asking for a new answer.
    const replayed = await freshFetch(`${b}/replies`, { method: "POST", headers: form, body: fields.toString() });
    expect(replayed.status).toBe(403);
    await replayed.arrayBuffer();
  });

  it("count the form's posts over both isolates in one budget", async () => {
    await earlyInAMinute();
    // Posts that are refused after the budget (no form body) still count: the budget comes first. The
    // opening above counted one in this minute, or in the last one.
    const statuses: number[] = [];
    for (let i = 0; i < DEFAULT_NOJS.postsPerMinute + 2; i++) {
      const res = await freshFetch(`${urls[i % 2]}/replies`, { method: "POST", headers: { "content-type": "text/plain" }, body: "x" });
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    // Counted per isolate, each would see 31 of its 60 and none would be refused.
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
    expect(statuses.filter((s) => s === 415).length).toBeLessThanOrEqual(DEFAULT_NOJS.postsPerMinute);
    for (const parity of [0, 1]) expect(statuses.filter((s, i) => i % 2 === parity && s === 415).length).toBeGreaterThan(0);
  });
});
