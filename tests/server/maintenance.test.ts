// The Node server runs the maintenance job at start and then on a timer (src/server/maintenance.ts): an
// upload that expires while the server runs is swept, row and file, without a restart. The server's clock
// is moved past the upload's expiry; the test waits for the run that reports the sweep, not for a time.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { MaintenanceReport } from "../../src/server/maintenance.js";
import { SQLITE_FILE } from "../../src/server/node/database.js";
import { type RunningServer, startNodeServer } from "../../src/server/node/serve.js";

const DAY_MS = 86_400_000;
const ageLike = (n: number) => new Uint8Array([...new TextEncoder().encode("age-encryption.org/v1\n"), ...new Uint8Array(n)]);

/** Resolves with the first report `matches` accepts; rejects after `timeoutMs` (the machine is busy, not the job). */
function reportWatcher() {
  const seen: MaintenanceReport[] = [];
  let waiter: { matches: (r: MaintenanceReport) => boolean; resolve: (r: MaintenanceReport) => void } | null = null;
  return {
    onMaintenance(report: MaintenanceReport) {
      seen.push(report);
      if (waiter?.matches(report)) waiter.resolve(report);
    },
    next(matches: (r: MaintenanceReport) => boolean, timeoutMs = 60_000): Promise<MaintenanceReport> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching maintenance run in ${timeoutMs} ms; saw ${JSON.stringify(seen)}`)), timeoutMs);
        waiter = {
          matches,
          resolve: (r) => {
            clearTimeout(timer);
            waiter = null;
            resolve(r);
          },
        };
      });
    },
    seen,
  };
}

describe("maintenance on Node", () => {
  let server: RunningServer | undefined;
  let dataDir: string | undefined;
  afterEach(async () => {
    await server?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    server = undefined;
    dataDir = undefined;
  });

  it("sweeps an upload that expires while the server runs, row and file, without a restart", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "sealdrop-maintenance-"));
    let clock = Date.now();
    const watcher = reportWatcher();
    server = await startNodeServer({
      dataDir,
      port: 0,
      host: "127.0.0.1",
      pow: false,
      now: () => new Date(clock),
      // A run every 120 ms: the test waits for the run, however late the busy machine makes it.
      maintenanceMinutes: 0.002,
      onMaintenance: watcher.onMaintenance,
    });
    expect(watcher.seen).toEqual([{ expiredUploads: 0, orphanBlobs: 0 }]); // the start-up run

    const created = await fetch(`${server.url}/api/uploads`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const part = await fetch(`${server.url}/api/uploads/${id}/parts/0`, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: ageLike(100) });
    expect(part.status).toBe(200);
    const file = join(dataDir, "blobs", "uploads", id);
    expect(existsSync(file)).toBe(true);

    // Runs before the expiry leave it alone.
    await watcher.next(() => true);
    expect(existsSync(file)).toBe(true);

    clock += 3 * DAY_MS; // past the two days an unfinished upload lives
    const report = await watcher.next((r) => r.expiredUploads > 0);
    expect(report.expiredUploads).toBe(1);
    expect(existsSync(file)).toBe(false);
    const db = new SQLite(join(dataDir, SQLITE_FILE), { readonly: true });
    try {
      expect(db.prepare("SELECT count(*) AS n FROM uploads WHERE id = ?").get(id)).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });
});
