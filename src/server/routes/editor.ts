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
  rosterAppendRequest,
  type RosterHeadResponse,
  type SubmissionList,
} from "../../core/wire.js";
import { parseJson } from "../body.js";
import type { Deps } from "../deps.js";
import { HttpError } from "../http-error.js";
import { DomainError } from "../domain-error.js";
import { type EditorVariables, editorAuth, type SignedInEditor } from "../middleware/editor-auth.js";
import { requireAdmin } from "../middleware/editor-rights.js";
import { appendRoster, hasRoster } from "../roster.js";
import { addEditor, editorNewsroom, revokeEditor } from "../newsroom.js";
import type { SubmissionStore } from "../submission-store.js";
import { editorItemRoutes } from "./editor-items.js";
import { editorDeleteRoutes } from "./editor-deletes.js";
import { recordingPull } from "../retention.js";

function parseId(value: string, what: string): string {
  const parsed = idSchema.safeParse(value);
  if (!parsed.success) throw new HttpError(404, "not_found", `No such ${what}.`);
  return parsed.data;
}

export function editorRoutes(deps: Deps, submissions: SubmissionStore): Hono<{ Variables: EditorVariables }> {
  const app = new Hono<{ Variables: EditorVariables }>();
  app.use("*", editorAuth(deps));

  const streamBlob = async (key: string, what: string, pulled?: { table: "submissions" | "attachments"; id: string; editor: string }) => {
    const blob = await deps.blobs.get(key);
    if (!blob) throw new HttpError(404, "not_found", `No such ${what}.`);
    const body = pulled ? recordingPull(deps.db, deps.config.retention, pulled.table, pulled.id, pulled.editor, blob.size, blob.body) : blob.body;
    return new Response(body, {
      headers: { "Content-Type": "application/octet-stream", "Content-Length": String(blob.size) },
    });
  };

  app.get("/submissions", async (c) => c.json({ submissions: await submissions.list(c.get("editor").desks) } satisfies SubmissionList));

  // A download read to its end counts as pulled, for retention that deletes what every editor has pulled.
  app.get("/submissions/:id/envelope", async (c) => {
    const id = parseId(c.req.param("id"), "submission");
    const editor = c.get("editor");
    const stored = await submissions.envelope(id, editor.desks);
    const pulled = { table: "submissions", id, editor: editor.id } as const;
    if ("blobKey" in stored) return streamBlob(stored.blobKey, "submission", pulled);
    const bytes = fromBase64(stored.base64);
    const body = recordingPull(deps.db, deps.config.retention, "submissions", id, editor.id, bytes.length, new Blob([bytes]).stream());
    return new Response(body, { headers: { "Content-Type": "application/octet-stream", "Content-Length": String(bytes.length) } });
  });
  app.get("/attachments/:id", async (c) => {
    const id = parseId(c.req.param("id"), "attachment");
    const editor = c.get("editor");
    return streamBlob(await submissions.attachment(id, editor.desks), "attachment", { table: "attachments", id, editor: editor.id });
  });

  app.delete("/submissions/:id", async (c) => {
    await submissions.remove(parseId(c.req.param("id"), "submission"), c.get("editor").desks);
    return c.json({ deleted: true } satisfies DeletedResponse);
  });

  app.get("/newsroom", async (c) => c.json((await editorNewsroom(deps.db)) satisfies EditorNewsroom));

  // Before a roster, any admin (every editor registered then is one) adds and revokes editors here; once the
  // newsroom has a roster, editors change only by signed roster entries, which the server cannot forge.
  const legacyEditorChange = async (editor: SignedInEditor) => {
    requireAdmin(editor);
    if (await hasRoster(deps.db)) {
      throw new DomainError("roster_required", "This newsroom has a roster: add, revoke and rotate editors with signed roster entries (POST /api/editor/roster).");
    }
  };

  app.post("/roster", async (c) => {
    requireAdmin(c.get("editor"));
    const body = parseJson(c.get("body"), rosterAppendRequest);
    const roster = await appendRoster(deps.db, body.entries, deps.now());
    return c.json({ head: roster.head } satisfies RosterHeadResponse, 201);
  });

  app.post("/editors", async (c) => {
    await legacyEditorChange(c.get("editor"));
    const editor = parseJson(c.get("body"), editorPublicKeys);
    await addEditor(deps.db, editor, deps.now());
    return c.json({ id: editor.id } satisfies EditorAdded, 201);
  });

  app.delete("/editors/:id", async (c) => {
    await legacyEditorChange(c.get("editor"));
    await revokeEditor(deps.db, parseId(c.req.param("id"), "editor"));
    return c.json({ revoked: true } satisfies EditorRevoked);
  });

  app.route("/", editorItemRoutes(deps));
  app.route("/", editorDeleteRoutes(deps));

  return app;
}
