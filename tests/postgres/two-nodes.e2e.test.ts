// Scale-out on PostgreSQL (issue 17): two `sealdrop serve` processes on one PostgreSQL database behind a
// round-robin proxy (tests/helpers/round-robin-proxy.ts) share everything through it: rows, blobs and
// the upload locks. The source page in Chromium uploads a ~100 MiB attachment whose parts alternate
// between the nodes; once four parts are acknowledged one node is killed (SIGKILL, by pid), the proxy
// drops it from the rotation, and the upload finishes through the other. The editor reads the file byte
// for byte, and neither node wrote a single file under its data folder. Before that, the same part of
// one upload sent to both nodes at the same instant is accepted exactly once (the advisory lock).
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { acquireCluster, type PostgresCluster, releaseCluster, ROOT } from "../helpers/backends.js";
import { launchChromium, openRecordedPage, sendThroughPage } from "../helpers/browser.js";
import { type RoundRobinProxy, type Served as Answer, startRoundRobinProxy } from "../helpers/round-robin-proxy.js";
import pg from "pg";
import { proofOfWorkHeaders } from "../../src/core/pow.js";
import { freshFetch } from "../helpers/http.js";
import { powFetch } from "../helpers/pow.js";
import { runCli } from "../cli/helpers.js";
import { initRemote, serve, type Served } from "./serve.js";

let cluster: PostgresCluster;
let database: string;
let root: string;
let nodes: Served[] = [];
let proxy: RoundRobinProxy;
let browser: Browser;
const token = `setup-${randomBytes(16).toString("hex")}`;
const dataDir = (i: number) => join(root, `data-${i}`);
const home = () => join(root, "home");

beforeAll(async () => {
  if (!existsSync(join(ROOT, "dist", "client", "index.html"))) throw new Error("no built page in dist/client: run `npx vite build` first");
  cluster = await acquireCluster();
  database = await cluster.createDatabase();
  root = await mkdtemp(join(tmpdir(), "sealdrop-two-nodes-"));
  for (const i of [0, 1]) await mkdir(dataDir(i));
  // Both at once: they migrate the fresh database one after the other (migrate.ts's advisory lock).
  nodes = await Promise.all([0, 1].map((i) => serve(["--database", cluster.urlFor(database), "--data", dataDir(i)], { SEALDROP_SETUP_TOKEN: token })));
  proxy = await startRoundRobinProxy(nodes.map((n) => n.url));
  await initRemote(proxy.url, token, home());
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  for (const n of nodes) await n.stop();
  if (database) await cluster.dropDatabase(database);
  await releaseCluster();
  if (root) await rm(root, { recursive: true, force: true });
});

/** A first part the server takes (it checks only the age header), `size` bytes, marked with `mark`. */
function agePart(size: number): Uint8Array<ArrayBuffer> {
  const head = Buffer.from("age-encryption.org/v1\n-> X25519 test\n");
  return new Uint8Array(Buffer.concat([head, randomBytes(size - head.length)]));
}

