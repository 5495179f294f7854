// A Web Worker of the page's sealer (sealer.ts): seals batches of age STREAM chunks and hashes the file's
// bytes among them as one piece (src/core/pieces.ts), off the main thread, so the page answers while a
// large file is encrypted. It holds no state, makes no request, and touches nothing but the bytes it is sent.
import { sealBatch, type WorkerReply, type WorkerRequest } from "./sealer.js";

const scope = self as unknown as { onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null; postMessage(m: WorkerReply, transfer?: Transferable[]): void };

scope.onmessage = async (event) => {
  const m = event.data;
  try {
    const { ciphertext, piece } = await sealBatch(m.key, m.firstIndex, new Uint8Array(m.plaintext), m.final, m.hashBytes);
    scope.postMessage({ type: "sealed", job: m.job, ciphertext: ciphertext.buffer as ArrayBuffer, piece }, [ciphertext.buffer as ArrayBuffer]);
  } catch (e) {
    scope.postMessage({ type: "failed", job: m.job, message: e instanceof Error ? e.message : String(e) });
  }
};
