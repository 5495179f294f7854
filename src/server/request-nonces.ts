// Replay protection for signed editor requests (docs/FORMAT.md, "Signed requests"): each nonce is accepted
// once within the signature window. A stored row names neither the editor nor the nonce and does not tell
// the request's second: its key is an HMAC, under a server secret, of the editor id and the nonce, and its
// expiry is rounded up to five minutes (so it is kept at least as long as the request's signature is valid).
// The table is WITHOUT ROWID (migration 0006), so rows carry no arrival order either.
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { Kysely } from "kysely";
import { fromHex, toBase64Url, utf8 } from "../core/bytes.js";
import { SIGNATURE_WINDOW_SECONDS } from "../core/signing.js";
import type { Database } from "./db/schema.js";
import { serverSecret } from "./db/server-secrets.js";

/** Stored expiry times are multiples of this many seconds. */
export const NONCE_EXPIRY_BUCKET_SECONDS = 300;

export class RequestNonces {
  private key: Promise<Uint8Array> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date,
  ) {}

  /** The stored form of one editor's nonce. */
  async storedKey(editorId: string, nonce: string): Promise<string> {
    this.key ??= serverSecret(this.db, "request-nonces")
      .then(fromHex)
      .catch((err: unknown) => {
        this.key = undefined;
        throw err;
      });
    return toBase64Url(hmac(sha256, await this.key, utf8(`sealdrop-request-nonce\n${editorId}\n${nonce}`)));
  }

  /**
   * Records the nonce of a request signed at `timestamp` (seconds) by `editorId`; false if it was recorded
   * already (a replay). Drops the rows whose time is past first.
   */
  async spend(editorId: string, nonce: string, timestamp: number): Promise<boolean> {
    const nowSeconds = Math.floor(this.now().getTime() / 1000);
    const expiresAt = Math.ceil((timestamp + SIGNATURE_WINDOW_SECONDS) / NONCE_EXPIRY_BUCKET_SECONDS) * NONCE_EXPIRY_BUCKET_SECONDS;
    const key = await this.storedKey(editorId, nonce);
    await this.db.deleteFrom("request_nonces").where("expires_at", "<", nowSeconds).execute();
    const inserted = await this.db
      .insertInto("request_nonces")
      .values({ nonce: key, expires_at: expiresAt })
      .onConflict((oc) => oc.column("nonce").doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
  }
}
