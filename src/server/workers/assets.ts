// The built page from Workers static assets, answered through the worker so every response carries the
// app's security headers. The build writes .br and .gz copies beside each text file (scripts/vite/
// precompress.ts); a browser that accepts one gets it with Content-Encoding, sent as is (`encodeBody:
// "manual"`: the runtime must not compress it again). Cloudflare's edge would compress text responses
// itself, but at a lower level than the build's, and workerd (wrangler dev, self-hosted) not at all.
import type { MiddlewareHandler } from "hono";
import type { AssetsBinding } from "./bindings.js";

/** Best first: what the build writes, in the order a browser gains most from. */
const ENCODINGS = [
  ["br", ".br"],
  ["gzip", ".gz"],
] as const;

const isText = (type: string) => /^(text\/|application\/(javascript|json))/.test(type);

/** The encodings an Accept-Encoding header allows (q=0 refuses one). */
function accepted(header: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const part of (header ?? "").split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    if (name && !(q !== undefined && Number(q.slice(2)) === 0)) out.add(name);
  }
  return out;
}

export function staticAssets(binding: AssetsBinding): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") return next();
    const res = await binding.fetch(c.req.raw);
    if (res.status === 404) return next();
    const type = res.headers.get("content-type") ?? "";
    if (res.status !== 200 || !isText(type)) {
      // Asset responses are immutable; copy so the security headers can be set on it.
      c.res = new Response(res.body, res);
      return;
    }
    const allowed = accepted(c.req.header("accept-encoding"));
    for (const [encoding, ext] of ENCODINGS) {
      if (!allowed.has(encoding)) continue;
      const url = new URL(c.req.url);
      url.pathname = (url.pathname.endsWith("/") ? `${url.pathname}index.html` : url.pathname) + ext;
      url.search = "";
      const packed = await binding.fetch(new Request(url, { method: c.req.method }));
      if (packed.status !== 200) continue;
      await res.body?.cancel();
      const headers = new Headers(res.headers);
      headers.set("Content-Encoding", encoding);
      headers.append("Vary", "Accept-Encoding");
      headers.delete("ETag");
      const length = packed.headers.get("content-length");
      if (length !== null) headers.set("Content-Length", length);
      else headers.delete("Content-Length");
      c.res = new Response(packed.body, { status: 200, headers, encodeBody: "manual" } as ResponseInit);
      return;
    }
    const headers = new Headers(res.headers);
    headers.append("Vary", "Accept-Encoding");
    c.res = new Response(res.body, { status: res.status, headers });
  };
}
