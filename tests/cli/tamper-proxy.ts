// A hostile middlebox for CLI and page tests: real HTTP in front of a real sealdrop server, forwarding every
// request and, when told to, rewriting the JSON of one answer (the newsroom's keys, the roster). It also
// keeps every note and reply ciphertext, and every submission and upload part a source's browser sends,
// that passes through on its way to the server, so a test can read their age headers afterwards.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Rewrites the parsed JSON answer to `method path` (a GET, or a source's mailbox POST), or leaves it (returns undefined). */
export type Tamper = (path: string, body: unknown, method: string) => unknown;

export interface TamperProxy {
  url: string;
  /** Set to a rewrite, or null to pass everything through. */
  tamper: Tamper | null;
  /** Ciphertexts (base64) of every note and reply posted through the proxy, in order. */
  posted: { kind: "notes" | "replies"; ciphertext: string; desk: string | undefined }[];
  /** Every submission (its desk and envelope, base64) and upload part a source sent through the proxy, in order. */
  sourceSent: ({ kind: "submission"; desk: string; envelope: string } | { kind: "part"; bytes: Buffer })[];
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", reject);
  });

export async function startTamperProxy(target: string): Promise<TamperProxy> {
  const proxy: TamperProxy = { url: "", tamper: null, posted: [], sourceSent: [], close: async () => {} };
  const server: Server = createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const path = req.url ?? "/";
      const kind = /^\/api\/editor\/(notes|replies)$/.exec(path)?.[1] as "notes" | "replies" | undefined;
      if (req.method === "POST" && kind) {
        const parsed = JSON.parse(body.toString("utf8")) as { ciphertext: string; desk?: string };
        proxy.posted.push({ kind, ciphertext: parsed.ciphertext, desk: parsed.desk });
      }
      if (req.method === "POST" && path === "/api/submissions") {
        const parsed = JSON.parse(body.toString("utf8")) as { desk: string; envelope: string };
        proxy.sourceSent.push({ kind: "submission", desk: parsed.desk, envelope: parsed.envelope });
      }
      if (req.method === "PUT" && /^\/api\/uploads\/[^/]+\/parts\/\d+$/.test(path)) proxy.sourceSent.push({ kind: "part", bytes: body });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string" && k !== "host" && k !== "content-length" && k !== "connection") headers[k] = v;
      const answer = await fetch(target + path, { method: req.method, headers, body: body.length > 0 ? new Uint8Array(body) : undefined, redirect: "manual" });
      let bytes = Buffer.from(await answer.arrayBuffer());
      const tamper = proxy.tamper;
      const rewritable = req.method === "GET" || (req.method === "POST" && path === "/api/mailbox");
      if (tamper && rewritable && answer.ok && answer.headers.get("content-type")?.includes("application/json")) {
        const changed: unknown = await tamper(path, JSON.parse(bytes.toString("utf8")), req.method ?? "GET");
        if (changed !== undefined) bytes = Buffer.from(JSON.stringify(changed));
      }
      const out: Record<string, string> = {};
      answer.headers.forEach((v, k) => {
        if (k !== "content-length" && k !== "content-encoding" && k !== "transfer-encoding" && k !== "connection") out[k] = v;
      });
      res.writeHead(answer.status, { ...out, "content-length": String(bytes.length) });
      res.end(bytes);
    } catch (e) {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(String(e));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}

/** The stanza types of an age file's header, one per recipient it is encrypted to. */
export function ageStanzas(file: Uint8Array): string[] {
  const text = Buffer.from(file).toString("latin1");
  const end = text.indexOf("\n--- ");
  if (!text.startsWith("age-encryption.org/v1\n") || end < 0) throw new Error("not an age file");
  return text
    .slice(0, end)
    .split("\n")
    .filter((line) => line.startsWith("-> "))
    .map((line) => line.slice(3).split(" ")[0]!);
}
