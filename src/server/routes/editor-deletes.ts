// Editors delete a reply, a note, or everything of one source (its submissions, the replies in its mailbox,
// the mailbox, the desk's notes about it). Mounted under the signed /api/editor routes; an editor deletes
// only within their desks (`outside_desk`, and then nothing is deleted). After a deletion the deployment
// scrubs its database files (Deps.scrub). What deleting a source tells the server: docs/THREAT-MODEL.md.
import { Hono } from "hono";
import { deleteSourceRequest, type DeletedResponse, id as idSchema, type SourceDeletedResponse } from "../../core/wire.js";
import { parseJson } from "../body.js";
import type { Deps } from "../deps.js";
import { HttpError } from "../http-error.js";
import type { EditorVariables } from "../middleware/editor-auth.js";
import { requireDesk } from "../middleware/editor-rights.js";
import { deleteItems, deleteMailboxes, deleteSubmissions } from "../retention.js";

/** In slices: D1 binds at most 100 values per statement. */
async function inSlices<T>(ids: readonly string[], read: (part: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += 50) out.push(...(await read(ids.slice(i, i + 50))));
  return out;
}

export function editorDeleteRoutes(deps: Deps): Hono<{ Variables: EditorVariables }> {
  const app = new Hono<{ Variables: EditorVariables }>();
  const { db, blobs } = deps;

  for (const [table, what] of [
    ["replies", "reply"],
    ["notes", "note"],
  ] as const) {
    app.delete(`/${table}/:id`, async (c) => {
      const parsed = idSchema.safeParse(c.req.param("id"));
      if (!parsed.success) throw new HttpError(404, "not_found", `No such ${what}.`);
      const row = await db.selectFrom(table).select("desk_id").where("id", "=", parsed.data).executeTakeFirst();
      if (!row) throw new HttpError(404, "not_found", `No such ${what}.`);
      requireDesk(c.get("editor").desks, row.desk_id);
      await deleteItems(db, blobs, table, [parsed.data]);
      await deps.scrub?.();
      return c.json({ deleted: true } satisfies DeletedResponse);
    });
  }

  app.post("/sources/delete", async (c) => {
    const body = parseJson(c.get("body"), deleteSourceRequest);
    const { desks } = c.get("editor");
    // Every check before the first deletion: one item outside the editor's desks and nothing is deleted.
    const submissions = await inSlices(body.submissions, (part) => db.selectFrom("submissions").select(["id", "desk_id"]).where("id", "in", part).execute());
    const notes = await inSlices(body.notes, (part) => db.selectFrom("notes").select(["id", "desk_id"]).where("id", "in", part).execute());
    const replies = await inSlices(body.mailboxes, (part) => db.selectFrom("replies").select("desk_id").where("mailbox_id", "in", part).execute());
    for (const row of [...submissions, ...notes, ...replies]) requireDesk(desks, row.desk_id);

    const deleted = { submissions: 0, replies: 0, notes: 0, mailboxes: 0 };
    deleted.submissions = await deleteSubmissions(
      db,
      blobs,
      submissions.map((s) => s.id),
    );
    const mailboxes = await deleteMailboxes(db, blobs, [...new Set(body.mailboxes)]);
    deleted.mailboxes = mailboxes.mailboxes;
    deleted.replies = mailboxes.replies;
    deleted.notes = await deleteItems(
      db,
      blobs,
      "notes",
      notes.map((n) => n.id),
    );
    await deps.scrub?.();
    return c.json({ deleted } satisfies SourceDeletedResponse);
  });

  return app;
}
