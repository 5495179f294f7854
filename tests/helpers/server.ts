// A test server holding the test newsroom (tests/helpers/newsroom.ts) on the backend a test names, else
// $SEALDROP_TEST_BACKEND, else Node + SQLite on a temporary data directory; plus a signer for editor
// requests (Ed25519 via @noble; the CLI signs the same bytes with libsodium).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ed25519 } from "@noble/curves/ed25519.js";
import { requestSignatureHeaders } from "../../src/core/signing.js";
import { openNodeDatabase } from "../../src/server/node/database.js";
import { startNodeServer } from "../../src/server/node/serve.js";
import { uploadQuotasFromEnv } from "../../src/server/upload-quotas.js";
import { type Backend, currentBackend, filesUnder, type TestServer, type TestServerOptions } from "./deployment.js";
import { freshFetch } from "./http.js";
import { seedNewsroom, type TestEditor } from "./newsroom.js";

export type { TestServer } from "./deployment.js";

export async function startTestServer(options: TestServerOptions & { backend?: Backend } = {}): Promise<TestServer> {
  const backend = options.backend ?? currentBackend();
  if (backend === "postgres") return (await import("./backends.js")).startPostgresTestServer(options);
  if (backend === "workerd") return (await import("./backends.js")).startWorkerdTestServer(options);
  const dataDir = await mkdtemp(join(tmpdir(), "sealdrop-test-"));
  const db = await openNodeDatabase(dataDir);
  const { editor } = await seedNewsroom(db, options).finally(() => db.destroy());
  const server = await startNodeServer({ dataDir, port: 0, host: "127.0.0.1", clientDir: options.clientDir, uploads: uploadQuotasFromEnv(options.env ?? {}), bodies: options.bodies });
  return {
    ...server,
    backend,
    dataDir,
    editor,
    storedBytes: () => filesUnder(dataDir),
    dispose: async () => {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface SignOptions {
  timestamp?: number;
  nonce?: string;
  secret?: Uint8Array;
  editorId?: string;
}

/** Headers that sign `method path body` as `editor`. */
export function signHeaders(editor: TestEditor, method: string, pathAndQuery: string, body: Uint8Array = new Uint8Array(0), o: SignOptions = {}): Record<string, string> {
  const sign = (message: Uint8Array) => ed25519.sign(message, o.secret ?? editor.signSecret);
  return requestSignatureHeaders(o.editorId ?? editor.id, sign, { method, pathAndQuery, body, timestamp: o.timestamp, nonce: o.nonce });
}

export async function editorFetch(server: { url: string }, editor: TestEditor, method: string, path: string, json?: unknown): Promise<Response> {
  const body = json === undefined ? new Uint8Array(0) : new TextEncoder().encode(JSON.stringify(json));
  const headers: Record<string, string> = signHeaders(editor, method, path, body);
  if (json !== undefined) headers["content-type"] = "application/json";
  return freshFetch(server.url + path, { method, headers, body: json === undefined ? undefined : body });
}
