// Acceptance (issue 14): an expired upload's bytes are gone within one sweep interval of a running server.
// The operator's settings are short here (SEALDROP_UPLOAD_EXPIRY_DAYS=1, a sweep every 300 ms) and the
// server's clock is moved. The test waits for the data folder to lose the file (polled, with a deadline),
// and checks, at the end of every sweep, that the first sweep to start after the expiry removed it.
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterEach, expect, it } from "vitest";
import { SQLITE_FILE } from "../../src/server/node/database.js";
import { type RunningServer, startNodeServer } from "../../src/server/node/serve.js";
import { uploadQuotasFromEnv } from "../../src/server/upload-quotas.js";

const DAY_MS = 86_400_000;
const ageLike = (n: number): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(n);
  out.set(new TextEncoder().encode("age-encryption.org/v1\n"));
  return out;
};

async function until(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let server: RunningServer | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  server = undefined;
  dataDir = undefined;
});

it("removes an expired upload's bytes within one sweep interval of a running server", async () => {
  dataDir = await mkdtemp(join(tmpdir(), "sealdrop-sweep-"));
  let clock = Date.UTC(2026, 0, 10, 12);
  /** For each finished sweep: whether it started after the upload expired, and whether the file was there after it. */
  const sweeps: { startedAfterExpiry: boolean; filePresent: boolean }[] = [];
  let expiredAt = Infinity;
  let file = "";
  let sweepStarted = 0;
  server = await startNodeServer({
    dataDir,
    port: 0,
    host: "127.0.0.1",
    pow: false,
    uploads: uploadQuotasFromEnv({ SEALDROP_UPLOAD_EXPIRY_DAYS: "1" }),
    now: () => {
      // The sweep reads the clock once, as it starts; note when that was.
      sweepStarted = Date.now();
      return new Date(clock);
    },
    maintenanceMinutes: 0.005,
    onMaintenance: () => {
      if (file) sweeps.push({ startedAfterExpiry: sweepStarted > expiredAt, filePresent: existsSync(file) });
    },
  });

  const created = await fetch(`${server.url}/api/uploads`, { method: "POST", headers: { "content-type": "application/json", connection: "close" }, body: "{}" });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const part = await fetch(`${server.url}/api/uploads/${id}/parts/0`, { method: "PUT", headers: { "content-type": "application/octet-stream", connection: "close" }, body: ageLike(64 * 1024) });
  expect(part.status).toBe(200);
  file = join(dataDir, "blobs", "uploads", id);
  expect(existsSync(file)).toBe(true);

  // A day later it is still within its day of grace: sweeps leave it.
  clock += DAY_MS;
  const before = sweeps.length;
  await until("two sweeps", () => sweeps.length >= before + 2);
  expect(existsSync(file)).toBe(true);

  // The next day it has expired.
  clock += DAY_MS;
  expiredAt = Date.now();
  await until("the expired upload's file leaves the data folder, and a sweep that started after the expiry reports", () => !existsSync(file) && sweeps.some((s) => s.startedAfterExpiry));
  expect(readdirSync(join(dataDir, "blobs", "uploads"))).toEqual([]);
  // Every sweep that started after the expiry found the file already gone at its end: the first one removed it.
  const after = sweeps.filter((s) => s.startedAfterExpiry);
  expect(after.length).toBeGreaterThan(0);
  expect(after.filter((s) => s.filePresent)).toEqual([]);

  const db = new SQLite(join(dataDir, SQLITE_FILE), { readonly: true });
  try {
    expect(db.prepare("SELECT count(*) AS n FROM uploads").get()).toEqual({ n: 0 });
  } finally {
    db.close();
  }
});
