// A real sealdrop server on a temporary data directory, with a newsroom and one editor whose keys the
// test holds, plus a signer for editor requests (Ed25519 via @noble; the CLI signs the same bytes with libsodium).
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ed25519 } from "@noble/curves/ed25519.js";
import { generateHybridIdentity, generateX25519Identity, identityToRecipient } from "age-encryption";
import { randomId, toBase64Url } from "../../src/core/bytes.js";
import { requestSignatureHeaders } from "../../src/core/signing.js";
import type { EditorPublicKeys } from "../../src/core/wire.js";
import { initializeNewsroom } from "../../src/server/newsroom.js";
import { openNodeDatabase } from "../../src/server/node/database.js";
import { startNodeServer, type RunningServer } from "../../src/server/node/serve.js";

export interface TestEditor {
  id: string;
  identity: string;
  recipient: string;
  signSecret: Uint8Array;
  publicKeys: EditorPublicKeys;
}

export async function makeEditor(options: { classic?: boolean; desks?: string[]; name?: string } = {}): Promise<TestEditor> {
  const identity = options.classic ? await generateX25519Identity() : await generateHybridIdentity();
  const recipient = await identityToRecipient(identity);
  const signSecret = ed25519.utils.randomSecretKey();
  const id = randomId();
  return {
    id,
    identity,
    recipient,
    signSecret,
    publicKeys: {
      id,
      name: options.name ?? "Test Editor",
      ageRecipient: recipient,
      signPublicKey: toBase64Url(ed25519.getPublicKey(signSecret)),
      desks: options.desks ?? ["news"],
    },
  };
}

export interface TestServer extends RunningServer {
  dataDir: string;
  editor: TestEditor;
  /** Stops the server and removes its data directory. */
  dispose(): Promise<void>;
  /** Every stored byte of this deployment (database and blobs), as named chunks to scan for plaintext. */
  storedBytes(): Promise<{ where: string; bytes: Buffer }[]>;
}

export async function filesUnder(dir: string): Promise<{ where: string; bytes: Buffer }[]> {
  const out: { where: string; bytes: Buffer }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    out.push({ where: path, bytes: await readFile(path) });
  }
  return out;
}

/**
 * A test server on the backend named by `options.backend`, else $SEALDROP_TEST_BACKEND, else Node + SQLite
 * (tests/helpers/backends.ts starts the PostgreSQL and workerd ones).
 */
export async function startTestServer(
  options: { classic?: boolean; clientDir?: string; backend?: "sqlite" | "postgres" | "workerd" } = {},
): Promise<TestServer> {
  const backend = options.backend ?? process.env.SEALDROP_TEST_BACKEND ?? "sqlite";
  if (backend !== "sqlite") {
    const { parseBackend, startBackendServer } = await import("./backends.js");
    return startBackendServer(parseBackend(backend), options);
  }
  const dataDir = await mkdtemp(join(tmpdir(), "sealdrop-test-"));
  const editor = await makeEditor({ classic: options.classic, desks: ["news", "investigations"] });
  const db = await openNodeDatabase(dataDir);
  await initializeNewsroom(
    db,
    { name: "Test Newsroom", desks: [{ id: "news", name: "News" }, { id: "investigations", name: "Investigations" }], editor: editor.publicKeys },
    new Date(),
  );
  await db.destroy();
  const server = await startNodeServer({ dataDir, port: 0, host: "127.0.0.1", clientDir: options.clientDir });
  return {
    ...server,
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
  return fetch(server.url + path, { method, headers, body: json === undefined ? undefined : body });
}
