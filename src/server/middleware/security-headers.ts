// Headers on every response, errors and static files included (invariant 8, docs/INVARIANTS.md).
import type { MiddlewareHandler } from "hono";

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

export interface SecurityHeaderOptions {
  /** Add Strict-Transport-Security: only when the site is served over https. */
  hsts?: boolean;
}

export function securityHeaders(options: SecurityHeaderOptions = {}): MiddlewareHandler {
  const headers: Record<string, string> = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=(), browsing-topics=()",
  };
  if (options.hsts) headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains";
  return async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
    // A static file's Last-Modified is its build or deploy time, which a seized copy of the page would
    // date; an ETag is an identifier a browser sends back. Neither is needed with no-store.
    c.res.headers.delete("Last-Modified");
    c.res.headers.delete("ETag");
  };
}
