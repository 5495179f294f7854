// A real Node + SQLite server over real HTTP whose config and clock a security test chooses, plus the
// same app for in-process requests (app.request) where a suite needs volume.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import { sql } from "kysely";
import { createApp } from "../../src/server/app.js";
import type { Deps, ServerConfig } from "../../src/server/deps.js";
import { createNodeDeps } from "../../src/server/node/serve.js";
import { seedNewsroom, type TestEditor } from "../helpers/newsroom.js";

export interface Harness {
  url: string;
  app: Hono;
  deps: Deps;
  dataDir: string;
  editor: TestEditor;
  /** Moves the server's clock. */
  advance(seconds: number): void;
  dispose(): Promise<void>;
}

export interface HarnessOptions {
  dataDir?: string;
  /** Skip fsync in SQLite: for suites about input handling, not durability, on a busy machine. */
  fastDisk?: boolean;
}

export async function startHarness(config: Partial<ServerConfig> = {}, options: HarnessOptions = {}): Promise<Harness> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "sealdrop-sec-")));
  const deps = await createNodeDeps(dataDir);
  if (options.fastDisk) await sql`PRAGMA synchronous = OFF`.execute(deps.db);
  let offset = 0;
  deps.now = () => new Date(Date.now() + offset);
  deps.config = { ...deps.config, ...config };
  const { editor } = await seedNewsroom(deps.db, { now: deps.now() });
  const app = createApp(deps);
  const server = await new Promise<{ url: string; close: () => Promise<void> }>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
      resolve({ url: `http://127.0.0.1:${info.port}`, close: () => new Promise<void>((done) => s.close(() => done())) }),
    );
  });
  return {
    url: server.url,
    app,
    deps,
    dataDir,
    editor,
    advance: (seconds) => void (offset += seconds * 1000),
    dispose: async () => {
      await server.close();
      await deps.db.destroy();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export const json = { "content-type": "application/json" };

export async function errorCode(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}
