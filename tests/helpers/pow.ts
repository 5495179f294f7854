// Anonymous writes as the source page makes them: fetch a challenge, solve it for this exact request,
// send it in the x-sealdrop-pow header. Tests that exercise the real path use powFetch.
import { POW_PATH, proofOfWorkHeaders } from "../../src/core/pow.js";
import { freshFetch } from "./http.js";

const toBytes = (body: BodyInit | null | undefined): Uint8Array => {
  if (body === undefined || body === null) return new Uint8Array(0);
  if (typeof body === "string") return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError("powFetch takes a string or byte body");
};

/** `fetch(url, init)` with a solved proof of work for `url`'s path, query, method and body. */
export async function powFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const target = new URL(url);
  const body = toBytes(init.body);
  const pow = await proofOfWorkHeaders(target.origin, init.method ?? "GET", target.pathname + target.search, body, { fetch: freshFetch });
  const headers = new Headers(init.headers);
  for (const [k, v] of Object.entries(pow)) headers.set(k, v);
  return freshFetch(url, { ...init, headers, body: init.body === undefined ? undefined : (body as Uint8Array<ArrayBuffer>) });
}

/**
 * `powFetch` with the source page's retry policy (client/api.ts, withProofOfWork): when the server still
 * asks for proof of work (the challenge expired, or difficulty rose in between), one more try with a
 * fresh challenge; anything else is the answer.
 */
export async function powFetchAsThePage(url: string, init: RequestInit = {}): Promise<Response> {
  const first = await powFetch(url, init);
  if (first.status !== 428) return first;
  await first.arrayBuffer();
  return powFetch(url, init);
}

/** A challenge from the server, for tests that build the header themselves. */
export async function fetchChallenge(origin: string): Promise<{ token: string; bits: number; expires: number }> {
  const res = await freshFetch(`${origin}${POW_PATH}`);
  if (!res.ok) throw new Error(`pow challenge: ${res.status}`);
  return (await res.json()) as { token: string; bits: number; expires: number };
}
