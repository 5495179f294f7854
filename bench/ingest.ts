// Benchmark section: small-tip ingest requests per second, against a bare Hono route on the same Node adapter.
import { Agent, request } from "node:http";
import { toBase64 } from "../src/core/bytes.js";
import { sealEnvelope } from "../src/core/envelope.js";
import { here, log, ratio, startProcess, stop, type Figures } from "./lib.js";

export async function ingest(url: string, body: string, seconds: number, concurrency = 16): Promise<{ rps: number; errors: number }> {
  const target = new URL("/api/submissions", url);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const payload = Buffer.from(body);
  let ok = 0;
  let errors = 0;
  const end = Date.now() + seconds * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const req = request(
        { hostname: target.hostname, port: target.port, path: target.pathname, method: "POST", agent, headers: { "content-type": "application/json", "content-length": payload.length } },
        (res) => {
          res.resume();
          res.on("end", () => {
            if (res.statusCode === 201) ok++;
            else errors++;
            resolve();
          });
        },
      );
      req.on("error", () => (errors++, resolve()));
      req.end(payload);
    });
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) await one();
    }),
  );
  agent.destroy();
  return { rps: ok / ((Date.now() - started) / 1000), errors };
}

/** `serverUrl` is a sealdrop server with proof of work and rate limits off and a desk "news" encrypting to `recipient`. */
export async function ingestFigures(serverUrl: string, recipient: string): Promise<Figures> {
  log(`small-tip ingest…`);
  const envelope = await sealEnvelope(
    { v: 1, kind: "submission", desk: "news", message: "A short tip: the trucks left at dawn.", fields: {}, attachments: [], reply: null, client: "bench", lang: "en" },
    [recipient],
  );
  const body = JSON.stringify({ desk: "news", envelope: toBase64(envelope), attachments: [] });
  await ingest(serverUrl, body, 2); // warm-up
  const ours = await ingest(serverUrl, body, 10);
  const bare = await startProcess(here("./bare-server.ts"), []);
  let baseline: { rps: number };
  try {
    await ingest(bare.url, body, 2);
    baseline = await ingest(bare.url, body, 10);
  } finally {
    await stop(bare.child);
  }
  const r = ours.rps / baseline.rps;
  return {
    rows: [
      `| Small-tip ingest (POST /api/submissions, ${body.length}-byte body, 16 connections; **proof of work and rate limits off**: \`pow: false\`, \`rateLimits: false\`) | ${ours.rps.toFixed(0)} req/s (${ours.errors} errors) | bare Hono route ${baseline.rps.toFixed(0)} req/s | **${ratio(r)}** | ≥ 0.5 | ${r >= 0.5 ? "met" : "not met"} |`,
    ],
    notes: [
      "Each accepted tip is durable before its 201: its row, which holds the envelope, is committed to SQLite and SQLite's log fdatasynced before the answer (tips arriving together share a commit, and answers waiting together share an fdatasync); the bare route does none of that.",
    ],
  };
}
