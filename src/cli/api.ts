// The HTTP client for the sealdrop API. Editor endpoints are signed (docs/FORMAT.md, "Signed requests"):
// the message is built by src/core/signing.ts, the same code the server verifies against.
import sodium from "libsodium-wrappers-sumo";
import { z } from "zod";
import { ApiError, apiErrorFrom } from "../core/api-error.js";
import { concatChunks, utf8 } from "../core/bytes.js";
import { requestSignatureHeaders } from "../core/signing.js";
import { CliError } from "./errors.js";

export interface Signer {
  editorId: string;
  signSecretKey: Uint8Array;
}

export function normalizeServerUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`invalid server URL ${JSON.stringify(text)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new CliError(`the server URL must be http or https, not ${url.protocol}`);
  if (url.search || url.hash || url.username || url.password) throw new CliError("the server URL must not carry a query, fragment or credentials");
  return url.href.replace(/\/+$/, "");
}

export class SealdropApi {
  readonly base: string;

  constructor(
    base: string,
    private readonly signer: Signer | null = null,
  ) {
    this.base = normalizeServerUrl(base);
  }

  get<T>(path: string, schema: z.core.$ZodType<T>): Promise<T> {
    return this.json("GET", path, undefined, schema);
  }

  post<T>(path: string, body: unknown, schema: z.core.$ZodType<T>): Promise<T> {
    return this.json("POST", path, body, schema);
  }

  delete<T>(path: string, schema: z.core.$ZodType<T>): Promise<T> {
    return this.json("DELETE", path, undefined, schema);
  }

  /** Streams a binary response body. */
  async stream(path: string): Promise<{ body: ReadableStream<Uint8Array>; size: number | null }> {
    const response = await this.send("GET", path, undefined);
    if (!response.body) throw new ApiError(response.status, "bad_response", "the server sent no body");
    const length = response.headers.get("content-length");
    return { body: response.body, size: length === null ? null : Number(length) };
  }

  /** Downloads a binary response into memory, refusing more than `maxBytes`. */
  async download(path: string, maxBytes: number): Promise<Uint8Array> {
    const { body, size } = await this.stream(path);
    if (size !== null && size > maxBytes) {
      await body.cancel();
      throw new ApiError(200, "bad_response", `the server sent ${size} bytes, more than the expected ${maxBytes}`);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      total += chunk.length;
      if (total > maxBytes) throw new ApiError(200, "bad_response", `the server sent more than the expected ${maxBytes} bytes`);
      chunks.push(chunk);
    }
    return concatChunks(chunks);
  }

  private async json<T>(method: string, path: string, body: unknown, schema: z.core.$ZodType<T>): Promise<T> {
    const response = await this.send(method, path, body === undefined ? undefined : utf8(JSON.stringify(body)));
    let json: unknown;
    try {
      json = await response.json();
    } catch {
      throw new ApiError(response.status, "bad_response", `the server's answer to ${method} ${path} is not JSON`);
    }
    const parsed = z.safeParse(schema, json);
    if (!parsed.success) throw new ApiError(response.status, "bad_response", `unexpected answer to ${method} ${path}: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  }

  private async send(method: string, path: string, body: Uint8Array | undefined): Promise<Response> {
    const url = new URL(this.base + path);
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.signer) Object.assign(headers, await this.signatureHeaders(method, url.pathname + url.search, body ?? new Uint8Array()));
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body: body as Uint8Array<ArrayBuffer> | undefined, redirect: "error" });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`cannot reach the server at ${this.base}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
    }
    if (!response.ok) throw await apiError(response);
    return response;
  }

  private async signatureHeaders(method: string, pathAndQuery: string, body: Uint8Array): Promise<Record<string, string>> {
    await sodium.ready;
    const signer = this.signer!;
    return requestSignatureHeaders(signer.editorId, (message) => sodium.crypto_sign_detached(message, signer.signSecretKey), { method, pathAndQuery, body });
  }
}

async function apiError(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => "");
  return apiErrorFrom(response.status, text, `the server answered ${response.status} ${response.statusText}`.trim());
}
