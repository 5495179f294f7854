// GET /api/health: for the operator's monitoring and load balancers. 200 when the database and the blob
// store both answer, 503 when either does not; it says which store failed and nothing about what is stored.
import { Hono } from "hono";
import { sql } from "kysely";
import type { HealthResponse } from "../../core/wire.js";
import type { Deps } from "../deps.js";

/** A store that takes longer than this to answer counts as not answering. */
const PROBE_TIMEOUT_MS = 5_000;

type Health = HealthResponse["database"];

async function answers(probe: () => Promise<unknown>): Promise<Health> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timeout")), PROBE_TIMEOUT_MS);
  });
  try {
    await Promise.race([probe(), timeout]);
    return "ok";
  } catch {
    return "unavailable";
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(deps: Deps): Hono {
  const app = new Hono();
  app.get("/", async (c) => {
    const [database, blobs] = await Promise.all([answers(() => sql`SELECT 1`.execute(deps.db)), answers(() => deps.blobs.check())]);
    const report = { status: database === "ok" && blobs === "ok" ? "ok" : "unavailable", database, blobs } satisfies HealthResponse;
    return c.json(report, report.status === "ok" ? 200 : 503);
  });
  return app;
}
