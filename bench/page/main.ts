// The benchmark page (never the source page): the source page's streaming upload code, plus baselines
// measured in the same browser on the same file: encryption alone, a raw upload of the same bytes, and
// OpenPGP.js (what Hush Line uses) encrypting the same data. Driven by bench/run.ts through playwright.
import * as openpgp from "openpgp";
import { uploadEncrypted, type UploadApi } from "../../client/upload/stream-upload.js";
import { uploadStatus, type UploadStatus } from "../../src/core/wire.js";

const json = async (res: Response): Promise<UploadStatus> => {
  if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}: ${await res.text()}`), { name: "ApiError", code: `http_${res.status}` });
  return uploadStatus.parse(await res.json());
};

/** The real HTTP API (proof of work is off on the benchmark server). */
const httpApi: UploadApi = {
  createUpload: async () => json(await fetch("/api/uploads", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })),
  getUpload: async (id) => json(await fetch(`/api/uploads/${id}`)),
  putPart: async (id, index, bytes, onProgress) => {
    const status = await json(await fetch(`/api/uploads/${id}/parts/${index}`, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: bytes as Uint8Array<ArrayBuffer> }));
    onProgress(bytes.length);
    return status;
  },
};

/** What client/api.ts does for a part: a copy of exactly the part's bytes, sent with XMLHttpRequest. */
const xhrApi: UploadApi = {
  ...httpApi,
  putPart: (id, index, bytes, onProgress) =>
    new Promise((resolve, reject) => {
      const body = bytes.slice();
      const xhr = new XMLHttpRequest();
      xhr.open("PUT", `/api/uploads/${id}/parts/${index}`);
      xhr.setRequestHeader("content-type", "application/octet-stream");
      xhr.upload.onprogress = (e) => onProgress(e.loaded);
      xhr.onerror = () => reject(Object.assign(new Error("the upload connection failed"), { name: "NetworkError" }));
      xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve(uploadStatus.parse(JSON.parse(xhr.responseText))) : reject(new Error(`HTTP ${xhr.status}`)));
      xhr.send(body.buffer);
    }),
};

/** Set by the driver for experiments (bench/browser.ts leaves it unset): part size, queue depth, API. */
const tuning = () => (window as unknown as { benchTuning?: { partSize?: number; queuedParts?: number; api?: "fetch" | "xhr" } }).benchTuning ?? {};

/** The same pipeline with the network taken out: parts are acknowledged at once. */
const nullApi: UploadApi = {
  createUpload: async () => ({ id: "0".repeat(32), parts: 0, bytes: 0, partSize: 8 << 20 }),
  getUpload: async () => ({ id: "0".repeat(32), parts: 0, bytes: 0, partSize: 8 << 20 }),
  putPart: async (id, index, bytes) => ({ id, parts: index + 1, bytes: 0, partSize: 8 << 20 }),
};

const file = (): File => (document.getElementById("file") as HTMLInputElement).files![0]!;

/**
 * Samples the JS heap while `run` goes, and records the main thread's long tasks (the Long Tasks API:
 * every task of 50 ms or more); returns seconds, the peak heap in bytes, and the long tasks over 100 ms.
 */
async function measure<T>(run: () => Promise<T>): Promise<{ seconds: number; peakHeap: number; longTasks: { over100: number; longestMs: number }; result: T }> {
  const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
  let peakHeap = memory?.usedJSHeapSize ?? 0;
  const timer = setInterval(() => (peakHeap = Math.max(peakHeap, memory?.usedJSHeapSize ?? 0)), 50);
  const longTasks = { over100: 0, longestMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.duration > 100) longTasks.over100++;
      longTasks.longestMs = Math.max(longTasks.longestMs, Math.round(e.duration));
    }
  });
  observer.observe({ type: "longtask", buffered: false });
  const start = performance.now();
  try {
    const result = await run();
    // Long-task entries arrive after their task: let the observer have the last ones.
    await new Promise((r) => setTimeout(r, 0));
    for (const e of observer.takeRecords()) {
      if (e.duration > 100) longTasks.over100++;
      longTasks.longestMs = Math.max(longTasks.longestMs, Math.round(e.duration));
    }
    return { seconds: (performance.now() - start) / 1000, peakHeap, longTasks, result };
  } finally {
    observer.disconnect();
    clearInterval(timer);
  }
}

/** Fixes the "server acknowledged" accounting for the null API: it does not track bytes. */
const nullApiCounting = (): UploadApi => {
  let bytes = 0;
  return { ...nullApi, putPart: async (id, index, b) => ((bytes += b.length), { id, parts: index + 1, bytes, partSize: 8 << 20 }) };
};

const recipient = () => (window as unknown as { benchRecipient: string }).benchRecipient;

const bench = {
  async encryptOnly() {
    return measure(() => uploadEncrypted(file(), { recipients: [recipient()], api: nullApiCounting() }));
  },
  async encryptUpload() {
    const { api, ...options } = tuning();
    return measure(() => uploadEncrypted(file(), { recipients: [recipient()], api: api === "xhr" ? xhrApi : httpApi, ...options }));
  },
  /** The file's own bytes, in the same 8 MiB parts, to the same endpoint (the first part carries the age magic the server checks). */
  async rawUpload() {
    return measure(async () => {
      const f = file();
      const upload = await httpApi.createUpload();
      const partSize = 8 << 20;
      let sent = 0;
      for (let i = 0, at = 0; at < f.size; i++, at += partSize) {
        let bytes = new Uint8Array(await f.slice(at, at + partSize).arrayBuffer());
        if (i === 0) bytes.set(new TextEncoder().encode("age-encryption.org/v1\n-> X25519 bench\n"));
        await httpApi.putPart(upload.id, i, bytes, () => {});
        sent += bytes.length;
      }
      return { uploadId: upload.id, sent };
    });
  },
  /** OpenPGP.js encrypting the same file as a stream to a fresh Curve25519 key, output discarded. */
  async openpgpEncrypt() {
    const { publicKey } = await openpgp.generateKey({ type: "curve25519", userIDs: [{ name: "bench" }], format: "object" });
    return measure(async () => {
      const message = await openpgp.createMessage({ binary: file().stream() as ReadableStream<Uint8Array> });
      const encrypted = (await openpgp.encrypt({ message, encryptionKeys: publicKey, format: "binary", config: { preferredCompressionAlgorithm: openpgp.enums.compression.uncompressed } })) as ReadableStream<Uint8Array>;
      const reader = encrypted.getReader();
      let n = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        n += value.length;
      }
      return n;
    });
  },
};

(window as unknown as { bench: typeof bench }).bench = bench;
document.getElementById("ready")!.hidden = false;
