// The streaming multipart reader of the page without JavaScript (src/server/nojs/multipart.ts), on bodies
// written by the platform's own FormData encoder and cut into pieces at every possible place.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { html } from "../../src/server/nojs/html.js";
import { MultipartError, MultipartReader, multipartBoundary } from "../../src/server/nojs/multipart.js";

/** A body as a browser would send it, and its boundary. */
async function encoded(form: FormData): Promise<{ body: Uint8Array; boundary: string }> {
  const request = new Request("http://x/", { method: "POST", body: form });
  const boundary = multipartBoundary(request.headers.get("content-type") ?? "");
  expect(boundary).not.toBeNull();
  return { body: new Uint8Array(await request.arrayBuffer()), boundary: boundary! };
}

/** `bytes` as a stream of pieces of the given sizes (the last piece takes the rest). */
function streamOf(bytes: Uint8Array, sizes: number[]): ReadableStream<Uint8Array> {
  let at = 0;
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      const n = sizes[i++] ?? bytes.length - at;
      controller.enqueue(bytes.slice(at, at + n));
      at += n;
    },
  });
}

interface ReadPart {
  name: string;
  filename: string | null;
  type: string;
  /** The body in hex: cheap to compare. */
  body: string;
}

async function readAll(stream: ReadableStream<Uint8Array>, boundary: string, max = 1 << 30): Promise<ReadPart[]> {
  const reader = new MultipartReader(stream, boundary, max);
  const parts: ReadPart[] = [];
  for (let p = await reader.next(); p !== null; p = await reader.next()) {
    const chunks: Buffer[] = [];
    for await (const c of reader.chunks()) chunks.push(Buffer.from(c));
    parts.push({ ...p, body: Buffer.concat(chunks).toString("hex") });
  }
  return parts;
}

describe("the multipart reader", () => {
  it("reads fields and files exactly, however the body is cut", async () => {
    const file = randomBytes(5000);
    // A file full of what looks like the start of a delimiter.
    const tricky = Buffer.concat([Buffer.from("\r\n--\r\n-\r\n--"), randomBytes(100), Buffer.from("\r\n")]);
    const form = new FormData();
    form.append("lang", "ko");
    form.append("message", "첫 줄\r\n둘째 줄 \"인용\" 100%");
    form.append("files", new Blob([new Uint8Array(file)], { type: "image/jpeg" }), "사진 \"1\".jpg");
    form.append("files", new Blob([new Uint8Array(tricky)]), "tricky.bin");
    form.append("files", new Blob([]), "");
    form.append("keep-codename", "1");
    const { body, boundary } = await encoded(form);
    const hex = (b: Buffer | string) => Buffer.from(b).toString("hex");
    const expected = [
      { name: "lang", filename: null, body: hex("ko") },
      { name: "message", filename: null, body: hex("첫 줄\r\n둘째 줄 \"인용\" 100%") },
      { name: "files", filename: '사진 "1".jpg', type: "image/jpeg", body: hex(file) },
      { name: "files", filename: "tricky.bin", body: hex(tricky) },
      // Node's encoder leaves an empty file name out (a browser sends filename=""): a field, as the route takes it.
      { name: "files", filename: null, body: "" },
      { name: "keep-codename", filename: null, body: hex("1") },
    ];
    expect(await readAll(streamOf(body, [body.length]), boundary)).toMatchObject(expected);
    // Every single cut point around the parts' edges, and one byte at a time.
    for (let cut = 1; cut < body.length; cut += cut < 400 || cut > body.length - 400 ? 1 : 97) {
      expect(await readAll(streamOf(body, [cut]), boundary)).toMatchObject(expected);
    }
    expect(await readAll(streamOf(body, new Array<number>(body.length).fill(1)), boundary)).toMatchObject(expected);
  });

  it("refuses a body larger than its limit while reading it, and malformed bodies", async () => {
    const form = new FormData();
    form.append("files", new Blob([new Uint8Array(randomBytes(100_000))]), "big.bin");
    const { body, boundary } = await encoded(form);
    await expect(readAll(streamOf(body, new Array<number>(100).fill(4096)), boundary, 50_000)).rejects.toMatchObject({ reason: "too_large" });
    const cutShort = body.subarray(0, body.length - 10);
    await expect(readAll(streamOf(cutShort, []), boundary)).rejects.toBeInstanceOf(MultipartError);
    await expect(readAll(streamOf(Buffer.from("junk before\r\n" + Buffer.from(body).toString("latin1"), "latin1"), []), boundary)).rejects.toMatchObject({ reason: "malformed" });
    await expect(readAll(streamOf(Buffer.from(`--${boundary}\r\nContent-Type: text/plain\r\n\r\nx\r\n--${boundary}--`), []), boundary)).rejects.toMatchObject({ reason: "malformed" });
    // What a browser sends for a file input left empty.
    const empty = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--${boundary}--\r\n`);
    expect(await readAll(streamOf(empty, [3]), boundary)).toMatchObject([{ name: "files", filename: "", type: "application/octet-stream", body: "" }]);
  });

  it("takes only multipart/form-data with a valid boundary", () => {
    expect(multipartBoundary('multipart/form-data; boundary="a b"')).toBe("a b");
    expect(multipartBoundary("multipart/form-data; charset=utf-8; boundary=----x")).toBe("----x");
    expect(multipartBoundary("application/x-www-form-urlencoded")).toBeNull();
    expect(multipartBoundary("multipart/form-data")).toBeNull();
    expect(multipartBoundary(`multipart/form-data; boundary=${"x".repeat(71)}`)).toBeNull();
  });
});

describe("server-written HTML", () => {
  it("escapes every value and keeps only markup that html`` made", () => {
    const name = `<script>alert("x")</script>&'`;
    expect(html`<p title="${name}">${name}${html`<b>${name}</b>`}${[name, null, false, 7]}</p>`.text).toBe(
      "<p title=\"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;\">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;<b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;7</p>",
    );
  });
});
