// Issue 14, "Cost before body, everywhere" (docs/SECURITY.md): a request that has not paid (no proof of
// work, no valid signature headers) is refused from its headers, before a byte of its body is read, and
// the server's memory does not grow with what such requests announce; an admitted body that stops
// arriving is cut off; a full body gate refuses at once.
//
// Node-specific on purpose, whatever SEALDROP_TEST_BACKEND says: it measures the RSS of a real
// `sealdrop serve` process (/proc/<pid>/status) and talks raw HTTP/1.1 to the Node listener. Workers:
// see docs/SECURITY.md for what the platform does instead.
import { readFile, writeFile, mkdtemp, rm } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomId } from "../../src/core/bytes.js";
import { POW_HEADER, powHeaderFor } from "../../src/core/pow.js";
import { SIGNATURE_HEADERS } from "../../src/core/signing.js";
import { LIMITS } from "../../src/core/wire.js";
import { fetchChallenge } from "../helpers/pow.js";
import { spawnServer, type ServerProcess } from "../helpers/process.js";
import { startHarness, type Harness } from "../security/harness.js";

const MiB = 1 << 20;
const CONNECTIONS = 64;

interface RawExchange {
  socket: Socket;
  /** The status of the answer, once its status line arrived. */
  status: Promise<number>;
  /** Everything received so far. */
  received(): string;
  /** Resolves when the server has closed the connection. */
  closed: Promise<void>;
}

