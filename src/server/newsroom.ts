// The newsroom's public side: its name, desks and editors' public keys. Private keys never come here.
import type { Kysely } from "kysely";
import { newsroomFingerprint } from "../core/fingerprint.js";
import { coarseDay } from "../core/time.js";
import type { EditorPublicKeys, NewsroomResponse, NewsroomSetup } from "../core/wire.js";
import { LIMITS } from "../core/wire.js";
import type { Database } from "./db/schema.js";
import { HttpError } from "./http-error.js";

const isPostQuantum = (recipient: string) => recipient.startsWith("age1pq1");

export async function initializeNewsroom(db: Kysely<Database>, setup: NewsroomSetup, now: Date): Promise<void> {
  const day = coarseDay(now);
  await db.transaction().execute(async (tx) => {
    const existing = await tx.selectFrom("newsroom").select("id").executeTakeFirst();
    if (existing) throw new HttpError(409, "already_initialized", "This server already has a newsroom.");
    await tx.insertInto("newsroom").values({ id: 1, name: setup.name, created_day: day }).execute();
    // Checked before any write: on D1 a read after a write inside a transaction commits what came before.
    const desks = new Set(setup.desks.map((d) => d.id));
    if (desks.size !== setup.desks.length) throw new HttpError(400, "invalid_body", "Desk ids must be unique.");
    requireKnownDesks(setup.editor, desks);
    await tx
      .insertInto("desks")
      .values(setup.desks.map((d, position) => ({ id: d.id, name: d.name, position })))
      .execute();
    await writeEditor(tx, setup.editor, day);
  });
}

function requireKnownDesks(editor: EditorPublicKeys, known: Set<string>): void {
  const unknown = editor.desks.filter((d) => !known.has(d));
  if (unknown.length > 0) throw new HttpError(400, "unknown_desk", `Unknown desk: ${unknown.join(", ")}.`);
}

async function insertEditor(db: Kysely<Database>, editor: EditorPublicKeys, day: string): Promise<void> {
  const desks = await db.selectFrom("desks").select("id").execute();
  requireKnownDesks(editor, new Set(desks.map((d) => d.id)));
  await writeEditor(db, editor, day);
}

async function writeEditor(db: Kysely<Database>, editor: EditorPublicKeys, day: string): Promise<void> {
  const other = await db.selectFrom("editors").select("age_recipient").where("revoked", "=", 0).executeTakeFirst();
  if (other && isPostQuantum(other.age_recipient) !== isPostQuantum(editor.ageRecipient)) {
    throw new HttpError(
      409,
      "conflict",
      "age cannot mix post-quantum and classic recipients in one file: every editor must use the newsroom's kind of key.",
    );
  }
  const clash = await db
    .selectFrom("editors")
    .select("id")
    .where((eb) => eb.or([eb("id", "=", editor.id), eb("sign_public_key", "=", editor.signPublicKey)]))
    .executeTakeFirst();
  if (clash) throw new HttpError(409, "conflict", "An editor with this id or signing key exists already.");
  await db
    .insertInto("editors")
    .values({ id: editor.id, name: editor.name, age_recipient: editor.ageRecipient, sign_public_key: editor.signPublicKey, added_day: day })
    .execute();
  await db
    .insertInto("desk_editors")
    .values([...new Set(editor.desks)].map((desk_id) => ({ desk_id, editor_id: editor.id })))
    .execute();
}

export async function addEditor(db: Kysely<Database>, editor: EditorPublicKeys, now: Date): Promise<void> {
  await db.transaction().execute((tx) => insertEditor(tx, editor, coarseDay(now)));
}

export async function revokeEditor(db: Kysely<Database>, editorId: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const editor = await tx.selectFrom("editors").select("revoked").where("id", "=", editorId).executeTakeFirst();
    if (!editor) throw new HttpError(404, "not_found", "No such editor.");
    const active = await tx.selectFrom("editors").select(({ fn }) => fn.countAll<number>().as("n")).where("revoked", "=", 0).executeTakeFirstOrThrow();
    if (!editor.revoked && Number(active.n) <= 1) {
      throw new HttpError(409, "conflict", "Refusing to revoke the last active editor: nobody could read new tips.");
    }
    await tx.updateTable("editors").set({ revoked: 1 }).where("id", "=", editorId).execute();
  });
}

/** Desks with the recipients of their active editors: what the source page encrypts to. */
export async function publicNewsroom(db: Kysely<Database>): Promise<NewsroomResponse | null> {
  const newsroom = await db.selectFrom("newsroom").select("name").executeTakeFirst();
  if (!newsroom) return null;
  const desks = await db.selectFrom("desks").select(["id", "name"]).orderBy("position").execute();
  const members = await db
    .selectFrom("desk_editors")
    .innerJoin("editors", "editors.id", "desk_editors.editor_id")
    .select(["desk_editors.desk_id", "editors.age_recipient"])
    .where("editors.revoked", "=", 0)
    .orderBy("editors.id")
    .execute();
  const out = desks.map((d) => ({
    id: d.id,
    name: d.name,
    recipients: members.filter((m) => m.desk_id === d.id).map((m) => m.age_recipient),
  }));
  return {
    name: newsroom.name,
    fingerprint: newsroomFingerprint(out.flatMap((d) => d.recipients)),
    desks: out,
    limits: { maxEnvelopeBytes: LIMITS.maxEnvelopeBytes, maxPartBytes: LIMITS.maxPartBytes, maxAttachmentBytes: LIMITS.maxAttachmentBytes },
  };
}
