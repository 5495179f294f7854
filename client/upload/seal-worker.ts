// A Web Worker of the page's sealer (sealer.ts): seals batches of age STREAM chunks, or hashes the file,
// off the main thread, so the page answers while a large file is encrypted. It holds no state but the
// running hash, makes no request, and touches nothing but the bytes it is sent.
import { sha256 } from "@noble/hashes/sha2.js";
import { toHex } from "../../src/core/bytes.js";
import { sealChunks } from "../../src/core/age-stream.js";
import type { WorkerReply, WorkerRequest } from "./sealer.js";

const scope = self as unknown as { onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null; postMessage(m: WorkerReply, transfer?: Transferable[]): void };
let hash = sha256.create();

scope.onmessage = (event) => {
  const m = event.data;
  try {
    if (m.type === "seal") {
      const sealed = sealChunks(m.key, m.firstIndex, new Uint8Array(m.plaintext), m.final);
      scope.postMessage({ type: "sealed", job: m.job, ciphertext: sealed.buffer as ArrayBuffer }, [sealed.buffer as ArrayBuffer]);
    } else if (m.type === "hash") {
      hash.update(new Uint8Array(m.bytes));
      scope.postMessage({ type: "hashed", bytes: m.bytes.byteLength });
    } else {
      scope.postMessage({ type: "digest", job: m.job, digest: toHex(hash.digest()) });
      hash = sha256.create();
    }
  } catch (e) {
    scope.postMessage({ type: "failed", job: "job" in m ? m.job : -1, message: e instanceof Error ? e.message : String(e) });
  }
};
