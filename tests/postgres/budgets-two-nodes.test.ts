// Budgets across nodes (docs/SCALING.md, "Budgets across nodes"): two `sealdrop serve` processes on one
// PostgreSQL count anonymous writes in its tables (src/server/postgres/pg-budgets.ts), so a flood split over
// the two is limited as if it hit one, the difficulty both hand out follows the writes of both, and a
// proof of work spent on one node is refused by the other. Both servers' clocks are frozen at one instant,
// so every request falls in one budget window however slow the machine is.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proofOfWorkHeaders } from "../../src/core/pow.js";
import { acquireCluster, type PostgresCluster, releaseCluster } from "../helpers/backends.js";
import { freshFetch } from "../helpers/http.js";
import { fetchChallenge, powFetch } from "../helpers/pow.js";
import { type ServerProcess, spawnServer } from "../helpers/process.js";

const UPLOADS_PER_MINUTE = 10;
const NORMAL_WRITES_PER_MINUTE = 2;
const BASE_BITS = 8;
const CLOCK = "2026-06-01T12:00:20.000Z";

let cluster: PostgresCluster;
let database: string;
let dataDir: string;
let nodes: ServerProcess[] = [];

beforeAll(async () => {
  cluster = await acquireCluster();
  database = await cluster.createDatabase();
  dataDir = await mkdtemp(join(tmpdir(), "sealdrop-two-nodes-"));
  const serverOptions = {
    database: cluster.urlFor(database),
    rateLimits: { uploadWritesPerMinute: UPLOADS_PER_MINUTE },
    pow: { baseBits: BASE_BITS, normalWritesPerMinute: NORMAL_WRITES_PER_MINUTE },
    clock: CLOCK,
  };
  // One after the other: the second finds the database migrated (the runner's lock is tested elsewhere).
  for (const name of ["a", "b"]) nodes.push(await spawnServer(join(dataDir, name), { serverOptions }));
});

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.kill("SIGTERM")));
  if (database) await cluster.dropDatabase(database);
  await releaseCluster();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const createUpload = (url: string) => powFetch(`${url}/api/uploads`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });

describe("two nodes on one PostgreSQL", () => {
  it("refuse on node B a proof of work node A accepted", async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const body = new TextEncoder().encode("{}");
    const headers = { "content-type": "application/json", ...(await proofOfWorkHeaders(a.url, "POST", "/api/uploads", body, { fetch: freshFetch })) };
    expect((await freshFetch(`${a.url}/api/uploads`, { method: "POST", headers, body })).status).toBe(201);
    const replayed = await freshFetch(`${b.url}/api/uploads`, { method: "POST", headers, body });
    expect(replayed.status).toBe(428);
    expect(((await replayed.json()) as { error: { message: string } }).error.message).toContain("already used");
  });

  it("admit a flood split over both as one node would: the budget once, not twice", async () => {
    const statuses: number[] = [];
    // The first test spent one upload write of this window already.
    for (let i = 0; i < 2 * UPLOADS_PER_MINUTE; i++) {
      const res = await createUpload(nodes[i % 2]!.url);
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      await res.arrayBuffer();
    }
    expect(statuses.filter((s) => s === 201)).toHaveLength(UPLOADS_PER_MINUTE - 1);
    expect(statuses.filter((s) => s === 429)).toHaveLength(UPLOADS_PER_MINUTE + 1);
    // Both nodes admitted some and refused some: the count is one, whichever node a request reaches.
    for (const parity of [0, 1]) {
      const mine = statuses.filter((_, i) => i % 2 === parity);
      expect(mine).toContain(201);
      expect(mine).toContain(429);
    }
  });

  it("hand out the difficulty that the writes of both nodes together set", async () => {
    // Ten valid writes in this minute against a normal two: ceil(log2(10 / 2)) = 3 bits over the base on
    // each node. Counted per node (five each), it would be two.
    const expected = BASE_BITS + Math.ceil(Math.log2(UPLOADS_PER_MINUTE / NORMAL_WRITES_PER_MINUTE));
    for (const node of nodes) expect((await fetchChallenge(node.url)).bits).toBe(expected);
  });
});
