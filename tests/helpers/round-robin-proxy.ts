// A tiny load balancer in front of several sealdrop nodes, for tests: each request goes to the next live
// node in turn, counted per route (method and path with ids and part numbers left out), so consecutive
// parts of one upload alternate between nodes even with proof-of-work challenges between them. It reads a
// request's body before sending it on (as nginx buffers bodies), so when a node refuses or drops the
// connection before answering, that node leaves the rotation (a passive health check) and a GET or PUT,
// which may be sent twice, goes to the next node; anything else is answered 502.
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

export interface Served {
  method: string;
  path: string;
  /** Index of the node that answered. */
  node: number;
  status: number;
}

export interface RoundRobinProxy {
  url: string;
  /** Every answered request, in the order the answers came. */
  served: Served[];
  /** Nodes still in the rotation. */
  live(): number[];
  /** Resolves once `count` answered requests match `match`. */
  whenServed(count: number, match: (s: Served) => boolean): Promise<void>;
  close(): Promise<void>;
}

const routeOf = (method: string, path: string) => `${method} ${path.replace(/\?.*$/, "").replace(/[0-9a-f]{32}/g, ":id").replace(/\/\d+$/, "/:n")}`;

export async function startRoundRobinProxy(nodes: readonly string[]): Promise<RoundRobinProxy> {
  const served: Served[] = [];
  const down = new Set<number>();
  const turns = new Map<string, number>();
  const waiters: { count: number; match: (s: Served) => boolean; resolve: () => void }[] = [];
  const notify = () => {
    for (const w of [...waiters]) {
      if (served.filter(w.match).length >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const live = () => nodes.map((_, i) => i).filter((i) => !down.has(i));
  const next = (route: string): number | undefined => {
    const candidates = live();
    if (candidates.length === 0) return undefined;
    const turn = turns.get(route) ?? 0;
    turns.set(route, turn + 1);
    return candidates[turn % candidates.length];
  };

  const server = createServer((req, res) => {
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const route = routeOf(method, path);
      const attempt = () => {
        const node = next(route);
        if (node === undefined) {
          res.writeHead(502, { "content-type": "text/plain" }).end("no node answers");
          return;
        }
        const headers = { ...req.headers, connection: "close", "content-length": String(body.length) };
        delete headers["transfer-encoding"];
        let answered = false;
        const upstream = request(new URL(path, nodes[node]), { method, headers, agent: false }, (answer) => {
          answered = true;
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on("end", () => {
            served.push({ method, path, node, status: answer.statusCode ?? 0 });
            notify();
          });
          answer.on("error", () => res.destroy());
        });
        upstream.on("error", () => {
          if (answered) return res.destroy();
          down.add(node);
          if (method === "GET" || method === "PUT") attempt();
          else res.writeHead(502, { "content-type": "text/plain" }).end("the node went away");
        });
        upstream.end(body);
      };
      attempt();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    live,
    whenServed: (count, match) =>
      new Promise<void>((resolve) => {
        waiters.push({ count, match, resolve });
        notify();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
