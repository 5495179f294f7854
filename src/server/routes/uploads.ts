// Attachment uploads: created empty, filled by parts in strict order, consumed once by a submission.
// Unfinished uploads are bounded (upload-quotas.ts): together by count and bytes, each by bytes. A part is
// checked against them under its upload's lock; parts of different uploads run in parallel, so the total
// can pass its quota by at most the parts in flight at that moment.
import { type Context, Hono } from "hono";
import { type Kysely, sql } from "kysely";
import { randomId } from "../../core/bytes.js";
import { coarseDay } from "../../core/time.js";
import { createUploadRequest, id as idSchema, LIMITS, type UploadStatus } from "../../core/wire.js";
import { readBinary, readJson, requireAgeFile } from "../body.js";
import { drainUnread, type StreamedBody, streamBinary } from "../body-stream.js";
import type { BlobStore } from "../blobs.js";
import { requireAnnouncedBody } from "../middleware/pow.js";
import type { Database } from "../db/schema.js";
import type { Deps } from "../deps.js";
import { HttpError } from "../http-error.js";
import type { UploadLocks } from "../upload-locks.js";
import { resolveUploadQuotas } from "../upload-quotas.js";

const addDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);

function parseId(value: string): string {
  const parsed = idSchema.safeParse(value);
  if (!parsed.success) throw new HttpError(404, "not_found", "No such upload.");
  return parsed.data;
}

/** A part that is not the next one the upload takes, or that comes after a submission began to consume it. */
function outOfOrder(part: number, row: { parts: number; sealed: number }): HttpError {
  const parts = Number(row.parts);
  if (row.sealed) return new HttpError(409, "upload_conflict", "This upload is being attached to a submission and takes no more parts.");
  const why = part < parts ? `part ${part} is already stored` : `part ${parts} must come first`;
  return new HttpError(409, "upload_conflict", `Parts must arrive in order: ${why}. GET the upload to resume.`);
}

/**
 * Streams a part to the store and judges it once it has arrived: its hash against its proof of work's, and
 * part 0's first bytes. A part refused then, or cut off on the way, leaves nothing stored.
 */
async function writeStreamed(c: Context, blobs: BlobStore, uploadId: string, part: number, body: StreamedBody): Promise<string> {
  let name: string;
  try {
    name = await blobs.writeUploadPartStream!(uploadId, body.stream, body.length);
  } catch (e) {
    // The body's own failure (stalled, cut short) rather than the store's report of it.
    throw body.failure ?? e;
  }
  try {
    const arrived = await body.arrived;
    requireAnnouncedBody(c, arrived.sha256);
    if (part === 0 && !arrived.head.isAgeFile()) throw new HttpError(400, "invalid_ciphertext", "The first part is not an age v1 file.");
  } catch (e) {
    await blobs.discardUploadPart(uploadId, name);
    throw e;
  }
  return name;
}

const QUOTA_RETRY_AFTER_SECONDS = 600;

const quotaExceeded = () =>
  new HttpError(
    429,
    "upload_quota_exceeded",
    "The tip line holds as many unfinished uploads as it has room for. Nothing was lost; try again later.",
    { "Retry-After": String(QUOTA_RETRY_AFTER_SECONDS) },
  );

