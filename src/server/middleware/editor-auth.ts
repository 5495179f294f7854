// Signed, replay-protected editor requests (docs/FORMAT.md, "Signed requests"). No passwords or
// sessions: each request carries an Ed25519 signature over method, path, time, nonce and body hash.
import { ed25519 } from "@noble/curves/ed25519.js";
import type { MiddlewareHandler } from "hono";
import { fromBase64Url, isId } from "../../core/bytes.js";
import { SIGNATURE_HEADERS, SIGNATURE_WINDOW_SECONDS, signedMessage } from "../../core/signing.js";
import { LIMITS } from "../../core/wire.js";
import { readBody } from "../body.js";
import type { Deps } from "../deps.js";
import { HttpError } from "../http-error.js";
import { RequestNonces } from "../request-nonces.js";

/** Who signed the request, and what the newsroom lets them do. */
export interface SignedInEditor {
  id: string;
  role: "admin" | "editor";
  /** The desks whose items they may list, read, delete, reply to and note. */
  desks: ReadonlySet<string>;
}

export interface EditorVariables {
  editorId: string;
  editor: SignedInEditor;
  body: Uint8Array;
}

const NONCE = /^[A-Za-z0-9_-]{22,64}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{86}$/;

export function editorAuth(deps: Deps): MiddlewareHandler<{ Variables: EditorVariables }> {
  const nonces = new RequestNonces(deps.db, deps.now);
  return async (c, next) => {
    const editorId = c.req.header(SIGNATURE_HEADERS.editor);
    const timestampText = c.req.header(SIGNATURE_HEADERS.timestamp);
    const nonce = c.req.header(SIGNATURE_HEADERS.nonce);
    const signatureText = c.req.header(SIGNATURE_HEADERS.signature);
    if (!editorId || !timestampText || !nonce || !signatureText) {
      throw new HttpError(401, "unauthorized", "This endpoint needs a signed request (see docs/FORMAT.md).");
    }
    if (!isId(editorId) || !/^\d{1,12}$/.test(timestampText) || !NONCE.test(nonce) || !SIGNATURE.test(signatureText)) {
      throw new HttpError(401, "unauthorized", "The signature headers are malformed.");
    }
    const timestamp = Number(timestampText);
    const now = Math.floor(deps.now().getTime() / 1000);
    if (Math.abs(now - timestamp) > SIGNATURE_WINDOW_SECONDS) {
      throw new HttpError(401, "signature_expired", "The request's timestamp is outside the accepted window; check the clock.");
    }
    // Editor endpoints take small JSON bodies; binary downloads have none.
    const body = await readBody(c, LIMITS.maxJsonBodyBytes);
    const editor = await deps.db
      .selectFrom("editors")
      .select(["sign_public_key", "revoked", "role"])
      .where("id", "=", editorId)
      .executeTakeFirst();
    const url = new URL(c.req.url);
    const message = signedMessage({ method: c.req.method, pathAndQuery: url.pathname + url.search, timestamp, nonce, body });
    let valid = false;
    if (editor) {
      try {
        valid = ed25519.verify(fromBase64Url(signatureText), message, fromBase64Url(editor.sign_public_key));
      } catch {
        valid = false;
      }
    }
    if (!editor || !valid) throw new HttpError(403, "forbidden", "The signature does not verify for this editor.");
    if (editor.revoked) throw new HttpError(403, "forbidden", "This editor's key has been revoked.");
    // Record the nonce only after the signature verified, so forgeries cannot burn nonces.
    if (!(await nonces.spend(editorId, nonce, timestamp))) {
      throw new HttpError(409, "signature_replayed", "This signed request was already used.");
    }
    const desks = await deps.db.selectFrom("desk_editors").select("desk_id").where("editor_id", "=", editorId).execute();
    c.set("editorId", editorId);
    c.set("editor", { id: editorId, role: editor.role === "admin" ? "admin" : "editor", desks: new Set(desks.map((d) => d.desk_id)) });
    c.set("body", body);
    await next();
  };
}
