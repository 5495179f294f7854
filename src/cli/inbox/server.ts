// The inbox's local HTTP server: one Hono app on 127.0.0.1 only, behind inboxGuard (guard.ts). The page
// and its scripts come from the package's build (dist/inbox, scripts/build-inbox.ts); what it shows comes
// from the JSON routes (routes.ts), decrypted in this process. Nothing here ever listens elsewhere.
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { CliError } from "../errors.js";
import { inboxGuard } from "./guard.js";

export interface InboxServer {
  /** The address to open, token included: the command prints it on its first line. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** A fresh one-time token: 32 random bytes, base64url. */
export const newToken = (): string => randomBytes(32).toString("base64url");

/** Something the page asked for that is not there (a source, an attachment): 404. */
export class InboxNotFound extends CliError {
  constructor(what: string) {
    super(`no ${what} in this vault`, 1, "not_found");
  }
}

/** The desk is still being opened (a first indexing can take minutes): 503, and the page asks again. */
export class InboxOpening extends CliError {
  constructor() {
    super("the vault is still being read; the page asks again", 1, "inbox_opening");
  }
}

export type Mount = (app: Hono, context: { token: string }) => void;

/** Listens on 127.0.0.1:`port` (0: any free port) and serves what `mount` adds, behind the guard. */
export function startInboxServer(options: { port: number; mount: Mount; token?: string; onFault?: (e: unknown) => void }): Promise<InboxServer> {
  const token = options.token ?? newToken();
  let port = options.port;
  const app = new Hono();
  app.use("*", inboxGuard({ token, port: () => port }));
  options.mount(app, { token });
  app.notFound((c) => c.json({ error: { code: "not_found", message: "no such page in the inbox" } }, 404));
  app.onError((e, c) => {
    // What the editor can act on (a CliError: no codename, reply too long, …) is said; anything else is a fault.
    if (e instanceof InboxOpening) return c.json({ error: { code: "inbox_opening", message: e.message } }, 503, { "Retry-After": "0" });
    if (e instanceof CliError) return c.json({ error: { code: e.code ?? "inbox_refused", message: e.message } }, e instanceof InboxNotFound ? 404 : 400);
    options.onFault?.(e);
    return c.json({ error: { code: "inbox_failed", message: "the inbox could not do this; see the terminal" } }, 500);
  });
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname: "127.0.0.1" }, (info: AddressInfo) => {
      port = info.port;
      resolve({
        url: `http://127.0.0.1:${port}/?token=${token}`,
        port,
        token,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    server.once("error", reject);
  });
}
