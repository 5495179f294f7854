// The body of an anonymous write, read once with a limit and shared by the middlewares that need it
// (proof of work binds to it, the mailbox budget keys on it); the request is rebuilt around the bytes
// so the route can read them again.
import type { Context } from "hono";
import { readBody } from "../body.js";

const read = new WeakMap<Context, Uint8Array>();

export async function anonymousBody(c: Context, maxBytes: number): Promise<Uint8Array> {
  const cached = read.get(c);
  if (cached) return cached;
  const body = await readBody(c, maxBytes);
  const headers = new Headers(c.req.raw.headers);
  headers.delete("transfer-encoding");
  headers.set("content-length", String(body.length));
  c.req.raw = new Request(c.req.raw.url, { method: c.req.raw.method, headers, body: body as Uint8Array<ArrayBuffer> });
  read.set(c, body);
  return body;
}
