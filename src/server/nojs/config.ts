// The settings of the page without JavaScript (routes/nojs.ts), and what one of its requests may hold in
// memory at once: the figure it takes room for in the anonymous body gate (body.ts).
import { MAX_MESSAGE_CHARS } from "../../core/envelope.js";
import { LIMITS } from "../../core/wire.js";

/** The envelope's `client` for tips this path sealed. */
export const NOJS_CLIENT = "sealdrop-nojs/0.1.0";

export interface NoJsConfig {
  /** Serve the form without JavaScript; off, `/` is the built page alone (its <noscript> asks for JavaScript). */
  enabled: boolean;
  /** Largest request body a form may post: message, files and all. */
  maxBytes: number;
  /** Largest picture the server cleans of metadata; a larger one is sealed as it is, and the receipt says so. */
  maxCleanBytes: number;
  /** Form posts (tips, follow-ups, mailbox openings) the whole server takes per minute. */
  postsPerMinute: number;
}

export const DEFAULT_NOJS: NoJsConfig = { enabled: true, maxBytes: 500 * 1024 ** 2, maxCleanBytes: 32 * 1024 ** 2, postsPerMinute: 60 };

/** Largest `POST /replies` body: a codename and the check question. */
export const REPLIES_BODY_BYTES = 16 * 1024;

/**
 * The most a tip form's request holds in memory at once, whatever its size: a picture being cleaned
 * (whole, and its cleaned copy), or the message, plus one part of ciphertext being written and the
 * reader's pieces. A smaller body holds at most its own size.
 */
export function heldBytes(config: Pick<NoJsConfig, "maxBytes" | "maxCleanBytes">): number {
  return Math.min(config.maxBytes, Math.max(2 * config.maxCleanBytes, MAX_MESSAGE_CHARS * 4) + LIMITS.maxPartBytes + (1 << 20));
}
