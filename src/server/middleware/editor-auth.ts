// Signed, replay-protected editor requests (docs/FORMAT.md, "Signed requests"). No passwords or
// sessions: each request carries an Ed25519 signature over method, path, time, nonce and body hash.
// Everything is checked from the headers before a byte of the body is read (docs/SECURITY.md, "Cost
// before body"): the signature is verified over the body hash the request announces, the nonce is
// recorded, and only then is the body read (within the editor gate) and its hash compared.
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { MiddlewareHandler } from "hono";
import { fromBase64Url, isId, toHex } from "../../core/bytes.js";
import { SIGNATURE_HEADERS, SIGNATURE_WINDOW_SECONDS, signedMessageForHash } from "../../core/signing.js";
import { LIMITS } from "../../core/wire.js";
import { announcesBody, BodyGate, bodyLimits, readBody } from "../body.js";
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
const HASH = /^[0-9a-f]{64}$/;
const EMPTY_HASH = toHex(sha256(new Uint8Array(0)));

export function editorAuth(deps: Deps): MiddlewareHandler<{ Variables: EditorVariables }> {
  const limits = bodyLimits(deps.config.bodies);
  // The editors' own gate: a flood of anonymous bodies cannot take their room.
  const gate = new BodyGate(limits.editorRequests, limits.editorBytes, "The server is reading as many editor requests as it can take right now.");
  const nonces = new RequestNonces(deps.db, deps.now);
  return async (c, next) => {
    const header = (name: string) => c.req.header(name);
    const editorId = header(SIGNATURE_HEADERS.editor);
    const timestampText = header(SIGNATURE_HEADERS.timestamp);
    const nonce = header(SIGNATURE_HEADERS.nonce);
    const signatureText = header(SIGNATURE_HEADERS.signature);
    // A request without a body may leave the hash out: it is the hash of nothing.
    const hasBody = announcesBody(c);
    const bodyHash = header(SIGNATURE_HEADERS.contentSha256) ?? (hasBody ? undefined : EMPTY_HASH);
    if (!editorId || !timestampText || !nonce || !signatureText) {
      throw new HttpError(401, "unauthorized", "This endpoint needs a signed request (see docs/FORMAT.md).");
    }
    if (bodyHash === undefined) {
      throw new HttpError(401, "unauthorized", `A signed request with a body names its SHA-256 in the ${SIGNATURE_HEADERS.contentSha256} header.`);
    }
    if (!isId(editorId) || !/^\d{1,12}$/.test(timestampText) || !NONCE.test(nonce) || !SIGNATURE.test(signatureText) || !HASH.test(bodyHash)) {
      throw new HttpError(401, "unauthorized", "The signature headers are malformed.");
    }
    const timestamp = Number(timestampText);
    const now = Math.floor(deps.now().getTime() / 1000);
    if (Math.abs(now - timestamp) > SIGNATURE_WINDOW_SECONDS) {
      throw new HttpError(401, "signature_expired", "The request's timestamp is outside the accepted window; check the clock.");
    }
    // Editor endpoints take small JSON bodies; binary downloads have none. Refused here, before the body.
    const declared = header("content-length");
    if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > LIMITS.maxJsonBodyBytes) {
      throw new HttpError(413, "payload_too_large", `The request body is larger than ${LIMITS.maxJsonBodyBytes} bytes.`);
    }
    const editor = await deps.db
      .selectFrom("editors")
      .select(["sign_public_key", "revoked", "role"])
      .where("id", "=", editorId)
      .executeTakeFirst();
    const url = new URL(c.req.url);
    const message = signedMessageForHash({ method: c.req.method, pathAndQuery: url.pathname + url.search, timestamp, nonce }, bodyHash);
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
    await gate.hold(c, LIMITS.maxJsonBodyBytes, async () => {
      const body = await readBody(c, LIMITS.maxJsonBodyBytes);
      // The signature covered the announced hash; the body must be what was announced.
      if (toHex(sha256(body)) !== bodyHash) throw new HttpError(403, "forbidden", "The body is not the one the signature covers.");
      const desks = await deps.db.selectFrom("desk_editors").select("desk_id").where("editor_id", "=", editorId).execute();
      c.set("editorId", editorId);
      c.set("editor", { id: editorId, role: editor.role === "admin" ? "admin" : "editor", desks: new Set(desks.map((d) => d.desk_id)) });
      c.set("body", body);
      await next();
    });
  };
}