it("accepts the same part of one upload exactly once when both nodes get it at the same instant", async () => {
  const client = new pg.Client({ connectionString: cluster.urlFor(database) });
  await client.connect();
  try {
    for (let round = 0; round < 6; round++) {
      const created = await powFetch(`${nodes[round % 2]!.url}/api/uploads`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      // Two different bodies of several chunks each, proofs of work solved first, then sent together.
      const bodies = [agePart(2_500_000 + round), agePart(3_100_000 + round)];
      const path = `/api/uploads/${id}/parts/0`;
      const headers = await Promise.all(bodies.map((b, i) => proofOfWorkHeaders(nodes[i]!.url, "PUT", path, b, { fetch: freshFetch })));
      const answers = await Promise.all(
        bodies.map((body, i) => freshFetch(`${nodes[i]!.url}${path}`, { method: "PUT", headers: { ...headers[i], "content-type": "application/octet-stream" }, body })),
      );
      const statuses = answers.map((a) => a.status);
      expect([...statuses].sort(), `round ${round}`).toEqual([200, 409]);
      const winner = bodies[statuses.indexOf(200)]!;
      const status = (await (await freshFetch(`${nodes[1 - (round % 2)]!.url}/api/uploads/${id}`)).json()) as { parts: number; bytes: number };
      expect(status).toMatchObject({ parts: 1, bytes: winner.length });
      // The stored bytes are the winner's, whole, and nothing of the other.
      const { rows } = await client.query<{ data: Buffer }>("SELECT data FROM blob_chunks WHERE kind = 'uploads' AND id = $1 ORDER BY start", [id]);
      expect(Buffer.concat(rows.map((r) => r.data)).equals(Buffer.from(winner))).toBe(true);
    }
  } finally {
    await client.end();
  }
});

const isPart = (s: Answer) => s.method === "PUT" && /\/api\/uploads\/[0-9a-f]{32}\/parts\/\d+$/.test(s.path);
const partOf = (s: Answer) => Number(s.path.split("/").pop());

it("uploads through two nodes, survives one being killed mid-upload, and the editor reads it byte for byte", async () => {
  const size = 100 * 1024 * 1024 + 4321; // 13 parts of at most 8 MiB
  const path = join(root, "footage.bin");
  const bytes = randomBytes(size);
  await writeFile(path, bytes);
  const expected = createHash("sha256").update(bytes).digest("hex");

  // Node 0 dies, by its pid, once four parts are acknowledged (the page is sending the next meanwhile).
  let killedAfter = -1;
  const killed = proxy.whenServed(4, (s) => isPart(s) && s.status === 200).then(() => {
    killedAfter = proxy.served.length;
    process.kill(nodes[0]!.child.pid!, "SIGKILL");
  });

  const recorded = await openRecordedPage(browser);
  const { page } = recorded;
  let id: string;
  try {
    id = await sendThroughPage(page, proxy.url, "the footage, through two nodes", path, 400_000);
  } finally {
    await recorded.close();
  }
  await killed;
  expect(id).toMatch(/^[0-9a-f]{32}$/);

  // Before the kill, the parts alternated between the nodes; after it, node 1 took every request.
  const before = proxy.served.slice(0, killedAfter).filter((s) => isPart(s) && s.status === 200);
  const first = before[0]!.node;
  expect(before.map((s) => s.node)).toEqual([first, 1 - first, first, 1 - first]);
  const after = proxy.served.slice(killedAfter);
  expect(after.length).toBeGreaterThan(0);
  expect(after.every((s) => s.node === 1)).toBe(true);
  expect(proxy.live()).toEqual([1]);
  expect(nodes[0]!.alive()).toBe(false);
  expect(nodes[1]!.alive()).toBe(true);
  // Parts were acknowledged in order and never twice, the last through the survivor (a part stored by the
  // killed node just before it died is answered 409 by the other, and the page resumes after it).
  const acknowledged = proxy.served.filter((s) => isPart(s) && s.status === 200).map(partOf);
  expect(acknowledged).toEqual([...new Set(acknowledged)].sort((a, b) => a - b));
  expect(acknowledged.length).toBeGreaterThanOrEqual(12);
  expect(acknowledged.at(-1)).toBe(12);
  expect(after.some((s) => s.method === "POST" && s.path === "/api/submissions" && s.status === 201)).toBe(true);

  const pulled = await runCli(["pull", "--server", proxy.url, "--home", home(), "--json"]);
  expect(pulled.code, pulled.stderr).toBe(0);
  const out = join(root, "read");
  const read = await runCli(["read", id, "--out", out, "--home", home(), "--json"]);
  expect(read.code, read.stderr).toBe(0);
  const attachments = (JSON.parse(read.stdout) as { attachments: { size: number; sha256: string; savedAs: string }[] }).attachments;
  expect(attachments).toMatchObject([{ size, sha256: expected }]);
  expect(createHash("sha256").update(await readFile(attachments[0]!.savedAs)).digest("hex")).toBe(expected);

  // Nothing on either node's disk: their data folders are as empty as they were made.
  for (const i of [0, 1]) expect(await readdir(dataDir(i), { recursive: true }), `data folder of node ${i}`).toEqual([]);
}, 600_000);
