// A tiny SOCKS5 proxy (RFC 1928, CONNECT, no authentication) for tests of clients that go through Tor's
// SOCKS port. Like Tor it resolves names itself: a name the client sends (ATYP 3) is looked up here in
// `names` (a test's own names, which no resolver knows), and every destination asked for is recorded.
import { createServer, connect, type Socket } from "node:net";

export interface Socks5Proxy {
  url: string;
  /** Every CONNECT asked for: the address type (`name`, `ipv4`, `ipv6`), host and port. */
  requests: { type: "name" | "ipv4" | "ipv6"; host: string; port: number }[];
  close(): Promise<void>;
}

/** Reads exactly `n` bytes from a socket that is paused between reads. */
function reader(socket: Socket) {
  let buffered = Buffer.alloc(0);
  let waiting: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  const pump = () => {
    if (waiting && buffered.length >= waiting.n) {
      const { n, resolve } = waiting;
      waiting = null;
      const out = buffered.subarray(0, n);
      buffered = buffered.subarray(n);
      resolve(out);
    }
  };
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    pump();
  };
  socket.on("data", onData);
  socket.once("close", () => waiting?.reject(new Error("closed")));
  return {
    read: (n: number) => new Promise<Buffer>((resolve, reject) => ((waiting = { n, resolve, reject }), pump())),
    /** Stops reading and hands back what came after the handshake. */
    release: () => {
      socket.off("data", onData);
      return buffered;
    },
  };
}

export function startSocks5Proxy(names: Record<string, string> = {}): Promise<Socks5Proxy> {
  const requests: Socks5Proxy["requests"] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.once("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    void (async () => {
      const r = reader(client);
      const [version, methods] = await r.read(2);
      if (version !== 5) return client.destroy();
      await r.read(methods!);
      client.write(Buffer.from([5, 0])); // no authentication
      const [, command, , atyp] = await r.read(4);
      let host: string;
      let type: "name" | "ipv4" | "ipv6";
      if (atyp === 1) [type, host] = ["ipv4", [...(await r.read(4))].join(".")];
      else if (atyp === 3) [type, host] = ["name", (await r.read((await r.read(1))[0]!)).toString("latin1")];
      else if (atyp === 4) [type, host] = ["ipv6", ((await r.read(16)).toString("hex").match(/.{4}/g) ?? []).join(":")];
      else return client.destroy();
      const port = (await r.read(2)).readUInt16BE(0);
      requests.push({ type, host, port });
      const address = type === "name" ? names[host] : host;
      // 0x04: host unreachable (a name the proxy cannot resolve); 0x07: command not supported.
      if (command !== 1 || address === undefined) return client.end(Buffer.from([5, command !== 1 ? 7 : 4, 0, 1, 0, 0, 0, 0, 0, 0]));
      const upstream = connect({ host: address, port }, () => {
        client.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]));
        const early = r.release();
        if (early.length > 0) upstream.write(early);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      sockets.add(upstream);
      upstream.once("close", () => (sockets.delete(upstream), client.destroy()));
      upstream.on("error", () => client.destroy());
      client.once("close", () => upstream.destroy());
    })().catch(() => client.destroy());
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `socks5h://127.0.0.1:${port}`,
        requests,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