/** Sends only the head of a request (no body byte, whatever Content-Length says) and watches the answer. */
function sendHead(url: string, method: string, path: string, headers: Record<string, string>): RawExchange {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  let text = "";
  let resolveStatus!: (n: number) => void;
  let rejectStatus!: (e: Error) => void;
  const status = new Promise<number>((res, rej) => ((resolveStatus = res), (rejectStatus = rej)));
  // Held requests that the test itself closes never get an answer: not an unhandled rejection.
  status.catch(() => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.setEncoding("latin1");
  socket.on("data", (chunk: string) => {
    text += chunk;
    const m = /^HTTP\/1\.1 (\d{3}) /.exec(text);
    if (m) resolveStatus(Number(m[1]));
  });
  socket.on("error", () => {});
  socket.once("close", () => rejectStatus(new Error(`closed without an answer: ${JSON.stringify(text)}`)));
  const head = [`${method} ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), "", ""].join("\r\n");
  socket.write(head);
  return { socket, status, received: () => text, closed };
}

/** Resident and peak resident memory of a process, in bytes. */
async function memory(pid: number): Promise<{ rss: number; hwm: number }> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)![1]) * 1024;
  return { rss: kib("VmRSS"), hwm: kib("VmHWM") };
}

describe("a real sealdrop serve process, flooded with requests that announce bodies and have not paid", () => {
  let dataDir: string;
  let server: ServerProcess;
  let pid: number;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "sealdrop-cost-"));
    server = await spawnServer(dataDir);
    pid = server.child.pid!;
    // Warm every path once, so lazily loaded code and first-use caches are not counted as growth.
    await (await fetch(`${server.url}/api/pow`)).arrayBuffer();
    const warm = [
      sendHead(server.url, "PUT", `/api/uploads/${randomId()}/parts/0`, { "Content-Type": "application/octet-stream", "Content-Length": String(LIMITS.maxPartBytes), Connection: "close" }),
      sendHead(server.url, "POST", "/api/editor/replies", { "Content-Type": "application/json", "Content-Length": String(LIMITS.maxJsonBodyBytes), Connection: "close" }),
    ];
    for (const w of warm) {
      await w.status;
      w.socket.destroy();
    }
  }, 60_000);

  afterAll(async () => {
    await server?.kill("SIGTERM");
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** Opens CONNECTIONS at once, each announcing `length` bytes and sending none; returns their statuses and the growth. */
  async function flood(open: (i: number) => RawExchange) {
    const before = await memory(pid);
    // Reset the peak (Linux: 5 > clear_refs) so VmHWM is the peak of this flood alone.
    const resetPeak = await writeFile(`/proc/${pid}/clear_refs`, "5").then(
      () => true,
      () => false,
    );
    let peak = before.rss;
    const exchanges = Array.from({ length: CONNECTIONS }, (_, i) => open(i));
    const statuses = await Promise.all(exchanges.map((e) => e.status));
    peak = Math.max(peak, (await memory(pid)).rss);
    // The server does not wait for the announced bodies: it closes each connection itself.
    await Promise.all(exchanges.map((e) => e.closed));
    const after = await memory(pid);
    if (resetPeak) peak = Math.max(peak, after.hwm);
    peak = Math.max(peak, after.rss);
    return { statuses, growth: peak - before.rss, before, exchanges };
  }

  it(`answers ${CONNECTIONS} parts announcing 8 MiB with no proof of work 428 before their bodies, and stays within 50 MiB`, async () => {
    const { statuses, growth, exchanges } = await flood(() =>
      sendHead(server.url, "PUT", `/api/uploads/${randomId()}/parts/0`, { "Content-Type": "application/octet-stream", "Content-Length": String(8 * MiB) }),
    );
    expect(statuses).toEqual(Array(CONNECTIONS).fill(428));
    expect(exchanges.every((e) => e.received().includes("proof_of_work_required"))).toBe(true);
    // The body will not be read, so the connection cannot carry another request: the client is told.
    expect(exchanges.every((e) => /\r\nconnection: close\r\n/i.test(e.received()))).toBe(true);
    console.log(`no-token flood: RSS growth ${(growth / MiB).toFixed(1)} MiB over ${CONNECTIONS} connections announcing 8 MiB`);
    expect(growth).toBeLessThan(50 * MiB);
  });

  it(`answers ${CONNECTIONS} editor requests announcing 2 MiB with no or forged signature headers before their bodies, and stays within 50 MiB`, async () => {
    const { statuses, growth } = await flood((i) => {
      const headers: Record<string, string> = { "Content-Type": "application/json", "Content-Length": String(LIMITS.maxJsonBodyBytes) };
      if (i % 2) {
        // Well-formed headers that do not verify: an unknown editor.
        headers[SIGNATURE_HEADERS.editor] = randomId();
        headers[SIGNATURE_HEADERS.timestamp] = String(Math.floor(Date.now() / 1000));
        headers[SIGNATURE_HEADERS.nonce] = "A".repeat(22);
        headers[SIGNATURE_HEADERS.signature] = "A".repeat(86);
        headers[SIGNATURE_HEADERS.contentSha256] = "0".repeat(64);
      }
      return sendHead(server.url, "POST", "/api/editor/replies", headers);
    });
    expect(statuses.filter((s) => s === 401)).toHaveLength(CONNECTIONS / 2);
    expect(statuses.filter((s) => s === 403)).toHaveLength(CONNECTIONS / 2);
    console.log(`unsigned editor flood: RSS growth ${(growth / MiB).toFixed(1)} MiB over ${CONNECTIONS} connections announcing 2 MiB`);
    expect(growth).toBeLessThan(50 * MiB);
  });
});

describe("bodies that were admitted", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ bodies: { idleSeconds: 1, anonymousRequests: 2 } });
  });
  afterAll(() => h.dispose());

  /**
   * A part announcing `length` bytes whose proof of work is solved (for a body of that many zeros, which
   * is never sent): the client paid, and then stalls.
   */
  const paidPart = async (url: string, length: number) => {
    const path = `/api/uploads/${randomId()}/parts/0`;
    const pow = await powHeaderFor(await fetchChallenge(url), "PUT", path, new Uint8Array(length));
    return sendHead(url, "PUT", path, { "Content-Type": "application/octet-stream", "Content-Length": String(length), [POW_HEADER]: pow });
  };
  const admittedPart = () => paidPart(h.url, 8 * MiB);

  it("are cut off with 408 request_timeout when nothing arrives, and the connection is closed", async () => {
    const stalled = await admittedPart();
    expect(await stalled.status).toBe(408);
    expect(stalled.received()).toContain("request_timeout");
    await stalled.closed;
  });

  it("are held in a gate: past its room, a request is refused 503 at once, while the others still wait", async () => {
    // Stalls are not cut off here, so the two held requests surely still wait when the third is answered.
    const slow = await startHarness({ bodies: { idleSeconds: 600, anonymousRequests: 2 } });
    const partFor = (length: number) => paidPart(slow.url, length);
    const held: RawExchange[] = [];
    try {
      held.push(await partFor(8 * MiB), await partFor(8 * MiB));
      // Each seed is spent just before its request enters the gate: wait for both.
      const spent = async () => Number((await slow.deps.db.selectFrom("pow_spent").select((e) => e.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);
      while ((await spent()) < 2) await new Promise((r) => setImmediate(r));
      // A third (announcing no body, so that if it were let in it would be answered at once) is turned away.
      let third: RawExchange | undefined;
      let status = 0;
      for (let i = 0; i < 50 && status !== 503; i++) {
        third = await partFor(0);
        status = await third.status;
        third.socket.destroy();
      }
      expect(status).toBe(503);
      expect(third!.received()).toContain('"unavailable"');
      expect(third!.received()).toMatch(/Retry-After: \d+/i);
      expect(held.map((e) => e.received())).toEqual(["", ""]);
    } finally {
      for (const e of held) e.socket.destroy();
      await slow.dispose();
    }
  });
});
