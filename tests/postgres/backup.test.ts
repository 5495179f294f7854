// `sealdrop backup` taken while sources keep submitting (a real server, real HTTP), then `sealdrop
// restore` into an empty target: every tip and attachment acknowledged before the backup began is back,
// and nothing is half there (every restored tip opens, with all its attachments byte for byte). For
// Node + SQLite and Node + PostgreSQL. Also: restore refuses a non-empty target and a damaged backup,
// each with its stable code, writing nothing.
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBytes, openEnvelope } from "../../src/core/envelope.js";
import type { SubmissionList } from "../../src/core/wire.js";
import { openNodeDatabase } from "../../src/server/node/database.js";
import { type RunningServer, startNodeServer } from "../../src/server/node/serve.js";
import { openPostgresDatabase } from "../../src/server/postgres/database.js";
import { acquireCluster, type PostgresCluster, releaseCluster } from "../helpers/backends.js";
import { seedNewsroom, type TestEditor } from "../helpers/newsroom.js";
import { editorFetch } from "../helpers/server.js";
import { submitTip } from "../helpers/source.js";
import { runCli } from "../cli/helpers.js";

let cluster: PostgresCluster;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  cluster = await acquireCluster();
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  await releaseCluster();
});

interface Deployment {
  dataDir: string;
  database?: string;
  server: RunningServer;
  editor: TestEditor;
}

async function freshTarget(backend: "sqlite" | "postgres"): Promise<{ dataDir: string; database?: string }> {
  const root = await mkdtemp(join(tmpdir(), "sealdrop-backup-"));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const dataDir = join(root, "data");
  if (backend === "sqlite") return { dataDir };
  const name = await cluster.createDatabase();
  cleanups.push(() => cluster.dropDatabase(name));
  return { dataDir, database: cluster.urlFor(name) };
}

async function deploy(backend: "sqlite" | "postgres"): Promise<Deployment> {
  const target = await freshTarget(backend);
  const db = target.database ? await openPostgresDatabase(target.database) : await openNodeDatabase(target.dataDir);
  const { editor } = await seedNewsroom(db, { classic: true }).finally(() => db.destroy());
  const server = await startNodeServer({ dataDir: target.dataDir, port: 0, host: "127.0.0.1", ...(target.database ? { database: target.database } : {}) });
  cleanups.push(() => server.close());
  return { ...target, server, editor };
}

const args = (d: { dataDir: string; database?: string | undefined }) => ["--data", d.dataDir, ...(d.database ? ["--database", d.database] : [])];

interface Sent {
  id: string;
  message: string;
  file: Uint8Array;
}

