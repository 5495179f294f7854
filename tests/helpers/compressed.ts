// Reads the built page back from a running server the way a browser on a slow link asks for it, without
// fetch()'s automatic decompression, so a test sees exactly which bytes and headers went over the wire.
import { request } from "node:http";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** A GET with exactly these headers (Node's http adds none of its own encodings). */
export function rawGet(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "GET", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const flat: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(", ") : v;
        resolve({ status: res.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks) });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

export function decode(res: RawResponse): Buffer {
  switch (res.headers["content-encoding"]) {
    case undefined:
    case "identity":
      return res.body;
    case "br":
      return brotliDecompressSync(res.body);
    case "gzip":
      return gunzipSync(res.body);
    default:
      throw new Error(`unexpected content-encoding ${res.headers["content-encoding"]}`);
  }
}

/** The entry script and the stylesheet that the built index.html loads, as paths on the server. */
export async function entryFiles(clientDir: string): Promise<{ script: string; style: string }> {
  const html = await readFile(join(clientDir, "index.html"), "utf8");
  const script = /<script\b[^>]*\ssrc="([^"]+)"/.exec(html)?.[1];
  const style = /<link rel="stylesheet"[^>]*\shref="([^"]+)"/.exec(html)?.[1];
  if (!script || !style) throw new Error("index.html names no entry script or stylesheet");
  return { script, style };
}

/** Whether a served `/` is the built index.html apart from the form in its <noscript> (core/release-manifest.ts). */
export { isBuiltPage } from "../../src/core/release-manifest.js";
