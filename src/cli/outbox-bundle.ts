// The outbox bundle (docs/FORMAT.md "Outbox bundle"): replies and notes sealed on the reading half of a split
// home, carried to the online half, which posts them. JSON lines, UTF-8:
//
//   {"sealdrop":"outbox-bundle-v1","editor":<editor id>,"items":N}
//   {"item":{"id","kind":"reply"|"note","day","body":<the POST body>}}     × N
//   {"end":{"sha256":<hex of every byte before this line>,"signature":<base64url Ed25519>}}
//
// The body is exactly what `POST /api/editor/replies` or `/api/editor/notes` takes (core/wire.ts), ciphertext
// included; the online half can check its shape but cannot open it. The signature, by the editor's own
// signing key over "sealdrop-outbox-bundle-v1\n" ‖ the sha256 hex, lets the online half refuse a bundle that
// was altered on the way (a reply's mailbox swapped, an item added) or written by someone else.
import { createHash } from "node:crypto";
import sodium from "libsodium-wrappers-sumo";
import { z } from "zod";
import { isAgeFile } from "../core/age.js";
import { fromBase64, fromBase64Url, fromUtf8, toBase64Url, utf8 } from "../core/bytes.js";
import { day, id, postNoteRequest, postReplyRequest } from "../core/wire.js";
import { CliError } from "./errors.js";

export const OUTBOX_BUNDLE_FORMAT = "outbox-bundle-v1";
export const OUTBOX_SIGNATURE_DOMAIN = "sealdrop-outbox-bundle-v1\n";
/** Items in one bundle; more wait for the next one. A reply or note is at most 256 KiB of ciphertext. */
export const MAX_OUTBOX_ITEMS = 200;
export const MAX_OUTBOX_BUNDLE_BYTES = MAX_OUTBOX_ITEMS * (4 * Math.ceil((256 << 10) / 3) + 4096) + 4096;

export const outboxItem = z.discriminatedUnion("kind", [
  z.object({ id, kind: z.literal("reply"), day, body: postReplyRequest }).strict(),
  z.object({ id, kind: z.literal("note"), day, body: postNoteRequest }).strict(),
]);
export type OutboxItem = z.infer<typeof outboxItem>;

const headerLine = z.object({ sealdrop: z.literal(OUTBOX_BUNDLE_FORMAT), editor: id, items: z.number().int().min(0).max(MAX_OUTBOX_ITEMS) }).strict();
const itemLine = z.object({ item: outboxItem }).strict();
const endLine = z.object({ end: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/) }).strict() }).strict();

export const outboxSignedBytes = (sha256: string): Uint8Array => utf8(OUTBOX_SIGNATURE_DOMAIN + sha256);

const damaged = (why: string) => new CliError(`damaged outbox bundle: ${why}`, 1, "outbox_damaged");
const line = (value: unknown): string => `${JSON.stringify(value)}\n`;

/** The whole bundle for `items`, signed by the editor `editorId` with `signSecretKey` (libsodium's 64 bytes). */
export async function outboxBundleText(editorId: string, items: readonly OutboxItem[], signSecretKey: Uint8Array): Promise<string> {
  if (items.length > MAX_OUTBOX_ITEMS) throw new Error(`at most ${MAX_OUTBOX_ITEMS} items in one outbox bundle`);
  await sodium.ready;
  const body = line({ sealdrop: OUTBOX_BUNDLE_FORMAT, editor: editorId, items: items.length }) + items.map((item) => line({ item })).join("");
  const sha256 = createHash("sha256").update(body).digest("hex");
  const signature = toBase64Url(sodium.crypto_sign_detached(outboxSignedBytes(sha256), signSecretKey));
  return body + line({ end: { sha256, signature } });
}

function parseLine<T>(schema: z.ZodType<T>, text: string, n: number): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw damaged(`line ${n} is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw damaged(`line ${n}: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
  return parsed.data;
}

/** Whether a file's first bytes say it is an outbox bundle (so `import` knows which kind it was given). */
export const looksLikeOutbox = (head: Uint8Array): boolean => fromUtf8(head).startsWith(`{"sealdrop":"${OUTBOX_BUNDLE_FORMAT}"`);

/**
 * Checks a whole outbox bundle: its shape, every ciphertext an age file, its digest, that `editorId` wrote
 * it and that `signPublicKey` (base64url) signed it. Returns the items; throws `outbox_damaged`,
 * `outbox_not_yours` or `outbox_forged`.
 */
export async function parseOutboxBundle(bytes: Uint8Array, editorId: string, signPublicKey: string): Promise<OutboxItem[]> {
  await sodium.ready;
  const text = fromUtf8(bytes);
  if (!text.endsWith("\n")) throw damaged("it does not end with a line break (truncated?)");
  const lines = text.slice(0, -1).split("\n");
  const header = parseLine(headerLine, lines[0]!, 1);
  if (lines.length !== header.items + 2) throw damaged(`its header says ${header.items} item(s) but it has ${Math.max(0, lines.length - 2)}`);
  const items: OutboxItem[] = [];
  const ids = new Set<string>();
  for (let i = 0; i < header.items; i++) {
    const { item } = parseLine(itemLine, lines[i + 1]!, i + 2);
    if (ids.has(item.id)) throw damaged(`item ${item.id} appears twice`);
    ids.add(item.id);
    if (!isAgeFile(fromBase64(item.body.ciphertext))) throw damaged(`line ${i + 2}: the ${item.kind} is not an age file`);
    items.push(item);
  }
  const { end } = parseLine(endLine, lines[lines.length - 1]!, lines.length);
  const sha256 = createHash("sha256").update(text.slice(0, text.length - lines[lines.length - 1]!.length - 1)).digest("hex");
  if (sha256 !== end.sha256) throw damaged("its SHA-256 does not match (the file was changed or cut short)");
  if (header.editor !== editorId) {
    throw new CliError(`this outbox bundle was sealed by editor ${header.editor}, not by you (${editorId}): post it from that editor's online half`, 1, "outbox_not_yours");
  }
  if (!sodium.crypto_sign_verify_detached(fromBase64Url(end.signature), outboxSignedBytes(sha256), fromBase64Url(signPublicKey))) {
    throw new CliError("this outbox bundle's signature is not your key's: it was altered on the way or forged; do not post it", 1, "outbox_forged");
  }
  return items;
}
