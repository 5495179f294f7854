// Request bodies are read with a hard size limit and parsed by a schema before any handler sees them.
import type { Context } from "hono";
import * as z from "zod/mini";
import { en } from "zod/locales";
import { isAgeFile } from "../core/age.js";
import { concatChunks, fromBase64 } from "../core/bytes.js";
import { HttpError } from "./http-error.js";

// zod/mini ships without messages (to keep the page small); the server says what was wrong in English.
z.config(en());

/** Reads the raw body, failing with 413 as soon as it passes `max` bytes (whatever Content-Length says). */
export async function readBody(c: Context, max: number): Promise<Uint8Array> {
  const declared = c.req.header("content-length");
  if (declared !== undefined && Number(declared) > max) throw tooLarge(max);
  // With a Content-Length the HTTP layer delivers exactly that many bytes, so the body can be read whole
  // (the Node adapter does so without building a web stream); only a chunked body needs counting.
  if (declared !== undefined && /^\d+$/.test(declared)) {
    try {
      return new Uint8Array(await c.req.raw.arrayBuffer());
    } catch {
      throw new HttpError(400, "bad_request", "The request body could not be read.");
    }
  }
  const stream = c.req.raw.body;
  if (!stream) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  for (;;) {
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await reader.read();
    } catch {
      throw new HttpError(400, "bad_request", "The request body could not be read.");
    }
    if (result.done) break;
    total += result.value.length;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw tooLarge(max);
    }
    chunks.push(result.value);
  }
  return concatChunks(chunks);
}

const tooLarge = (max: number) => new HttpError(413, "payload_too_large", `The request body is larger than ${max} bytes.`);

function requireType(c: Context, expected: string): void {
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== expected) throw new HttpError(415, "unsupported_media_type", `Send the body as ${expected}.`);
}

export async function readJson<S extends z.core.$ZodType>(c: Context, schema: S, max: number): Promise<z.output<S>> {
  requireType(c, "application/json");
  return parseJson(await readBody(c, max), schema);
}

export function parseJson<S extends z.core.$ZodType>(bytes: Uint8Array, schema: S): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new HttpError(400, "bad_request", "The body is not valid UTF-8 JSON.");
  }
  const parsed = z.safeParse(schema, value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
    throw new HttpError(400, "invalid_body", `The body does not match the expected shape${where}: ${issue?.message ?? "invalid"}.`);
  }
  return parsed.data;
}

export async function readBinary(c: Context, max: number): Promise<Uint8Array> {
  requireType(c, "application/octet-stream");
  return readBody(c, max);
}

export function decodeBase64Field(value: string, field: string): Uint8Array {
  try {
    return fromBase64(value);
  } catch {
    throw new HttpError(400, "invalid_body", `${field} is not valid base64.`);
  }
}

/** Cheap structural check: the server cannot decrypt, but it can refuse what is not an age v1 file. */
export function requireAgeFile(bytes: Uint8Array, what: string): void {
  if (!isAgeFile(bytes)) throw new HttpError(400, "invalid_ciphertext", `${what} is not an age v1 file.`);
}
