// The Workers entry has a lifecycle (src/server/workers/index.ts): one app per isolate, so the request
// budgets hold across requests, and a cron `scheduled` handler that runs the maintenance job. Both in real
// workerd with local D1 and R2.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomId } from "../../src/core/bytes.js";
import { type BundledWorker, type RunningWorker, startBundledWorker, startWorker } from "../helpers/backends.js";
import { powFetch } from "../helpers/pow.js";

const DAY_MS = 86_400_000;
const json = { "content-type": "application/json" };
const ageLike = (n: number) => new Uint8Array([...new TextEncoder().encode("age-encryption.org/v1\n"), ...new Uint8Array(n)]);

/**
 * The budget counts in fixed one-minute windows aligned to the clock. Two requests straddling a window's
 * end would each get a fresh budget, so start them early in a window: this waits for a clock position,
 * not for something to happen.
 */
async function earlyInAMinute(): Promise<void> {
  const intoWindow = Date.now() % 60_000;
  if (intoWindow > 30_000) await new Promise((r) => setTimeout(r, 60_000 - intoWindow + 50));
}

describe("on workerd, one app per isolate", () => {
  let worker: RunningWorker;
  beforeAll(async () => {
    worker = await startWorker({ setupToken: `setup-${randomId()}`, vars: { SEALDROP_ANONYMOUS_WRITES_PER_MINUTE: "1" } });
  });
  afterAll(() => worker?.dispose());

  it("keeps a budget of one anonymous write across requests: 201, then 429", async () => {
    await earlyInAMinute();
    const first = await powFetch(`${worker.url}/api/uploads`, { method: "POST", headers: json, body: "{}" });
    const second = await powFetch(`${worker.url}/api/uploads`, { method: "POST", headers: json, body: "{}" });
    expect(first.status).toBe(201);
    expect(second.status).toBe(429);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
    expect(Number(second.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("on workerd, the scheduled handler", () => {
  let worker: BundledWorker;
  beforeAll(async () => {
    worker = await startBundledWorker({ SEALDROP_HTTPS: "false" });
  });
  afterAll(() => worker?.dispose());

  /** Fires the cron trigger as if it were due at `time`: the time the handler judges expiry by. */
  const runScheduled = async (time: number) => (await worker.mf.getWorker()).scheduled({ scheduledTime: new Date(time), cron: "17 * * * *" });
  const uploadRows = async (id: string) => (await (await worker.mf.getD1Database("DB")).prepare("SELECT id FROM uploads WHERE id = ?").bind(id).all()).results;
  const uploadObjects = async (id: string) => (await (await worker.mf.getR2Bucket("BLOBS")).list({ prefix: `uploads/${id}/` })).objects.map((o) => o.key);

  it("keeps an upload until it has expired, then removes its row and its R2 objects", async () => {
    const created = await powFetch(`${worker.url}/api/uploads`, { method: "POST", headers: json, body: "{}" });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    for (const part of [0, 1]) {
      const res = await powFetch(`${worker.url}/api/uploads/${id}/parts/${part}`, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: ageLike(100) });
      expect(res.status).toBe(200);
    }
    expect(await uploadRows(id)).toHaveLength(1);
    expect(await uploadObjects(id)).toHaveLength(2);

    // A run now finds nothing expired.
    expect((await runScheduled(Date.now())).outcome).toBe("ok");
    expect(await uploadRows(id)).toHaveLength(1);
    expect(await uploadObjects(id)).toHaveLength(2);

    // Three days on, past the two days an unfinished upload lives.
    expect((await runScheduled(Date.now() + 3 * DAY_MS)).outcome).toBe("ok");
    expect(await uploadRows(id)).toEqual([]);
    expect(await uploadObjects(id)).toEqual([]);
  });
});
