// Editors' replies (to a source's mailbox) and desk notes: age ciphertext the server stores and lists
// without reading. Mounted under the signed /api/editor routes.
import { Hono } from "hono";
import { randomId } from "../../core/bytes.js";
import { coarseDay } from "../../core/time.js";
import { id as idSchema, type ItemReceipt, LIMITS, type NoteList, postNoteRequest, postReplyRequest, type ReplyList } from "../../core/wire.js";
import { decodeBase64Field, parseJson, requireAgeFile } from "../body.js";
import type { Deps } from "../deps.js";
import { HttpError } from "../http-error.js";
import type { EditorVariables, SignedInEditor } from "../middleware/editor-auth.js";
import { requireDesk } from "../middleware/editor-rights.js";
import { DomainError } from "../domain-error.js";
import { hasRoster } from "../roster.js";

function ciphertextOf(base64: string, max: number, what: string): Uint8Array {
  const bytes = decodeBase64Field(base64, "ciphertext");
  if (bytes.length > max) throw new HttpError(413, "payload_too_large", `A ${what} may hold at most ${max} bytes.`);
  requireAgeFile(bytes, `The ${what}`);
  return bytes;
}

export function editorItemRoutes(deps: Deps): Hono<{ Variables: EditorVariables }> {
  const app = new Hono<{ Variables: EditorVariables }>();

  const download = async (key: string, what: string) => {
    const blob = await deps.blobs.get(key);
    if (!blob) throw new HttpError(404, "not_found", `No such ${what}.`);
    return new Response(blob.body, { headers: { "Content-Type": "application/octet-stream", "Content-Length": String(blob.size) } });
  };
  const itemId = (value: string, what: string) => {
    const parsed = idSchema.safeParse(value);
    if (!parsed.success) throw new HttpError(404, "not_found", `No such ${what}.`);
    return parsed.data;
  };
  /** Rows of `table` the editor may see: their desks', and those posted without a desk. */
  const visible = (table: "replies" | "notes", editor: SignedInEditor) =>
    deps.db
      .selectFrom(table)
      .select(["id", "created_day", "size"])
      .where((eb) => (editor.desks.size > 0 ? eb.or([eb("desk_id", "is", null), eb("desk_id", "in", [...editor.desks])]) : eb("desk_id", "is", null)))
      .orderBy("created_day")
      .orderBy("id")
      .execute();
  const downloadItem = async (table: "replies" | "notes", id: string, editor: SignedInEditor, what: string) => {
    const row = await deps.db.selectFrom(table).select("desk_id").where("id", "=", id).executeTakeFirst();
    if (!row) throw new HttpError(404, "not_found", `No such ${what}.`);
    requireDesk(editor.desks, row.desk_id);
    return download(`${table}/${id}`, what);
  };

  /**
   * Once the newsroom has a roster, a reply or note names its desk (need-to-know: it is listed only to that
   * desk's editors); one without, which would be listed to everyone, is refused.
   */
  const requireItemDesk = async (editor: SignedInEditor, desk: string | undefined, what: string) => {
    if (desk === undefined && (await hasRoster(deps.db))) {
      throw new DomainError("roster_required", `This newsroom has a roster: a ${what} names the desk it belongs to.`);
    }
    requireDesk(editor.desks, desk ?? null);
  };

  app.post("/replies", async (c) => {
    const body = parseJson(c.get("body"), postReplyRequest);
    await requireItemDesk(c.get("editor"), body.desk, "reply");
    const bytes = ciphertextOf(body.ciphertext, LIMITS.maxReplyBytes, "reply");
    const existing = await deps.db.selectFrom("mailboxes").select("credential_hash").where("id", "=", body.mailbox).executeTakeFirst();
    if (existing && existing.credential_hash !== body.credentialHash) {
      throw new HttpError(409, "conflict", "This mailbox exists with another credential.");
    }
    const replyId = randomId();
    const day = coarseDay(deps.now());
    await deps.blobs.put(`replies/${replyId}`, bytes);
    await deps.db.transaction().execute(async (tx) => {
      // A reply is activity: the mailbox's retention clock (retention.ts) starts again today.
      await tx
        .insertInto("mailboxes")
        .values({ id: body.mailbox, credential_hash: body.credentialHash, active_day: day })
        .onConflict((oc) => oc.column("id").doUpdateSet({ active_day: day }))
        .execute();
      await tx.insertInto("replies").values({ id: replyId, mailbox_id: body.mailbox, created_day: day, size: bytes.length, desk_id: body.desk ?? null }).execute();
    });
    return c.json({ id: replyId, day } satisfies ItemReceipt, 201);
  });

  app.get("/replies", async (c) => {
    const rows = await visible("replies", c.get("editor"));
    return c.json({ replies: rows.map((r) => ({ id: r.id, day: r.created_day, size: Number(r.size) })) } satisfies ReplyList);
  });
  app.get("/replies/:id", (c) => downloadItem("replies", itemId(c.req.param("id"), "reply"), c.get("editor"), "reply"));

  app.post("/notes", async (c) => {
    const body = parseJson(c.get("body"), postNoteRequest);
    await requireItemDesk(c.get("editor"), body.desk, "note");
    const bytes = ciphertextOf(body.ciphertext, LIMITS.maxNoteBytes, "note");
    const noteId = randomId();
    const day = coarseDay(deps.now());
    await deps.blobs.put(`notes/${noteId}`, bytes);
    await deps.db.insertInto("notes").values({ id: noteId, created_day: day, size: bytes.length, desk_id: body.desk ?? null }).execute();
    return c.json({ id: noteId, day } satisfies ItemReceipt, 201);
  });

  app.get("/notes", async (c) => {
    const rows = await visible("notes", c.get("editor"));
    return c.json({ notes: rows.map((r) => ({ id: r.id, day: r.created_day, size: Number(r.size) })) } satisfies NoteList);
  });
  app.get("/notes/:id", (c) => downloadItem("notes", itemId(c.req.param("id"), "note"), c.get("editor"), "note"));

  return app;
}
