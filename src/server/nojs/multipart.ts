// A streaming reader of multipart/form-data request bodies (RFC 7578), for the page without JavaScript:
// a form's fields arrive in document order, each part's body is handed on in pieces as it arrives, and
// nothing is kept beyond the piece being looked at and a delimiter's length. Runtime-neutral (Web streams
// and Uint8Array only), so Node and Workers parse the same way.
import { concatChunks } from "../../core/bytes.js";
import { DEFAULT_BODY_IDLE_SECONDS, readWithin } from "../body.js";

export interface PartHeaders {
  /** The form field's name. */
  name: string;
  /** The file name a file input sent (possibly ""), or null for an ordinary field. */
  filename: string | null;
  /** The part's Content-Type, lowercased, or "" if none was sent. */
  type: string;
}

/** "stalled": no byte arrived for the idle time (the body policy's, body.ts), and the body was dropped. */
export type MultipartErrorReason = "malformed" | "too_large" | "stalled";

export class MultipartError extends Error {
  override name = "MultipartError";
  constructor(
    readonly reason: MultipartErrorReason,
    message: string,
  ) {
    super(message);
  }
}

const MAX_HEADER_BYTES = 16 * 1024;
const CRLF = Uint8Array.of(13, 10);
const HEADERS_END = Uint8Array.of(13, 10, 13, 10);
const encoder = new TextEncoder();

