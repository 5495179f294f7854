// The page's side of the HTTP API (docs/FORMAT.md, "Wire types"). Same-origin only, no credentials:
// the source's browser keeps no cookie and sends none.
import type { z } from "zod";
import {
  newsroomResponse,
  receipt,
  uploadStatus,
  type NewsroomResponse,
  type Receipt,
  type SubmissionRequest,
  type UploadStatus,
} from "../src/core/wire.js";

/** The server answered with a 4xx `{error:{code,message}}` (or something else that was not success). */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The request never got an answer: offline, reset, or a proxy in the way. */
export class NetworkError extends Error {
  override name = "NetworkError";
}

async function errorFrom(status: number, body: string): Promise<ApiError> {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    const code = parsed.error?.code;
    const message = parsed.error?.message;
    if (typeof code === "string") return new ApiError(status, code, typeof message === "string" ? message : code);
  } catch {
    // Not our JSON: a proxy's page, a truncated body. Fall through to a generic code.
  }
  return new ApiError(status, `http_${status}`, `HTTP ${status}`);
}

async function request<T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
      headers: body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch (e) {
    throw new NetworkError(e instanceof Error ? e.message : String(e));
  }
  const text = await response.text().catch(() => {
    throw new NetworkError("the response was cut off");
  });
  if (!response.ok) throw await errorFrom(response.status, text);
  return schema.parse(JSON.parse(text));
}

export const getNewsroom = (): Promise<NewsroomResponse> => request("GET", "/api/newsroom", newsroomResponse);

export const createUpload = (): Promise<UploadStatus> => request("POST", "/api/uploads", uploadStatus, {});

export const postSubmission = (body: SubmissionRequest): Promise<Receipt> => request("POST", "/api/submissions", receipt, body);

/**
 * Sends one part of an upload. XMLHttpRequest rather than fetch because only it reports upload
 * progress, which matters on a slow link where one part can take minutes.
 */
export function putPart(uploadId: string, index: number, bytes: Uint8Array, onProgress: (sent: number) => void): Promise<UploadStatus> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", `/api/uploads/${encodeURIComponent(uploadId)}/parts/${index}`);
    xhr.withCredentials = false;
    xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onerror = () => reject(new NetworkError("the upload connection failed"));
    xhr.ontimeout = xhr.onerror;
    xhr.onabort = xhr.onerror;
    xhr.onload = () => {
      if (xhr.status < 200 || xhr.status > 299) {
        void errorFrom(xhr.status, xhr.responseText).then(reject);
        return;
      }
      try {
        resolve(uploadStatus.parse(JSON.parse(xhr.responseText)));
      } catch (e) {
        reject(e);
      }
    };
    // A fresh ArrayBuffer view of exactly these bytes (a subarray would send its whole buffer).
    xhr.send(bytes.slice().buffer);
  });
}
