// fetch() for tests that never reuses a pooled keep-alive connection: every request asks the server to
// close its connection after the answer (`Connection: close`), so fetch's pool keeps no socket that a
// killed, restarted or idle-timed-out server has closed under it (on a loaded machine the next request
// would otherwise race that close and fail with "other side closed" or ECONNRESET). See docs in
// /work/wt/COMMON.md's testing rules: no keep-alive across a server restart.
export function freshFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined));
  headers.set("connection", "close");
  return fetch(input, { ...init, headers });
}
