// What every test deployment offers, whichever store is under it: the three backends by name, and the
// running test server's shape (tests/helpers/server.ts starts one; backends.ts holds the PostgreSQL and
// workerd machinery).
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { BodyLimits } from "../../src/server/body.js";
import type { TestEditor } from "./newsroom.js";

export const BACKENDS = ["sqlite", "postgres", "workerd"] as const;
export type Backend = (typeof BACKENDS)[number];

export function parseBackend(value: string): Backend {
  if (!(BACKENDS as readonly string[]).includes(value)) throw new Error(`unknown test backend ${JSON.stringify(value)}: use one of ${BACKENDS.join(", ")}`);
  return value as Backend;
}

/** SEALDROP_TEST_BACKEND, or sqlite. */
export const currentBackend = (): Backend => parseBackend(process.env.SEALDROP_TEST_BACKEND ?? "sqlite");

/** SEALDROP_TEST_BACKENDS (comma-separated), or all three. */
export function selectedBackends(): Backend[] {
  const list = process.env.SEALDROP_TEST_BACKENDS?.split(",").map((s) => s.trim()).filter(Boolean);
  if (!list) return [...BACKENDS];
  return list.map(parseBackend);
}

/** A sealdrop server holding the test newsroom (tests/helpers/newsroom.ts), reached over real HTTP. */
export interface TestServer {
  url: string;
  backend: Backend;
  dataDir: string;
  /** The newsroom's first editor, whose keys the test holds. */
  editor: TestEditor;
  /** Stops the server; its stores stay. */
  close(): Promise<void>;
  /** Stops the server and removes its stores. */
  dispose(): Promise<void>;
  /** PostgreSQL only: the URL of the test server's own database. */
  databaseUrl?: string;
  /** Every stored byte of this deployment (database and blobs), as named chunks to scan for plaintext. */
  storedBytes(): Promise<{ where: string; bytes: Buffer }[]>;
}

export interface TestServerOptions {
  /** The first editor's keys are classic X25519 instead of post-quantum hybrid. */
  classic?: boolean;
  /** A built source page to serve at `/`. */
  clientDir?: string;
  /** Server settings as the operator sets them in the environment (Workers: vars), e.g. SEALDROP_PENDING_UPLOADS. */
  env?: Record<string, string>;
  /** Node entry only (SQLite, PostgreSQL): body gates and idle time (src/server/body.ts); workerd refuses it. */
  bodies?: Partial<BodyLimits>;
}

export async function filesUnder(dir: string): Promise<{ where: string; bytes: Buffer }[]> {
  const out: { where: string; bytes: Buffer }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    out.push({ where: path, bytes: await readFile(path) });
  }
  return out;
}