export function uploadRoutes(deps: Deps, locks: UploadLocks): Hono {
  const app = new Hono();
  const quotas = resolveUploadQuotas(deps.config.uploads);
  /** Every unfinished upload's count and bytes, expired ones included: they hold disk until swept. */
  const pending = async (db: Kysely<Database> = deps.db) => {
    const row = await db
      .selectFrom("uploads")
      .select((eb) => [eb.fn.countAll().as("uploads"), eb.fn.coalesce(eb.fn.sum("bytes"), eb.lit(0)).as("bytes")])
      .executeTakeFirstOrThrow();
    return { uploads: Number(row.uploads), bytes: Number(row.bytes) };
  };
  /** Refuses `adding` more bytes to an upload holding `bytes`, against both quotas. */
  const checkRoom = async (db: Kysely<Database>, bytes: number, adding: number) => {
    if (bytes + adding > quotas.maxUploadBytes) {
      throw new HttpError(413, "payload_too_large", `An attachment may hold at most ${quotas.maxUploadBytes} bytes.`);
    }
    if ((await pending(db)).bytes + adding > quotas.maxPendingBytes) throw quotaExceeded();
  };
  const status = (row: { id: string; parts: number; bytes: number }): UploadStatus => ({
    id: row.id,
    parts: Number(row.parts),
    bytes: Number(row.bytes),
    partSize: LIMITS.maxPartBytes,
  });
  const find = async (uploadId: string, db: Kysely<Database> = deps.db) => {
    const row = await db
      .selectFrom("uploads")
      .select(["id", "parts", "bytes", "sealed"])
      .where("id", "=", uploadId)
      .where("expires_day", ">=", coarseDay(deps.now()))
      .executeTakeFirst();
    if (!row) throw new HttpError(404, "not_found", "No such upload: it expired, was used, or never existed.");
    return row;
  };

  app.post("/", async (c) => {
    await readJson(c, createUploadRequest, 1024);
    const now = await pending();
    if (now.uploads >= quotas.maxPendingUploads || now.bytes >= quotas.maxPendingBytes) throw quotaExceeded();
    const row = { id: randomId(), expires_day: coarseDay(addDays(deps.now(), quotas.expiryDays)) };
    await deps.db.insertInto("uploads").values(row).execute();
    return c.json(status({ id: row.id, parts: 0, bytes: 0 }) satisfies UploadStatus, 201);
  });

  app.get("/:id", async (c) => c.json(status(await find(parseId(c.req.param("id")))) satisfies UploadStatus));

  app.put("/:id/parts/:part", async (c) => {
    if (deps.blobs.writeUploadPartStream === undefined) return putPart(c);
    try {
      return await putPart(c);
    } catch (e) {
      await drainUnread(c, LIMITS.maxPartBytes);
      throw e;
    }
  });

  const putPart = async (c: Context) => {
    const uploadId = parseId(c.req.param("id") ?? "");
    const partText = c.req.param("part") ?? "";
    if (!/^\d{1,6}$/.test(partText)) throw new HttpError(400, "bad_request", "The part number must be a non-negative integer.");
    const part = Number(partText);
    const streaming = deps.blobs.writeUploadPartStream !== undefined;
    // A store that takes a stream gets the part as it arrives, checked on the way (body-stream.ts streamBinary);
    // the others get it read and checked whole first.
    const body = streaming ? streamBinary(c, LIMITS.maxPartBytes) : await readBinary(c, LIMITS.maxPartBytes);
    if (body.length === 0) throw new HttpError(400, "bad_request", "A part cannot be empty.");
    return locks.run([uploadId], async ({ db, blobs }) => {
      const row = await find(uploadId, db);
      const parts = Number(row.parts);
      const bytes = Number(row.bytes);
      if (part !== parts || row.sealed) throw outOfOrder(part, row);
      if (part === 0 && body instanceof Uint8Array) requireAgeFile(body, "The first part");
      await checkRoom(db, bytes, body.length);
      const name = body instanceof Uint8Array ? await blobs.writeUploadPart(uploadId, bytes, body) : await writeStreamed(c, blobs, uploadId, part, body);
      // One conditional statement decides whether this attempt is the part: under a lock it always is; on
      // D1, where nothing is held between statements, two isolates may both have got this far with the same
      // part, and only the first UPDATE finds `parts` still at this part's number (upload-locks.ts).
      const counted = await db
        .updateTable("uploads")
        .set({ parts: parts + 1, bytes: bytes + body.length, part_names: sql<string>`part_names || ${name}` })
        .where("id", "=", uploadId)
        .where("parts", "=", parts)
        .where("sealed", "=", 0)
        .executeTakeFirst();
      if (Number(counted.numUpdatedRows) !== 1) {
        if (name !== "") await blobs.discardUploadPart(uploadId, name);
        throw outOfOrder(part, await find(uploadId, db));
      }
      return c.json(status({ id: uploadId, parts: parts + 1, bytes: bytes + body.length }) satisfies UploadStatus);
    });
  };

  return app;
}
