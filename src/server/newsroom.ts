// The newsroom's public side: its name, desks and editors' public keys. Private keys never come here.
import type { Kysely } from "kysely";
import { assertOneKeyKind, MixedKeyKindsError } from "../core/age.js";
import { newsroomFingerprint, rootFingerprint } from "../core/fingerprint.js";
import { deskRecipients } from "../core/roster.js";
import { coarseDay } from "../core/time.js";
import type { EditorNewsroom, EditorPublicKeys, NewsroomResponse, NewsroomSetup } from "../core/wire.js";
import { LIMITS } from "../core/wire.js";
import type { Database } from "./db/schema.js";
import { DomainError } from "./domain-error.js";
import { loadRoster } from "./roster.js";

// Every transaction here does all its reads before its first write. That is what makes it all-or-nothing
// on every deployment: D1 has no interactive transactions, so its dialect sends a transaction's writes as
// one batch at commit and refuses a read that follows a write (workers/d1-dialect.ts).

export async function initializeNewsroom(db: Kysely<Database>, setup: NewsroomSetup, now: Date): Promise<void> {
  const day = coarseDay(now);
  const desks = new Set(setup.desks.map((d) => d.id));
  if (desks.size !== setup.desks.length) throw new DomainError("invalid_body", "Desk ids must be unique.");
  requireKnownDesks(setup.editor, desks);
  await db.transaction().execute(async (tx) => {
    const existing = await tx.selectFrom("newsroom").select("id").executeTakeFirst();
    if (existing) throw new DomainError("already_initialized", "This server already has a newsroom.");
    await checkNewEditor(tx, setup.editor);
    await tx.insertInto("newsroom").values({ id: 1, name: setup.name, created_day: day }).execute();
    await tx
      .insertInto("desks")
      .values(setup.desks.map((d, position) => ({ id: d.id, name: d.name, position })))
      .execute();
    await insertEditor(tx, setup.editor, day);
  });
}

function requireKnownDesks(editor: EditorPublicKeys, known: Set<string>): void {
  const unknown = editor.desks.filter((d) => !known.has(d));
  if (unknown.length > 0) throw new DomainError("unknown_desk", `Unknown desk: ${unknown.join(", ")}.`);
}

/** Reads only: refuses an editor who would clash with the editors already stored. */
async function checkNewEditor(db: Kysely<Database>, editor: EditorPublicKeys): Promise<void> {
  const other = await db.selectFrom("editors").select("age_recipient").where("revoked", "=", 0).executeTakeFirst();
  try {
    assertOneKeyKind(other ? [other.age_recipient, editor.ageRecipient] : []);
  } catch (e) {
    if (!(e instanceof MixedKeyKindsError)) throw e;
    throw new DomainError("conflict", `${e.message}: every editor must use the newsroom's kind of key.`);
  }
  const clash = await db
    .selectFrom("editors")
    .select("id")
    .where((eb) => eb.or([eb("id", "=", editor.id), eb("sign_public_key", "=", editor.signPublicKey)]))
    .executeTakeFirst();
  if (clash) throw new DomainError("conflict", "An editor with this id or signing key exists already.");
}

/** Writes only: the editor and their desk memberships. */
async function insertEditor(db: Kysely<Database>, editor: EditorPublicKeys, day: string): Promise<void> {
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
  await db.transaction().execute(async (tx) => {
    const desks = await tx.selectFrom("desks").select("id").execute();
    requireKnownDesks(editor, new Set(desks.map((d) => d.id)));
    await checkNewEditor(tx, editor);
    await insertEditor(tx, editor, coarseDay(now));
  });
}

export async function revokeEditor(db: Kysely<Database>, editorId: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const editor = await tx.selectFrom("editors").select(["revoked", "role"]).where("id", "=", editorId).executeTakeFirst();
    if (!editor) throw new DomainError("not_found", "No such editor.");
    const active = await tx.selectFrom("editors").select(({ fn }) => fn.countAll<number>().as("n")).where("revoked", "=", 0).executeTakeFirstOrThrow();
    if (!editor.revoked && Number(active.n) <= 1) {
      throw new DomainError("conflict", "Refusing to revoke the last active editor: nobody could read new tips.");
    }
    const otherAdmin = await tx
      .selectFrom("editors")
      .select("id")
      .where("revoked", "=", 0)
      .where("role", "=", "admin")
      .where("id", "!=", editorId)
      .executeTakeFirst();
    if (!editor.revoked && editor.role === "admin" && !otherAdmin) {
      throw new DomainError("last_admin", "Refusing to revoke the last admin: nobody could change the newsroom any more.");
    }
    await tx.updateTable("editors").set({ revoked: 1 }).where("id", "=", editorId).execute();
  });
}

const limits = { maxEnvelopeBytes: LIMITS.maxEnvelopeBytes, maxPartBytes: LIMITS.maxPartBytes, maxAttachmentBytes: LIMITS.maxAttachmentBytes };

/**
 * Desks with the recipients of their active editors: what the source page encrypts to. With a roster,
 * straight from its verified state (the page verifies the roster itself and must find the same), and the
 * root's fingerprint; without one (a newsroom from before rosters), the older key-list fingerprint.
 */
export async function publicNewsroom(db: Kysely<Database>): Promise<NewsroomResponse | null> {
  const roster = await loadRoster(db);
  if (roster) {
    const { state } = roster;
    const desks = state.desks.map((d) => ({ id: d.id, name: d.names.en, names: d.names, recipients: deskRecipients(state, d.id) }));
    // The root's fingerprint: what the newsroom publishes, the same whoever joins or leaves.
    const fingerprint = rootFingerprint(state.root);
    return {
      name: state.names.en,
      names: state.names,
      fingerprint,
      roster: { root: state.root, fingerprint, head: roster.head },
      desks,
      limits,
    };
  }
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
    names: { en: d.name },
    recipients: members.filter((m) => m.desk_id === d.id).map((m) => m.age_recipient),
  }));
  return {
    name: newsroom.name,
    names: { en: newsroom.name },
    fingerprint: newsroomFingerprint(out.flatMap((d) => d.recipients)),
    roster: null,
    desks: out,
    limits,
  };
}

/** The newsroom as editors manage it: desks with their members, and every editor, revoked ones included. */
export async function editorNewsroom(db: Kysely<Database>): Promise<EditorNewsroom> {
  const newsroom = await db.selectFrom("newsroom").select("name").executeTakeFirst();
  if (!newsroom) throw new DomainError("not_found", "This tip line has not been set up yet.");
  const desks = await db.selectFrom("desks").select(["id", "name"]).where("listed", "=", 1).orderBy("position").execute();
  const members = await db.selectFrom("desk_editors").select(["desk_id", "editor_id"]).execute();
  const editors = await db.selectFrom("editors").selectAll().orderBy("id").execute();
  return {
    name: newsroom.name,
    desks: desks.map((d) => ({ ...d, editors: members.filter((m) => m.desk_id === d.id).map((m) => m.editor_id) })),
    editors: editors.map((e) => ({
      id: e.id,
      name: e.name,
      ageRecipient: e.age_recipient,
      signPublicKey: e.sign_public_key,
      revoked: Boolean(e.revoked),
    })),
  };
}
