// The simulator's HTTP side: timed requests, proof of work as the page does it, signed editor requests,
// and polite retries on 429 (as a real client would).
import { ed25519 } from "@noble/curves/ed25519.js";
import { generateHybridIdentity, generateX25519Identity, identityToRecipient } from "age-encryption";
import { randomId, toBase64Url } from "../../src/core/bytes.js";
import { proofOfWorkHeaders } from "../../src/core/pow.js";
import { requestSignatureHeaders } from "../../src/core/signing.js";
import type { EditorPublicKeys } from "../../src/core/wire.js";

export interface SimEditor {
  id: string;
  identity: string;
  recipient: string;
  signSecret: Uint8Array;
  publicKeys: EditorPublicKeys;
}

export async function newEditor(name: string, classic: boolean): Promise<SimEditor> {
  const identity = classic ? await generateX25519Identity() : await generateHybridIdentity();
  const recipient = await identityToRecipient(identity);
  const signSecret = ed25519.utils.randomSecretKey();
  const id = randomId();
  return {
    id,
    identity,
    recipient,
    signSecret,
    publicKeys: { id, name, ageRecipient: recipient, signPublicKey: toBase64Url(ed25519.getPublicKey(signSecret)), desks: ["news"] },
  };
}

export class Metrics {
  readonly latencies = new Map<string, number[]>();
  readonly errors = new Map<string, number>();
  powMs: number[] = [];
  requests = 0;
  retries = 0;

  record(kind: string, ms: number): void {
    this.requests++;
    const list = this.latencies.get(kind) ?? [];
    list.push(ms);
    this.latencies.set(kind, list);
  }
  error(kind: string): void {
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
  }
}

export const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const enc = (s: string) => new TextEncoder().encode(s);

export class SimClient {
  constructor(
    readonly url: string,
    readonly metrics: Metrics,
  ) {}

  /** One request, timed; retried after Retry-After on 429 and on a spent/expired challenge. */
  private async send(kind: string, method: string, path: string, body: Uint8Array | null, headers: Record<string, string>, extra?: () => Promise<Record<string, string>>): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const more = extra ? await extra() : {};
      const start = performance.now();
      let res: Response;
      try {
        res = await fetch(this.url + path, { method, headers: { ...headers, ...more }, body: body ? (body as Uint8Array<ArrayBuffer>) : undefined });
      } catch (err) {
        this.metrics.error(`${kind}: network`);
        throw err;
      }
      this.metrics.record(kind, performance.now() - start);
      if (res.status === 429 && attempt < 20) {
        this.metrics.retries++;
        await res.arrayBuffer();
        await sleep(Math.min(60, Number(res.headers.get("retry-after") ?? 1)) * 1000);
        continue;
      }
      if (res.status >= 400) this.metrics.error(`${kind}: ${res.status}`);
      return res;
    }
  }

  /** An anonymous write with proof of work, as the source page sends it. */
  async anonymous(kind: string, method: string, path: string, body: Uint8Array, contentType: string): Promise<Response> {
    return this.send(kind, method, path, body, { "content-type": contentType }, async () => {
      const start = performance.now();
      const pow = await proofOfWorkHeaders(this.url, method, path, body);
      this.metrics.powMs.push(performance.now() - start);
      return pow;
    });
  }

  anonymousJson(kind: string, path: string, value: unknown): Promise<Response> {
    return this.anonymous(kind, "POST", path, enc(JSON.stringify(value)), "application/json");
  }

  /** A signed editor request. */
  async editor(kind: string, editor: SimEditor, method: string, path: string, json?: unknown): Promise<Response> {
    const body = json === undefined ? new Uint8Array(0) : enc(JSON.stringify(json));
    const sign = (message: Uint8Array) => ed25519.sign(message, editor.signSecret);
    return this.send(kind, method, path, json === undefined ? null : body, json === undefined ? {} : { "content-type": "application/json" }, async () =>
      requestSignatureHeaders(editor.id, sign, { method, pathAndQuery: path, body }),
    );
  }
}
