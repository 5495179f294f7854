// The baseline for small-tip ingest: a bare Hono route on the same Node adapter, which reads the body and
// answers 201 with a receipt-shaped JSON, and does nothing else.
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const app = new Hono();
app.post("/api/submissions", async (c) => {
  await c.req.arrayBuffer();
  return c.json({ id: "0".repeat(32), day: "2025-01-01" }, 201);
});
serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => process.stdout.write(`listening http://127.0.0.1:${info.port}\n`));
