// What `sealdrop verify` asks of a server it distrusts: one GET per connection, directly or through a SOCKS5
// proxy that resolves names itself (socks5h, as Tor's SOCKS port does: no name lookup leaves this machine),
// each with a deadline and a size limit, no redirect followed, no cookie, no user agent, and the body's
// encoding undone here within a limit (a small brotli body can unpack to gigabytes).
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { SocksClient } from "socks";
import { CliError } from "../errors.js";

export interface SocksProxyAddress {
  host: string;
  port: number;
  userId?: string;
  password?: string;
}

/** `socks5h://[user:pass@]HOST:PORT`; plain `socks5://` would resolve names here, outside the proxy. */
export function parseProxy(text: string): SocksProxyAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`invalid proxy ${JSON.stringify(text.slice(0, 200))}: expected socks5h://HOST:PORT`, 2, "bad_proxy");
  }
  if (url.protocol === "socks5:") throw new CliError("use socks5h://HOST:PORT, so the proxy resolves names (socks5:// would look them up outside the proxy)", 2, "bad_proxy");
  if (url.protocol !== "socks5h:" || !url.hostname || !url.port || url.pathname.replace(/^\/$/, "") || url.search || url.hash) {
    throw new CliError(`invalid proxy ${JSON.stringify(text.slice(0, 200))}: expected socks5h://HOST:PORT`, 2, "bad_proxy");
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return { host, port: Number(url.port), ...(url.username ? { userId: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } : {}) };
}

export interface FetchOptions {
  proxy: SocksProxyAddress | null;
  /** Per request, from connecting to the last byte. */
  timeoutMs: number;
}

export type Encoding = "identity" | "gzip" | "br";

export interface Fetched {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as sent (still encoded). */
  raw: Uint8Array;
  /** The encoding the server named; the body decoded from it. */
  encoding: Encoding;
  body: Uint8Array;
}

/** A failure to get a file: it names the URL path and says why, with a stable code. */
export class FetchFailure extends CliError {
  override name = "FetchFailure";
  constructor(
    readonly path: string,
    message: string,
    code: "unreachable" | "timeout" | "too_large" | "bad_response" | "bad_encoding",
  ) {
    super(`${path}: ${message}`, 1, code);
  }
}

async function openSocket(url: URL, options: FetchOptions): Promise<Socket> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  let socket: Socket;
  if (options.proxy) {
    const { host: proxyHost, port: proxyPort, userId, password } = options.proxy;
    const established = await SocksClient.createConnection({
      proxy: { host: proxyHost, port: proxyPort, type: 5, ...(userId !== undefined ? { userId, password } : {}) },
      command: "connect",
      // A name is sent to the proxy as a name (SOCKS5 ATYP 3): the proxy resolves it.
      destination: { host, port },
      timeout: options.timeoutMs,
    });
    socket = established.socket;
  } else {
    socket = await new Promise<Socket>((resolve, reject) => {
      const s = netConnect({ host, port }, () => resolve(s));
      s.once("error", reject);
    });
  }
  if (url.protocol !== "https:") return socket;
  return new Promise<Socket>((resolve, reject) => {
    const tls = tlsConnect({ socket, servername: /^[\d.]+$|:/.test(host) ? undefined : host }, () => resolve(tls));
    tls.once("error", reject);
  });
}

function decode(raw: Uint8Array, encoding: Encoding, maxBytes: number): Uint8Array {
  if (encoding === "identity") return raw;
  const options = { maxOutputLength: maxBytes };
  return encoding === "br" ? brotliDecompressSync(raw, options) : gunzipSync(raw, options);
}

/**
 * GETs `path` from `base` asking for `accept` (one encoding), and returns the body decoded. Anything but a
 * 200 with a body of at most `maxBytes` (encoded and decoded) in an encoding this client knows is refused.
 */
export async function fetchFile(base: URL, path: string, accept: Encoding, maxBytes: number, options: FetchOptions): Promise<Fetched> {
  const url = new URL(base.href.replace(/\/+$/, "") + path);
  const fail = (message: string, code: ConstructorParameters<typeof FetchFailure>[2]) => new FetchFailure(path, message, code);
  return new Promise<Fetched>((resolve, reject) => {
    let settled = false;
    const done = (error: Error | null, value?: Fetched) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        req.destroy();
        reject(error);
      } else resolve(value!);
    };
    const timer = setTimeout(() => done(fail(`no complete answer within ${Math.round(options.timeoutMs / 1000)} s`, "timeout")), options.timeoutMs);
    const req = httpRequest(
      {
        method: "GET",
        host: url.hostname,
        port: url.port || (url.protocol === "https:" ? 443 : 80),
        path: url.pathname + url.search,
        headers: { accept: "*/*", "accept-encoding": accept, connection: "close" },
        createConnection: ((_: unknown, oncreate: (err: Error | null, socket?: Socket) => void) => {
          openSocket(url, options).then(
            (s) => oncreate(null, s),
            (e: Error) => oncreate(e),
          );
          return undefined;
        }) as never,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          res.resume();
          return done(fail(status >= 300 && status < 400 ? `the server redirected (${status}); verify follows no redirect` : `the server answered ${status}`, "bad_response"));
        }
        const named = String(res.headers["content-encoding"] ?? "identity").trim().toLowerCase();
        if (named !== "identity" && named !== "gzip" && named !== "br") return done(fail("the server sent an encoding this client does not know", "bad_encoding"));
        const length = Number(res.headers["content-length"] ?? 0);
        if (length > maxBytes) return done(fail(`the server sent ${length} bytes, more than the ${maxBytes} allowed`, "too_large"));
        const chunks: Buffer[] = [];
        let total = 0;
        res.on("data", (chunk: Buffer) => {
          total += chunk.length;
          if (total > maxBytes) done(fail(`the server sent more than the ${maxBytes} bytes allowed`, "too_large"));
          else chunks.push(chunk);
        });
        res.on("error", () => done(fail("the connection broke during the answer", "unreachable")));
        res.on("end", () => {
          const raw = new Uint8Array(Buffer.concat(chunks));
          let body: Uint8Array;
          try {
            body = decode(raw, named, maxBytes);
          } catch {
            return done(fail(`the body does not decode as ${named} (or unpacks to more than ${maxBytes} bytes)`, "bad_encoding"));
          }
          done(null, { status, headers: res.headers, raw, encoding: named, body });
        });
      },
    );
    req.on("error", (e: NodeJS.ErrnoException) => {
      const why = e.code ?? e.message.split("\n")[0]!.slice(0, 200);
      done(fail(`cannot reach ${options.proxy ? "it through the proxy" : "the server"} (${why})`, "unreachable"));
    });
    req.end();
  });
}
