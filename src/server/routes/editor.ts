// Editor endpoints: every request is signed (middleware/editor-auth.ts). Editors fetch ciphertext and
// manage the newsroom's public keys; nothing here ever sees a private key or a plaintext.
import { Hono } from "hono";
import { fromBase64 } from "../../core/bytes.js";
import {
  type DeletedResponse,
  type EditorAdded,
  type EditorNewsroom,
  editorPublicKeys,
  type EditorRevoked,
  id as idSchema,
  type SubmissionList,
} from "../../core/wire.js";
import { parseJson } from "../body.js";
import type { Deps } from "../deps.js";
import { HttpError } from "../http-error.js";
import { type EditorVariables, editorAuth } from "../middleware/editor-auth.js";
import { addEditor, revokeEditor } from "../newsroom.js";
import { editorItemRoutes } from "./editor-items.js";

function parseId(value: string, what: string): string {
  const parsed = idSchema.safeParse(value);
  if (!parsed.success) throw new HttpError(404, "not_found", `No such ${what}.`);
  return parsed.data;
}

export function editorRoutes(deps: Deps): Hono<{ Variables: EditorVariables }> {
  const app = new Hono<{ Variables: EditorVariables }>();
  app.use("*", editorAuth(deps));

  const streamBlob = async (key: string, what: string) => {
    const blob = await deps.blobs.get(key);
    if (!blob) throw new HttpError(404, "not_found", `No such ${what}.`);
    return new Response(blob.body, {
      headers: { "Content-Type": "application/octet-stream", "Content-Length": String(blob.size) },
    });
  };

  app.get("/submissions", async (c) => {
    const submissions = await deps.db
      .selectFrom("submissions")
      .select(["id", "desk_id", "received_day", "envelope_size"])
      .orderBy("received_day")
      .orderBy("id")
      .execute();
    const attachments = await deps.db.selectFrom("attachments").select(["id", "submission_id", "position", "size"]).execute();
    return c.json({
      submissions: submissions.map((s) => ({
        id: s.id,
        desk: s.desk_id,
        day: s.received_day,
        envelopeSize: Number(s.envelope_size),
        attachments: attachments
          .filter((a) => a.submission_id === s.id)
          .sort((a, b) => a.position - b.position)
          .map((a) => ({ id: a.id, position: Number(a.position), size: Number(a.size) })),
      })),
    } satisfies SubmissionList);
  });

  app.get("/submissions/:id/envelope", async (c) => {
    const submissionId = parseId(c.req.param("id"), "submission");
    const row = await deps.db.selectFrom("submissions").select("envelope").where("id", "=", submissionId).executeTakeFirst();
    if (!row) throw new HttpError(404, "not_found", "No such submission.");
    // Stored before migration 0004: the envelope is a blob.
    if (row.envelope === null) return streamBlob(`envelopes/${submissionId}`, "submission");
    const bytes = fromBase64(row.envelope);
    return new Response(bytes, { headers: { "Content-Type": "application/octet-stream", "Content-Length": String(bytes.length) } });
  });
  app.get("/attachments/:id", (c) => streamBlob(`attachments/${parseId(c.req.param("id"), "attachment")}`, "attachment"));

  app.delete("/submissions/:id", async (c) => {
    const submissionId = parseId(c.req.param("id"), "submission");
    const attachments = await deps.db.transaction().execute(async (tx) => {
      const found = await tx.selectFrom("submissions").select("id").where("id", "=", submissionId).executeTakeFirst();
      if (!found) throw new HttpError(404, "not_found", "No such submission.");
      const rows = await tx.selectFrom("attachments").select("id").where("submission_id", "=", submissionId).execute();
      await tx.deleteFrom("attachments").where("submission_id", "=", submissionId).execute();
      await tx.deleteFrom("submissions").where("id", "=", submissionId).execute();
      return rows;
    });
    // Rows first: a crash now leaves unreferenced blobs, which start-up sweeps away. (Only submissions
    // stored before migration 0004 have an envelope blob; deleting a missing one is no error.)
    await deps.blobs.delete(`envelopes/${submissionId}`);
    for (const a of attachments) await deps.blobs.delete(`attachments/${a.id}`);
    return c.json({ deleted: true } satisfies DeletedResponse);
  });

  app.get("/newsroom", async (c) => {
    const newsroom = await deps.db.selectFrom("newsroom").select("name").executeTakeFirstOrThrow();
    const desks = await deps.db.selectFrom("desks").select(["id", "name"]).orderBy("position").execute();
    const members = await deps.db.selectFrom("desk_editors").select(["desk_id", "editor_id"]).execute();
    const editors = await deps.db.selectFrom("editors").selectAll().orderBy("id").execute();
    return c.json({
      name: newsroom.name,
      desks: desks.map((d) => ({ ...d, editors: members.filter((m) => m.desk_id === d.id).map((m) => m.editor_id) })),
      editors: editors.map((e) => ({
        id: e.id,
        name: e.name,
        ageRecipient: e.age_recipient,
        signPublicKey: e.sign_public_key,
        revoked: Boolean(e.revoked),
      })),
    } satisfies EditorNewsroom);
  });

  app.post("/editors", async (c) => {
    const editor = parseJson(c.get("body"), editorPublicKeys);
    await addEditor(deps.db, editor, deps.now());
    return c.json({ id: editor.id } satisfies EditorAdded, 201);
  });

  app.delete("/editors/:id", async (c) => {
    await revokeEditor(deps.db, parseId(c.req.param("id"), "editor"));
    return c.json({ revoked: true } satisfies EditorRevoked);
  });

  app.route("/", editorItemRoutes(deps));

  return app;
}
