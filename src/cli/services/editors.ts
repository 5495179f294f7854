// The newsroom's editors, managed by an editor with signed requests: listing desks and editors, adding a
// colleague (a new key in a new home, its public half registered with the server), revoking one.
import { unlink } from "node:fs/promises";
import { assertOneKeyKind } from "../../core/age.js";
import { editorAdded, type EditorNewsroom, editorNewsroom, editorRevoked } from "../../core/wire.js";
import { createEditor, editorPublicKeys, saveEditor } from "../editor.js";
import { CliError } from "../errors.js";
import type { EditorHome } from "../home.js";
import { ensureNoKey } from "../setup.js";
import type { EditorSession } from "./session.js";

export function newsroomEditors(session: EditorSession): Promise<EditorNewsroom> {
  return session.api.get("/api/editor/newsroom", editorNewsroom);
}

export interface NewEditor {
  name: string;
  desks: string[];
  home: EditorHome;
  classic: boolean;
  /** Asked for only once the newsroom has been checked: the new key's passphrase. */
  passphrase: () => Promise<string>;
  env: Record<string, string | undefined>;
}

/** Creates the colleague's key in `home` and registers it; a refused registration leaves no key behind. */
export async function addEditor(session: EditorSession, input: NewEditor): Promise<{ id: string; keyFile: string }> {
  await ensureNoKey(input.home);
  const newsroom = await newsroomEditors(session);
  const known = new Set(newsroom.desks.map((d) => d.id));
  const unknown = input.desks.filter((d) => !known.has(d));
  if (unknown.length) throw new CliError(`no such desk: ${unknown.join(", ")} (desks: ${[...known].join(", ")})`);
  const active = newsroom.editors.filter((e) => !e.revoked);
  const newsroomKind = assertOneKeyKind(active.map((e) => e.ageRecipient));
  if (newsroomKind !== null && newsroomKind !== (input.classic ? "x25519" : "pq")) {
    throw new CliError(
      input.classic
        ? "this newsroom uses post-quantum keys; age cannot mix them with classic keys in one file. Leave out --classic."
        : "this newsroom uses classic X25519 keys; age cannot mix them with post-quantum keys in one file. Add --classic.",
    );
  }
  const passphrase = await input.passphrase();
  const editor = await createEditor(input.name, session.api.base, session.editor.header.newsroom, input.classic);
  await saveEditor(input.home, editor, passphrase, { env: input.env });
  try {
    await session.api.post("/api/editor/editors", editorPublicKeys(editor, [...new Set(input.desks)]), editorAdded);
  } catch (e) {
    await unlink(input.home.keyFile).catch(() => {});
    throw e;
  }
  return { id: editor.header.editorId, keyFile: input.home.keyFile };
}

export async function revokeEditor(session: EditorSession, id: string): Promise<void> {
  await session.api.delete(`/api/editor/editors/${id}`, editorRevoked);
}
