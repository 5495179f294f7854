// Acceptance (issue 14): a part that fails because the disk is full leaves no bytes, the source is told to
// try again later with nothing lost (507 storage_full), the operator gets one log line with the error code
// and nothing about the source, and once space is back the next tip succeeds.
//
// A real full filesystem: the server runs in its own user and mount namespace (`unshare -rm`, no root
// needed where unprivileged user namespaces are allowed, as on Debian) whose blob directory is a 4 MiB
// tmpfs, most of it taken by a filler file. The test sees that namespace's files through
// /proc/<pid>/root and frees the space by deleting the filler.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, rmSync, statfsSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { sql } from "kysely";
import { afterEach, expect, it, vi } from "vitest";
import { toBase64 } from "../../src/core/bytes.js";
import { createApp } from "../../src/server/app.js";
import { openNodeDatabase } from "../../src/server/node/database.js";
import { createNodeDeps } from "../../src/server/node/serve.js";
import { seedNewsroom } from "../helpers/newsroom.js";

const SCRIPT = fileURLToPath(new URL("./enospc-server.ts", import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const KIB = 1024;
const MIB = 1024 * KIB;

const ageLike = (n: number): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536));
  out.set(new TextEncoder().encode("age-encryption.org/v1\n"));
  return out;
};

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let child: ChildProcess | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child!.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  child = undefined;
  dataDir = undefined;
});

it("a part that hits a full disk leaves no bytes, answers 507 storage_full, logs one line; the next tip succeeds once space is back", async () => {
  dataDir = await mkdtemp(join(tmpdir(), "sealdrop-enospc-"));
  await mkdir(join(dataDir, "blobs"));
  const db = await openNodeDatabase(dataDir);
  await seedNewsroom(db).finally(() => db.destroy());

  // The database stays on the real disk; the blob directory becomes 4 MiB, 2.5 MiB of it taken.
  const setup = 'mount -t tmpfs -o size=4m,mode=0700 sealdrop-enospc "$0/blobs" && head -c 2621440 /dev/zero > "$0/blobs/filler" && exec "$@"';
  child = spawn("unshare", ["-rm", "sh", "-c", setup, dataDir, process.execPath, "--import", TSX_LOADER, SCRIPT, dataDir], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const url = await until("the server in its namespace says it listens", () => {
    if (child!.exitCode !== null) throw new Error(`server exited (${child!.exitCode}): ${stderr}`);
    return /listening (http:\/\/\S+)/.exec(stdout)?.[1];
  });
  // unshare execs sh, which execs node: one pid, whose root shows the namespace's mounts.
  const blobs = `/proc/${child.pid}/root${dataDir}/blobs`;
  const free = () => statfsSync(blobs).bavail * statfsSync(blobs).bsize;
  expect(statfsSync(blobs).blocks * statfsSync(blobs).bsize).toBe(4 * MIB);

  const post = (path: string, json: unknown) => fetch(url + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(json) });
  const put = (id: string, part: number, body: Uint8Array<ArrayBuffer>) =>
    fetch(`${url}/api/uploads/${id}/parts/${part}`, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body });
  const newUpload = async () => {
    const res = await post("/api/uploads", {});
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };

  const id = await newUpload();
  const first = ageLike(100 * KIB);
  const second = ageLike(2 * MIB); // more than the ~1.4 MiB left
  expect((await put(id, 0, first)).status).toBe(200);
  const freeBefore = free();

  const refused = await put(id, 1, second);
  expect(refused.status).toBe(507);
  expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
  const body = (await refused.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe("storage_full");
  expect(body.error.message).toMatch(/nothing was lost/i);
  expect(body.error.message).toMatch(/try again later/i);

  // No partial bytes: the upload's file is exactly the acknowledged part, the space is free again, no temp file.
  expect(statSync(join(blobs, "uploads", id)).size).toBe(first.length);
  expect(free()).toBe(freeBefore);
  expect(readdirSync(join(blobs, "tmp"))).toEqual([]);
  const status = (await (await fetch(`${url}/api/uploads/${id}`)).json()) as { parts: number; bytes: number };
  expect(status).toMatchObject({ parts: 1, bytes: first.length });

  // A first part that fails leaves not even an empty file.
  const other = await newUpload();
  expect((await put(other, 0, ageLike(2 * MIB))).status).toBe(507);
  expect(existsSync(join(blobs, "uploads", other))).toBe(false);
  expect(free()).toBe(freeBefore);

  // One operator line with the code, nothing about the source (no upload id), no generic "internal error".
  const lines = await until("the operator's log line", () => {
    const found = stderr.split("\n").filter((l) => /storage full/.test(l));
    return found.length > 0 ? found : undefined;
  });
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^sealdrop: storage full \(ENOSPC\)/);
  expect(stderr).not.toContain(id);
  expect(stderr).not.toContain(other);
  expect(stderr).not.toMatch(/internal error/);

  // Space is back: the same part goes through and the tip is received whole.
  rmSync(join(blobs, "filler"));
  expect((await put(id, 1, second)).status).toBe(200);
  const envelope = toBase64(ageLike(2 * KIB));
  const receipt = await post("/api/submissions", { desk: "news", envelope, attachments: [id] });
  expect(receipt.status).toBe(201);
  expect(statSync(join(blobs, "attachments", id)).size).toBe(first.length + second.length);
});

it("a database that is full (SQLITE_FULL) answers 507 storage_full, keeps nothing, and takes the tip once it has room", async () => {
  dataDir = await mkdtemp(join(tmpdir(), "sealdrop-sqlite-full-"));
  const seed = await openNodeDatabase(dataDir);
  await seedNewsroom(seed).finally(() => seed.destroy());
  const deps = await createNodeDeps(dataDir, { pow: false, rateLimits: false });
  const app = createApp(deps);
  const logged: string[] = [];
  const errorLog = vi.spyOn(console, "error").mockImplementation((line: unknown) => void logged.push(String(line)));
  try {
    const tip = () =>
      app.request("/api/submissions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ desk: "news", envelope: toBase64(ageLike(4 * KIB)), attachments: [] }) });
    const count = async () => Number((await sql<{ n: number }>`SELECT count(*) AS n FROM submissions`.execute(deps.db)).rows[0]!.n);
    // SQLite's own limit on the database's size: no page more than it holds now (and none of them free).
    await sql`VACUUM`.execute(deps.db);
    const pages = Number((await sql<{ page_count: number }>`PRAGMA page_count`.execute(deps.db)).rows[0]!.page_count);
    await sql.raw(`PRAGMA max_page_count = ${pages}`).execute(deps.db);

    const refused = await tip();
    expect(refused.status).toBe(507);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("storage_full");
    expect(await count()).toBe(0);
    expect(logged.filter((l) => /storage full/.test(l))).toEqual([expect.stringMatching(/^sealdrop: storage full \(SQLITE_FULL\)/)]);
    expect(logged.filter((l) => /internal error/.test(l))).toEqual([]);

    await sql.raw(`PRAGMA max_page_count = ${pages + 10_000}`).execute(deps.db);
    expect((await tip()).status).toBe(201);
    expect(await count()).toBe(1);
  } finally {
    errorLog.mockRestore();
    await deps.db.destroy();
  }
});