/** The boundary from a `multipart/form-data; boundary=…` Content-Type, or null for any other type. */
export function multipartBoundary(contentType: string | undefined): string | null {
  if (!contentType) return null;
  const [type, ...params] = contentType.split(";");
  if (type?.trim().toLowerCase() !== "multipart/form-data") return null;
  for (const p of params) {
    const eq = p.indexOf("=");
    if (eq < 0 || p.slice(0, eq).trim().toLowerCase() !== "boundary") continue;
    let value = p.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    // RFC 2046: 1 to 70 characters from a small set.
    return /^[0-9A-Za-z'()+_,\-./:=? ]{1,70}$/.test(value) && !value.endsWith(" ") ? value : null;
  }
  return null;
}

/** Where `needle` starts in `hay` at or after `from`, or -1. */
function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0]!;
  for (let i = hay.indexOf(first, from); i >= 0 && i + needle.length <= hay.length; i = hay.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

/** A quoted or bare parameter of a Content-Disposition header; browsers percent-escape `"`, CR and LF in it. */
function parameter(header: string, name: string): string | null {
  const re = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]*))`, "i");
  const m = re.exec(header);
  if (!m) return null;
  return (m[1] ?? m[2] ?? "").replace(/%22/g, '"').replace(/%0D/gi, "\r").replace(/%0A/gi, "\n");
}

function parseHeaders(bytes: Uint8Array): PartHeaders {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new MultipartError("malformed", "a part's headers are not UTF-8");
  }
  let disposition: string | null = null;
  let type = "";
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new MultipartError("malformed", "a part header has no name");
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "content-disposition") disposition = value;
    else if (name === "content-type") type = value.toLowerCase();
  }
  if (disposition === null || !/^form-data\s*(;|$)/i.test(disposition)) throw new MultipartError("malformed", "a part is not form-data");
  const name = parameter(disposition, "name");
  if (name === null) throw new MultipartError("malformed", "a part has no name");
  return { name, filename: parameter(disposition, "filename"), type };
}

/**
 * Reads one multipart body part after part: `next()` gives the next part's headers, then `chunks()` (or
 * `text()`) its body. A part's body not read before the next `next()` is skipped. More than `maxBytes` of
 * body in all fails with a MultipartError("too_large"), whatever Content-Length said; nothing arriving for
 * `idleMs` with a MultipartError("stalled").
 */
export class MultipartReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly delimiter: Uint8Array;
  /** Bytes read and not yet handed on. The body is read as if it began with CRLF, so every delimiter looks alike. */
  private buffer: Uint8Array = CRLF;
  private received = 0;
  private ended = false;
  /** Whether the current part's body has been read up to its delimiter. */
  private inBody = false;
  private finished = false;

  constructor(
    body: ReadableStream<Uint8Array>,
    boundary: string,
    private readonly maxBytes: number,
    private readonly idleMs = DEFAULT_BODY_IDLE_SECONDS * 1000,
  ) {
    this.reader = body.getReader();
    this.delimiter = encoder.encode(`\r\n--${boundary}`);
  }

  /** Reads more of the body into the buffer; false once the body ended. */
  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    let result: ReadableStreamReadResult<Uint8Array> | "stalled";
    try {
      result = await readWithin(this.reader, this.idleMs);
    } catch {
      throw new MultipartError("malformed", "the request body could not be read");
    }
    if (result === "stalled") {
      await this.cancel();
      throw new MultipartError("stalled", `nothing of the request body arrived for ${this.idleMs / 1000} seconds`);
    }
    if (result.done) {
      this.ended = true;
      return false;
    }
    this.received += result.value.length;
    if (this.received > this.maxBytes) {
      await this.cancel();
      throw new MultipartError("too_large", `the request body is larger than ${this.maxBytes} bytes`);
    }
    this.buffer = this.buffer.length === 0 ? result.value : concatChunks([this.buffer, result.value]);
    return true;
  }

  /** The next part's headers, or null after the closing delimiter. */
  async next(): Promise<PartHeaders | null> {
    if (this.finished) return null;
    if (this.inBody) for await (const _ of this.chunks()); // Skip what was not read.
    // At a delimiter: find it (the first one), then "--" ends the body, CRLF starts a part.
    for (;;) {
      const at = indexOf(this.buffer, this.delimiter);
      if (at >= 0 && this.buffer.length >= at + this.delimiter.length + 2) {
        if (at !== 0) throw new MultipartError("malformed", "data before the first boundary");
        const after = this.buffer.subarray(at + this.delimiter.length);
        if (after[0] === 45 && after[1] === 45) {
          this.finished = true;
          await this.cancel();
          return null;
        }
        // Transport padding (spaces, tabs) may follow a delimiter before its CRLF.
        let i = 0;
        while (after[i] === 32 || after[i] === 9) i++;
        if (i + 2 > after.length) {
          if (!(await this.fill())) throw new MultipartError("malformed", "the body ended inside a boundary");
          continue;
        }
        if (after[i] !== 13 || after[i + 1] !== 10) throw new MultipartError("malformed", "a boundary is not followed by a line break");
        this.buffer = after.subarray(i + 2);
        break;
      }
      if (this.buffer.length > MAX_HEADER_BYTES + this.delimiter.length) throw new MultipartError("malformed", "no boundary where one was expected");
      if (!(await this.fill())) throw new MultipartError("malformed", "the body ended before its closing boundary");
    }
    for (;;) {
      const end = indexOf(this.buffer, HEADERS_END);
      if (end >= 0) {
        const headers = parseHeaders(this.buffer.subarray(0, end));
        // Kept as a view: the headers' bytes go with the next piece handed on.
        this.buffer = this.buffer.subarray(end + HEADERS_END.length);
        this.inBody = true;
        return headers;
      }
      if (this.buffer.length > MAX_HEADER_BYTES) throw new MultipartError("malformed", "a part's headers are too long");
      if (!(await this.fill())) throw new MultipartError("malformed", "the body ended inside a part's headers");
    }
  }

  /** The current part's body in pieces, as it arrives. Each piece is valid until the next is asked for. */
  async *chunks(): AsyncGenerator<Uint8Array> {
    if (!this.inBody) return;
    for (;;) {
      const at = indexOf(this.buffer, this.delimiter);
      if (at >= 0) {
        if (at > 0) yield this.buffer.subarray(0, at);
        // The delimiter stays in the buffer for next().
        this.buffer = this.buffer.subarray(at);
        this.inBody = false;
        return;
      }
      // All but the last bytes, which could be the start of a delimiter split across reads.
      const safe = this.buffer.length - (this.delimiter.length - 1);
      if (safe > 0) {
        const piece = this.buffer.subarray(0, safe);
        this.buffer = this.buffer.subarray(safe);
        yield piece;
      }
      if (!(await this.fill())) throw new MultipartError("malformed", "the body ended inside a part");
    }
  }

  /** The current part's body as UTF-8 text of at most `maxBytes` bytes (else MultipartError("too_large")). */
  async text(maxBytes: number): Promise<string> {
    const pieces: Uint8Array[] = [];
    let size = 0;
    for await (const piece of this.chunks()) {
      size += piece.length;
      if (size > maxBytes) throw new MultipartError("too_large", "a form field is too long");
      pieces.push(piece.slice());
    }
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(concatChunks(pieces));
    } catch {
      throw new MultipartError("malformed", "a form field is not UTF-8");
    }
  }

  /** Stops reading the body (after an error, or once the closing delimiter was seen). */
  async cancel(): Promise<void> {
    this.ended = true;
    await this.reader.cancel().catch(() => {});
  }
}
