// The inbox's front door (docs/THREAT-MODEL.md, "The desk's inbox"). It listens on 127.0.0.1 only, but any
// web page the editor opens can make the browser send requests there, and a DNS-rebinding page can make
// them same-origin to a name it controls. So every request must carry the one-time token printed on the
// command's first line, name this server by its own Host, and come from no foreign Origin; every answer
// carries a strict CSP and is never cached.
import { timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";

/** The header the page's scripts send the token in; the first page load carries it as `?token=`. */
export const TOKEN_HEADER = "x-sealdrop-inbox-token";

/** The page's policy: nothing but its own scripts, styles and JSON; previews in a frame of their own. */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob:",
  "connect-src 'self'",
  "frame-src 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
  "base-uri 'none'",
].join("; ");

/** An image preview's policy: the image and nothing else, no script, sandboxed even when opened directly. */
export const PREVIEW_CSP = "default-src 'none'; img-src 'self'; sandbox; frame-ancestors 'self'";

export const COMMON_HEADERS: Readonly<Record<string, string>> = {
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), clipboard-read=(), usb=()",
};

export type RefusalCode = "inbox_host_refused" | "inbox_origin_refused" | "inbox_token_required" | "inbox_token_invalid";

const sameToken = (given: string, token: Buffer): boolean => {
  const bytes = Buffer.from(given, "utf8");
  return bytes.length === token.length && timingSafeEqual(bytes, token);
};

/**
 * Refuses, before any route runs: a Host other than 127.0.0.1:PORT or localhost:PORT (DNS rebinding), an
 * Origin other than those (a foreign page), and a missing or wrong token. `port()` is asked per request
 * because a free port is only known once the server listens.
 */
export function inboxGuard(options: { token: string; port: () => number }): MiddlewareHandler {
  const token = Buffer.from(options.token, "utf8");
  return async (c, next) => {
    const port = options.port();
    const allowed = [`127.0.0.1:${port}`, `localhost:${port}`];
    const refuse = (status: 401 | 403, code: RefusalCode, message: string) => {
      for (const [name, value] of Object.entries(COMMON_HEADERS)) c.header(name, value);
      c.header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
      return c.json({ error: { code, message } }, status);
    };
    const host = (c.req.header("host") ?? "").toLowerCase();
    if (!allowed.includes(host)) return refuse(403, "inbox_host_refused", "this inbox answers only to 127.0.0.1 or localhost on its own port");
    const origin = c.req.header("origin");
    if (origin !== undefined && !allowed.some((a) => origin === `http://${a}`)) return refuse(403, "inbox_origin_refused", "requests from another origin are refused");
    // A state-changing request needs the header, which no form or link of a foreign page can send.
    const given = c.req.header(TOKEN_HEADER) ?? (c.req.method === "GET" ? c.req.query("token") : undefined);
    if (given === undefined || given === "") return refuse(401, "inbox_token_required", "open the address the `sealdrop inbox` command printed, with its token");
    if (!sameToken(given, token)) return refuse(403, "inbox_token_invalid", "this token does not open this inbox; use the address the command printed");
    await next();
    for (const [name, value] of Object.entries(COMMON_HEADERS)) c.header(name, value);
    if (!c.res.headers.has("Content-Security-Policy")) c.header("Content-Security-Policy", PAGE_CSP);
    c.header("X-Frame-Options", c.res.headers.get("Content-Security-Policy") === PREVIEW_CSP ? "SAMEORIGIN" : "DENY");
  };
}
