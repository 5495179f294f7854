// The Node server's SQLite commits without an fsync (synchronous = NORMAL) and syncs its WAL on the
// thread pool before answering (database.ts, app.ts). These tests check the three parts: the sync
// coalescing never lets a caller ride a sync that began before its commit, the server's database
// really runs that way, and no response leaves before `durable()` resolves.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { toBase64 } from "../../src/core/bytes.js";
import { sealEnvelope } from "../../src/core/envelope.js";
import { createApp } from "../../src/server/app.js";
import { coalescedSync, openServerDatabase } from "../../src/server/node/database.js";
import { FsBlobStore } from "../../src/server/node/fs-blob-store.js";
import { seedNewsroom } from "../helpers/newsroom.js";

/** A sync whose completion the test controls, recording the change count each one started at. */
function controlledSync(changes: { n: number }) {
  const started: number[] = [];
  const finish: ((error?: Error) => void)[] = [];
  const sync = () =>
    new Promise<void>((resolve, reject) => {
      started.push(changes.n);
      finish.push((error) => (error ? reject(error) : resolve()));
    });
  return { started, finish, sync };
}

/**
 * Whether `p` has settled once every callback already queued has run. coalescedSync is promise chains
 * only, so one turn of the event loop (setImmediate runs after all pending microtasks) decides it.
 */
const settled = async <T>(p: Promise<T>) => {
  let state = "pending";
  p.then(() => (state = "resolved"), () => (state = "rejected"));
  await new Promise((r) => setImmediate(r));
  return state;
};

describe("coalescedSync", () => {
  it("does not sync when nothing changed since the last sync", async () => {
    const changes = { n: 3 };
    const c = controlledSync(changes);
    await coalescedSync(() => changes.n, c.sync)();
    expect(c.started).toEqual([]);
  });

  it("answers only after a sync that started after the caller's change; callers arriving meanwhile share the next one", async () => {
    const changes = { n: 0 };
    const c = controlledSync(changes);
    const durable = coalescedSync(() => changes.n, c.sync);
    changes.n = 1;
    const first = durable();
    expect(c.started).toEqual([1]);
    changes.n = 2; // committed while the first sync runs: that sync may not cover it
    const second = durable();
    const third = durable();
    expect(await settled(second)).toBe("pending");
    c.finish[0]!();
    expect(await settled(first)).toBe("resolved");
    expect(await settled(second)).toBe("pending");
    expect(c.started).toEqual([1, 2]); // one more sync, for both waiting callers
    c.finish[1]!();
    expect(await settled(second)).toBe("resolved");
    expect(await settled(third)).toBe("resolved");
    await durable(); // nothing new: no third sync
    expect(c.started).toEqual([1, 2]);
  });

  it("passes a failed sync on to its callers and tries again for the next caller", async () => {
    const changes = { n: 0 };
    const c = controlledSync(changes);
    const durable = coalescedSync(() => changes.n, c.sync);
    changes.n = 1;
    const failing = durable();
    c.finish[0]!(new Error("EIO"));
    await expect(failing).rejects.toThrow("EIO");
    const retry = durable();
    expect(c.started).toEqual([1, 1]);
    c.finish[1]!();
    await expect(retry).resolves.toBeUndefined();
  });
});

describe("the server's database", () => {
  it("commits with synchronous = NORMAL and counts the changes durable() waits for", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sealdrop-durable-"));
    const { db, durable } = await openServerDatabase(dir);
    try {
      const { rows } = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(db);
      expect(rows[0]!.synchronous).toBe(1);
      await db.insertInto("desks").values({ id: "news", name: "News", position: 0 }).execute();
      await durable();
      expect((await db.selectFrom("desks").select("id").execute()).map((r) => r.id)).toEqual(["news"]);
    } finally {
      await db.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  });

  /** The whole app on a real SQLite file, with `durable` standing in for the WAL sync; `submit` posts one tip. */
  async function appWith(durable: () => Promise<void>) {
    const dir = await mkdtemp(join(tmpdir(), "sealdrop-durable-"));
    const { db } = await openServerDatabase(dir);
    const { editor } = await seedNewsroom(db, { classic: true });
    const blobs = await new FsBlobStore(join(dir, "blobs"), () => new Date()).init();
    const app = createApp({ db, blobs, now: () => new Date(), config: { https: false, pow: false, rateLimits: false }, durable });
    const submit = async (message: string) => {
      const envelope = await sealEnvelope({ v: 1, kind: "submission", desk: "news", message, fields: {}, attachments: [], reply: null, client: "test", lang: "en" }, [editor.recipient]);
      const body = JSON.stringify({ desk: "news", envelope: toBase64(envelope), attachments: [] });
      return Promise.resolve(app.request("/api/submissions", { method: "POST", headers: { "content-type": "application/json" }, body }));
    };
    const dispose = async () => {
      await db.destroy();
      await rm(dir, { recursive: true, force: true });
    };
    return { db, submit, dispose };
  }

  it("holds every response, a submission's receipt included, until durable() resolves", async () => {
    let release!: () => void;
    let calls = 0;
    let durableCalled!: () => void;
    const called = new Promise<void>((r) => (durableCalled = r));
    const gate = new Promise<void>((r) => (release = r));
    const { db, submit, dispose } = await appWith(() => (calls++, durableCalled(), gate));
    try {
      let answered = false;
      const response = submit("held").finally(() => (answered = true));
      await called; // the app has committed and now waits for the sync, however long the request took to get here
      expect(await db.selectFrom("submissions").select("id").execute()).toHaveLength(1); // committed…
      expect(answered).toBe(false); // …and, the gate still shut, not answered
      expect(calls).toBe(1);
      release();
      expect((await response).status).toBe(201);
    } finally {
      await dispose();
    }
  });

  it("answers 500 asking to send again, with the usual headers, when the log cannot be synced", async () => {
    const { submit, dispose } = await appWith(() => Promise.reject(Object.assign(new Error("EIO"), { code: "EIO" })));
    try {
      const response = await submit("unsynced");
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: { code: "internal", message: expect.stringMatching(/send it again/) } });
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    } finally {
      await dispose();
    }
  });
});
