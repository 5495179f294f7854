// What the source page does, in Node: encrypt, upload, submit, each write with proof of work. For tests that need submissions
// without a browser (the browser path has its own end-to-end test).
import { toBase64 } from "../../src/core/bytes.js";
import { type Envelope, type ReplyChannel, sealBytes, sealEnvelope } from "../../src/core/envelope.js";
import type { NewsroomResponse, Receipt } from "../../src/core/wire.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { toHex } from "../../src/core/bytes.js";
import { freshFetch } from "./http.js";
import { powFetch } from "./pow.js";

export interface FileToSend {
  name: string;
  type: string;
  bytes: Uint8Array;
}

export async function fetchNewsroom(url: string): Promise<NewsroomResponse> {
  const res = await freshFetch(`${url}/api/newsroom`);
  if (!res.ok) throw new Error(`newsroom: ${res.status}`);
  return (await res.json()) as NewsroomResponse;
}

export async function uploadCiphertext(url: string, ciphertext: Uint8Array, partSize = 8 << 20): Promise<string> {
  const created = await powFetch(`${url}/api/uploads`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  if (created.status !== 201) throw new Error(`upload create: ${created.status} ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  for (let part = 0, offset = 0; offset < ciphertext.length; part++, offset += partSize) {
    const res = await powFetch(`${url}/api/uploads/${id}/parts/${part}`, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream" },
      body: ciphertext.slice(offset, offset + partSize) as Uint8Array<ArrayBuffer>,
    });
    if (!res.ok) throw new Error(`upload part: ${res.status} ${await res.text()}`);
  }
  return id;
}

export interface TipOptions {
  /** The reply channel a codename gives (src/core/derive.ts); null, the default, for a source without one. */
  reply?: ReplyChannel | null;
  kind?: Envelope["kind"];
  /** How the submission is sent; default `powFetch` (one try). */
  send?: typeof powFetch;
}

export async function submitTip(url: string, message: string, files: FileToSend[] = [], desk = "news", options: TipOptions = {}): Promise<Receipt> {
  const newsroom = await fetchNewsroom(url);
  const recipients = newsroom.desks.find((d) => d.id === desk)!.recipients;
  const uploads: string[] = [];
  for (const f of files) uploads.push(await uploadCiphertext(url, await sealBytes(f.bytes, recipients)));
  const envelope: Envelope = {
    v: 1,
    kind: options.kind ?? "submission",
    desk,
    message,
    fields: {},
    attachments: files.map((f) => ({ name: f.name, type: f.type, size: f.bytes.length, sha256: toHex(sha256(f.bytes)) })),
    reply: options.reply ?? null,
    client: "sealdrop-test/0",
    lang: "en",
  };
  const res = await (options.send ?? powFetch)(`${url}/api/submissions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ desk, envelope: toBase64(await sealEnvelope(envelope, recipients)), attachments: uploads }),
  });
  if (res.status !== 201) throw new Error(`submit: ${res.status} ${await res.text()}`);
  return (await res.json()) as Receipt;
}
