// A returning source fetches its replies with the mailbox id and credential derived from its codename.
// A wrong credential and an empty or unknown mailbox get the same answer, in the same shape and size:
// the server reveals nothing about which mailboxes exist.
import { sha256 } from "@noble/hashes/sha2.js";
import { Hono } from "hono";
import { equalBytes, fromHex, randomBytes, toBase64, toBase64Url } from "../../core/bytes.js";
import { credentialHash } from "../../core/derive.js";
import { paddedSize } from "../../core/padding.js";
import { LIMITS, mailboxRequest, type MailboxResponse } from "../../core/wire.js";
import { readJson } from "../body.js";
import type { Deps } from "../deps.js";
import { touchMailbox } from "../retention.js";

// Compared against when the mailbox does not exist, so both paths do the same work.
const ABSENT_HASH = sha256(new Uint8Array(1));

/** Serialises a mailbox answer padded with random characters to a bucket size. */
export function paddedMailboxBody(replies: MailboxResponse["replies"]): string {
  const bare = JSON.stringify({ replies, padding: "" }).length;
  const fill = paddedSize(bare) - bare;
  const padding = toBase64Url(randomBytes(Math.ceil((fill * 3) / 4) + 3)).slice(0, fill);
  return JSON.stringify({ replies, padding } satisfies MailboxResponse);
}

export function mailboxRoutes(deps: Deps): Hono {
  const app = new Hono();

  app.post("/", async (c) => {
    const body = await readJson(c, mailboxRequest, 1024);
    return c.body(paddedMailboxBody(await mailboxReplies(deps, body.id, body.credential)), 200, { "Content-Type": "application/json" });
  });

  return app;
}

/**
 * The replies waiting in mailbox `id` (newest first), or none when the credential does not open it or
 * the mailbox does not exist: the same work and the same answer either way.
 */
export async function mailboxReplies(deps: Pick<Deps, "db" | "blobs" | "config" | "now">, id: string, credential: string): Promise<MailboxResponse["replies"]> {
  const presented = fromHex(credentialHash(credential));
  const mailbox = await deps.db.selectFrom("mailboxes").select(["credential_hash", "active_day"]).where("id", "=", id).executeTakeFirst();
  const matches = equalBytes(presented, mailbox ? fromHex(mailbox.credential_hash) : ABSENT_HASH) && mailbox !== undefined;
  if (!matches) return [];
  // The source checking is activity, for mailboxes that expire when idle (retention.ts): the day only,
  // written at most once a day, and only when the operator set that expiry.
  if (deps.config.retention?.mailboxDays !== undefined) await touchMailbox(deps.db, id, mailbox.active_day, deps.now());
  const rows = await deps.db
    .selectFrom("replies")
    .select(["id", "created_day", "desk_id"])
    .where("mailbox_id", "=", id)
    .orderBy("created_day", "desc")
    .orderBy("id")
    .limit(LIMITS.maxRepliesPerFetch)
    .execute();
  const replies: MailboxResponse["replies"] = [];
  for (const row of rows) {
    const blob = await deps.blobs.get(`replies/${row.id}`);
    if (!blob) continue;
    replies.push({ day: row.created_day, ciphertext: toBase64(new Uint8Array(await new Response(blob.body).arrayBuffer())), desk: row.desk_id });
  }
  return replies;
}
