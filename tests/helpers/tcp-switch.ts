// A TCP forwarder whose target can be moved, for tests: what docs/DEPLOY.md's failover moves (a DNS name, a
// virtual IP, an HAProxy in front of PostgreSQL). Moving it cuts every open connection, as a failover does.
import { createConnection, createServer, type Socket } from "node:net";

export interface TcpSwitch {
  port: number;
  /** Sends new connections to `port` on 127.0.0.1 and cuts the open ones. */
  moveTo(port: number): void;
  close(): Promise<void>;
}

export async function startTcpSwitch(target: number): Promise<TcpSwitch> {
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: "127.0.0.1", port: target });
    for (const s of [client, upstream]) {
      open.add(s);
      s.on("error", () => {});
      s.on("close", () => {
        open.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    moveTo(port) {
      target = port;
      for (const s of open) s.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
