// Pieces several commands share: the editor's API client, the vault's lifetime, JSON output.
import { SealdropApi } from "../api.js";
import { type Editor, unlockEditor } from "../editor.js";
import type { EditorHome } from "../home.js";
import type { Io } from "../io.js";
import { Vault } from "../vault.js";

export interface Unlocked {
  editor: Editor;
  api: SealdropApi;
}

/** Unlocks the home's key and returns a client that signs as this editor. */
export async function editorSession(home: EditorHome, io: Io, values: { "passphrase-file"?: string | undefined; server?: string | undefined }): Promise<Unlocked> {
  const editor = await unlockEditor(home, io, values["passphrase-file"]);
  return { editor, api: editorApi(editor, io, values.server) };
}

/** A client that signs as an already unlocked editor. */
export function editorApi(editor: Editor, io: Io, server: string | undefined): SealdropApi {
  const api = new SealdropApi(server ?? editor.header.server, { editorId: editor.header.editorId, signSecretKey: editor.secrets.signSecretKey });
  warnIfPlainHttp(api.base, io);
  return api;
}

/** Plain http is fine on loopback and onion services (Tor encrypts); elsewhere it exposes metadata. */
export function warnIfPlainHttp(base: string, io: Io): void {
  const url = new URL(base);
  if (url.protocol !== "http:") return;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost" || host === "::1" || /^127\./.test(host) || host.endsWith(".onion")) return;
  io.err(`warning: ${base} is plain http; use https or an onion service outside a test setup`);
}

export async function withVault<T>(home: EditorHome, fn: (vault: Vault) => Promise<T>): Promise<T> {
  const vault = await Vault.open(home.vaultFile);
  try {
    return await fn(vault);
  } finally {
    await vault.close();
  }
}

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}
