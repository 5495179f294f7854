// A plain HTTP proxy in front of a test server that can hold a request: it reads the request's whole body
// and then never answers, as a stuck middlebox or a hung server would. Everything else passes through.
import { createServer, request, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface StallProxy {
  url: string;
  /** Method and path of every request that came through, in order. */
  seen: string[];
  /** Resolves once a held request's body has fully arrived (the n-th hold, from 1). */
  held(n?: number): Promise<void>;
  close(): Promise<void>;
}

/** `hold(method, path)` decides, per request, whether this one is held forever. */
export async function startStallProxy(target: string, hold: (method: string, path: string) => boolean): Promise<StallProxy> {
  const seen: string[] = [];
  const holds: { promise: Promise<void>; resolve: () => void }[] = [];
  const nextHold = (i: number) => {
    while (holds.length <= i) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      holds.push({ promise, resolve });
    }
    return holds[i]!;
  };
  let heldCount = 0;
  const stuck = new Set<IncomingMessage>();
  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    seen.push(`${req.method} ${path}`);
    if (hold(req.method ?? "GET", path)) {
      const slot = nextHold(heldCount++);
      stuck.add(req);
      req.on("end", () => slot.resolve());
      req.on("close", () => stuck.delete(req));
      req.resume();
      return;
    }
    const upstream = request(new URL(path, target), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    held: (n = 1) => nextHold(n - 1).promise,
    close: () =>
      new Promise<void>((resolve) => {
        for (const req of stuck) req.socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
