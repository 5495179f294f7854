// The page's only way out: JSON requests to the inbox that served it, each carrying the one-time token
// in a header. The token comes from the address the editor opened and stays in this module's memory.
import type { ApiErrorBody } from "../../src/cli/inbox/wire.js";

const TOKEN_HEADER = "x-sealdrop-inbox-token";
const token = new URLSearchParams(location.search).get("token") ?? "";

export class InboxRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function request<T>(path: string, init: { method?: "GET" | "POST"; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { [TOKEN_HEADER]: token };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(path, {
    method: init.method ?? "GET",
    headers,
    credentials: "omit",
    cache: "no-store",
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new InboxRequestError("inbox_bad_answer", `${res.status}`);
  }
  if (!res.ok) {
    const error = (body as Partial<ApiErrorBody>).error;
    throw new InboxRequestError(error?.code ?? "inbox_failed", error?.message ?? `${res.status}`);
  }
  return body as T;
}

/** An address for a resource the browser itself loads (a preview frame, the graph's script): token in the query. */
export const tokenUrl = (path: string): string => `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
