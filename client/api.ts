// The page's side of the HTTP API (docs/FORMAT.md, "Wire types" and "Proof of work"). Same-origin
// only, no credentials: the source's browser keeps no cookie and sends none.
import * as z from "zod/mini";
import { ApiError, apiErrorFrom } from "../src/core/api-error.js";
import { utf8 } from "../src/core/bytes.js";
import { POW_HEADER, POW_PATH, powHeaderFor } from "../src/core/pow.js";
import {
  mailboxResponse,
  newsroomResponse,
  powChallenge,
  receipt,
  rosterResponse,
  uploadStatus,
  type MailboxResponse,
  type NewsroomResponse,
  type Receipt,
  type RosterResponse,
  type SubmissionRequest,
  type UploadStatus,
} from "../src/core/wire.js";

/** The request never got an answer: offline, reset, or a proxy in the way. */
export class NetworkError extends Error {
  override name = "NetworkError";
}

type Headers = Record<string, string>;

async function request<T>(method: string, path: string, schema: z.ZodMiniType<T>, body?: Uint8Array<ArrayBuffer>, headers: Headers = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
      headers: { accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      body: body ?? null,
    });
  } catch (e) {
    throw new NetworkError(e instanceof Error ? e.message : String(e));
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    throw new NetworkError("the response was cut off");
  }
  if (!response.ok) throw apiErrorFrom(response.status, text);
  return schema.parse(JSON.parse(text));
}

/**
 * Runs an anonymous write with a proof of work bound to exactly this method, path and body. A fresh
 * challenge per request; if the server still asks for one (it expired, or difficulty rose in between),
 * one more try with a new challenge.
 */
async function withProofOfWork<T>(method: string, path: string, body: Uint8Array, send: (headers: Headers) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const challenge = await request("GET", POW_PATH, powChallenge);
    const headers = { [POW_HEADER]: await powHeaderFor(challenge, method, path, body) };
    try {
      return await send(headers);
    } catch (e) {
      if (attempt === 0 && e instanceof ApiError && e.code === "proof_of_work_required") continue;
      throw e;
    }
  }
}

/** A JSON write: the body is serialised once, so the bytes sent are the bytes the proof is bound to. */
function postJson<T>(path: string, schema: z.ZodMiniType<T>, value: unknown): Promise<T> {
  const body = utf8(JSON.stringify(value)) as Uint8Array<ArrayBuffer>;
  return withProofOfWork("POST", path, body, (headers) => request("POST", path, schema, body, headers));
}

export const getNewsroom = (): Promise<NewsroomResponse> => request("GET", "/api/newsroom", newsroomResponse);

/** The newsroom's signed roster, to verify here (client/authority.ts); null when it has none (404). */
export async function getRoster(): Promise<RosterResponse | null> {
  try {
    return await request("GET", "/api/roster", rosterResponse);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

export const createUpload = (): Promise<UploadStatus> => postJson("/api/uploads", uploadStatus, {});

export const postSubmission = (body: SubmissionRequest): Promise<Receipt> => postJson("/api/submissions", receipt, body);

/**
 * Fetches a mailbox by the id and credential a codename derives. An anonymous write (it spends server
 * work), so it carries a proof of work; an empty, unknown or wrongly opened mailbox all answer `[]`.
 */
export const fetchMailbox = (id: string, credential: string): Promise<MailboxResponse> => postJson("/api/mailbox", mailboxResponse, { id, credential });

/**
 * How long a part upload may go without any sign of life (no upload progress, no answer) before it is
 * dropped as stalled and, for a streamed file, sent again: a server or proxy that takes the request and
 * never answers would otherwise hold the page forever. Progress resets it, so a slow link is not a stall.
 * Tests set `globalThis.sealdropTuning.partIdleTimeoutMs` (page.addInitScript) to wait seconds, not a minute.
 */
export const PART_IDLE_TIMEOUT_MS = 60_000;
const partIdleTimeout = () => (globalThis as { sealdropTuning?: { partIdleTimeoutMs?: number } }).sealdropTuning?.partIdleTimeoutMs ?? PART_IDLE_TIMEOUT_MS;

/** The source pressed Cancel: everything stops, and nothing more is sent. */
export class CancelledError extends Error {
  override name = "CancelledError";
}

/**
 * Sends one part of an upload. XMLHttpRequest rather than fetch because only it reports upload
 * progress, which matters on a slow link where one part can take minutes. A stalled request is aborted
 * as a NetworkError (retried by the streaming upload); `signal` (Cancel) aborts it as a CancelledError.
 */
export function putPart(uploadId: string, index: number, bytes: Uint8Array, onProgress: (sent: number) => void, signal?: AbortSignal): Promise<UploadStatus> {
  const path = `/api/uploads/${encodeURIComponent(uploadId)}/parts/${index}`;
  // A copy of exactly these bytes: a subarray would send its whole underlying buffer.
  const body = bytes.slice();
  return withProofOfWork(
    "PUT",
    path,
    body,
    (headers) =>
      new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(new CancelledError("cancelled"));
        const xhr = new XMLHttpRequest();
        let why: Error = new NetworkError("the upload connection failed");
        let idle: ReturnType<typeof setTimeout> | undefined;
        const alive = () => {
          clearTimeout(idle);
          idle = setTimeout(() => {
            why = new NetworkError("the upload stalled: no progress and no answer");
            xhr.abort();
          }, partIdleTimeout());
        };
        const onCancel = () => {
          why = new CancelledError("cancelled");
          xhr.abort();
        };
        signal?.addEventListener("abort", onCancel, { once: true });
        xhr.onloadend = () => {
          clearTimeout(idle);
          signal?.removeEventListener("abort", onCancel);
        };
        xhr.open("PUT", path);
        xhr.withCredentials = false;
        xhr.setRequestHeader("content-type", "application/octet-stream");
        for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
        xhr.upload.onprogress = (e) => {
          alive();
          onProgress(e.loaded);
        };
        xhr.onerror = () => reject(why);
        xhr.ontimeout = xhr.onerror;
        xhr.onabort = xhr.onerror;
        xhr.onload = () => {
          if (xhr.status < 200 || xhr.status > 299) {
            reject(apiErrorFrom(xhr.status, xhr.responseText));
            return;
          }
          try {
            resolve(uploadStatus.parse(JSON.parse(xhr.responseText)));
          } catch (e) {
            reject(e);
          }
        };
        alive();
        xhr.send(body.buffer);
      }),
  );
}