describe.each(["sqlite", "postgres"] as const)("backup and restore on %s", (backend) => {
  it("restores every tip acknowledged before the backup began, and only whole ones", async () => {
    const live = await deploy(backend);
    const { editor } = live;
    const sent: Sent[] = [];
    let backupStarted = false;
    const beforeBackup: string[] = [];
    let stop = false;
    let enough: () => void;
    const enoughAcked = new Promise<void>((r) => (enough = r));
    const submitter = async (who: number) => {
      for (let i = 0; !stop; i++) {
        const message = `tip ${who}.${i}`;
        const file = new Uint8Array(randomBytes(20_000 + ((who * 7919 + i * 104729) % 180_000)));
        const receipt = await submitTip(live.server.url, message, [{ name: `f${who}-${i}.bin`, type: "application/octet-stream", bytes: file }]);
        sent.push({ id: receipt.id, message, file });
        if (!backupStarted) beforeBackup.push(receipt.id);
        if (sent.length >= 6) enough();
      }
    };
    const submitters = [1, 2, 3].map(submitter);
    await enoughAcked;

    const dir = await mkdtemp(join(tmpdir(), "sealdrop-backup-file-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, "sealdrop.backup");
    backupStarted = true;
    const acked = [...beforeBackup];
    const backup = await runCli(["backup", "--out", file, ...args(live)]);
    stop = true;
    await Promise.all(submitters);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stderr).toMatch(/backup: rows: submissions: \d+/);
    expect(backup.stdout).toMatch(/^wrote .*sealdrop\.backup: \d+ submission\(s\)/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(acked.length).toBeGreaterThanOrEqual(6);

    const target = await freshTarget(backend);
    const restored = await runCli(["restore", file, ...args(target)]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stderr).toContain("restore: checking the backup");
    const server = await startNodeServer({ dataDir: target.dataDir, port: 0, host: "127.0.0.1", ...(target.database ? { database: target.database } : {}) });
    cleanups.push(() => server.close());

    const list = (await (await editorFetch(server, editor, "GET", "/api/editor/submissions")).json()) as SubmissionList;
    const ids = new Set(list.submissions.map((s) => s.id));
    for (const id of acked) expect(ids.has(id), `acknowledged before the backup: ${id}`).toBe(true);
    // Whole or absent: every restored tip opens and each attachment is the file that was sent.
    const byId = new Map(sent.map((s) => [s.id, s]));
    for (const s of list.submissions) {
      const original = byId.get(s.id)!;
      expect(original, `a restored tip that was never acknowledged: ${s.id}`).toBeDefined();
      const envelope = await openEnvelope(new Uint8Array(await (await editorFetch(server, editor, "GET", `/api/editor/submissions/${s.id}/envelope`)).arrayBuffer()), [editor.identity]);
      expect(envelope.message).toBe(original.message);
      expect(s.attachments).toHaveLength(1);
      const res = await editorFetch(server, editor, "GET", `/api/editor/attachments/${s.attachments[0]!.id}`);
      expect(res.status).toBe(200);
      expect(await openBytes(new Uint8Array(await res.arrayBuffer()), [editor.identity])).toEqual(original.file);
    }
  });

  it("refuses a non-empty target and a damaged backup with stable codes, writing nothing", async () => {
    const live = await deploy(backend);
    const { editor } = live;
    await submitTip(live.server.url, "one tip", [{ name: "a.bin", type: "application/octet-stream", bytes: new Uint8Array(randomBytes(5000)) }]);
    const dir = await mkdtemp(join(tmpdir(), "sealdrop-backup-file-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, "b.backup");
    expect((await runCli(["backup", "--out", file, ...args(live)])).code).toBe(0);
    // Never overwritten.
    const again = await runCli(["backup", "--out", file, ...args(live)]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/\(exists\)/);

    // Into the live deployment itself: not empty.
    const busy = await runCli(["restore", file, ...args(live)]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/\(target_not_empty\)/);

    // Cut off: nothing written.
    const cut = join(dir, "cut.backup");
    const bytes = await readFile(file);
    await writeFile(cut, bytes.subarray(0, bytes.length - 40));
    const target = await freshTarget(backend);
    const cutOff = await runCli(["restore", cut, ...args(target)]);
    expect(cutOff.code).toBe(1);
    expect(cutOff.stderr).toMatch(/\(backup_corrupt\)/);
    expect(await readdir(target.dataDir).catch(() => [])).toEqual([]);

    // One flipped byte inside a file: the digest does not match.
    const flipped = Buffer.from(bytes);
    const middle = Math.floor(bytes.length / 2);
    flipped.writeUInt8(flipped.readUInt8(middle) ^ 0x01, middle);
    await writeFile(cut, flipped);
    const damaged = await runCli(["restore", cut, ...args(target)]);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toMatch(/\(backup_corrupt\)/);

    await writeFile(cut, "hello\n");
    const notOne = await runCli(["restore", cut, ...args(target)]);
    expect(notOne.stderr).toMatch(/\(not_a_backup\)/);
    await truncate(cut, 0);
    expect(await readdir(target.dataDir).catch(() => [])).toEqual([]);
  });
});
