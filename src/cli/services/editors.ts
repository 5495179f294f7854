// The newsroom's editors and desks, as the verified roster names them, and the changes an admin makes to
// them: each one a roster entry signed by the admin (services/roster-changes.ts). Adding a colleague goes
// through a join request (their keys never leave their machine); `addEditor` remains for a one-person
// newsroom that makes a second home for itself.
import { readFile, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { identityToRecipient } from "age-encryption";
import { findDesk, findEditor, type LocalizedNames, type Role, type RosterState } from "../../core/roster.js";
import { requireFullKey, createEditor, generateEditorSecrets, type Editor, saveEditor } from "../editor.js";
import { CliError } from "../errors.js";
import { writeFileAtomic } from "../files.js";
import type { EditorHome } from "../home.js";
import type { JoinRequest } from "../join-request.js";
import { readPin, writePin } from "../roster-pin.js";
import { ensureNoKey } from "../setup.js";
import { requireRoster } from "./recipients.js";
import { type AppliedChanges, applyRosterChanges } from "./roster-changes.js";
import type { EditorSession } from "./session.js";

export interface EditorNewsroom {
  name: string;
  desks: { id: string; name: string; editors: string[] }[];
  editors: { id: string; name: string; role: Role; ageRecipient: string; signPublicKey: string; revoked: boolean }[];
}

export async function newsroomEditors(session: EditorSession): Promise<EditorNewsroom> {
  const { state } = (await requireRoster(session)).roster;
  return {
    name: state.names.en,
    desks: state.desks.map((d) => ({ id: d.id, name: d.names.en, editors: state.editors.filter((e) => !e.revoked && e.desks.includes(d.id)).map((e) => e.id) })),
    editors: state.editors.map((e) => ({ id: e.id, name: e.name, role: e.role, ageRecipient: e.ageRecipient, signPublicKey: e.signPublicKey, revoked: e.revoked })),
  };
}

function requireDesks(state: RosterState, desks: string[]): string[] {
  const unique = [...new Set(desks)];
  const unknown = unique.filter((d) => !findDesk(state, d));
  if (unknown.length) throw new CliError(`no such desk: ${unknown.join(", ")} (desks: ${state.desks.map((d) => d.id).join(", ")})`, 1, "unknown_desk");
  return unique;
}

function activeEditor(state: RosterState, id: string) {
  const editor = findEditor(state, id);
  if (!editor) throw new CliError(`no editor ${id} in the roster (see \`sealdrop roster\`)`, 1, "unknown_editor");
  if (editor.revoked) throw new CliError(`editor ${editor.name} [${id.slice(0, 8)}] is revoked already`, 1, "editor_revoked");
  return editor;
}

/** Adds the editor a join request describes, on `desks` with `role`: the admin's side of joining. */
export async function approveJoin(session: EditorSession, request: JoinRequest, desks: string[], role: Role): Promise<AppliedChanges> {
  const { fingerprint } = await requireRoster(session);
  if (request.fingerprint !== fingerprint) {
    throw new CliError(`the request was made for the newsroom with fingerprint ${request.fingerprint}, not this one (${fingerprint})`, 1, "fingerprint_mismatch");
  }
  return applyRosterChanges(session, (state) => {
    return [{ type: "add-editor", editor: { id: request.id, name: request.name, ageRecipient: request.ageRecipient, signPublicKey: request.signPublicKey, role, desks: requireDesks(state, desks) } }];
  });
}

export interface NewEditor {
  name: string;
  desks: string[];
  role: Role;
  home: EditorHome;
  classic: boolean;
  /** Asked for only once the roster has been checked: the new key's passphrase. */
  passphrase: () => Promise<string>;
  env: Record<string, string | undefined>;
}

/** Creates a second editor's home (key and pinned roster) and adds it to the roster; a refusal leaves no key behind. */
export async function addEditor(session: EditorSession, input: NewEditor): Promise<{ id: string; keyFile: string; applied: AppliedChanges }> {
  await ensureNoKey(input.home);
  const check = await requireRoster(session);
  const desks = requireDesks(check.roster.state, input.desks);
  if ((check.roster.state.keyKind === "x25519") !== input.classic) {
    throw new CliError(
      input.classic
        ? "this newsroom uses post-quantum keys; age cannot mix them with classic keys in one file. Leave out --classic."
        : "this newsroom uses classic X25519 keys; age cannot mix them with post-quantum keys in one file. Add --classic.",
      1,
      "key_kind_mismatch",
    );
  }
  const passphrase = await input.passphrase();
  const editor = await createEditor(input.name, session.api.base, session.editor.header.newsroom, input.classic);
  await saveEditor(input.home, editor, passphrase, { env: input.env });
  try {
    const spec = { id: editor.header.editorId, name: input.name, ageRecipient: editor.ageRecipient, signPublicKey: editor.secrets.signPublicKey, role: input.role, desks };
    const applied = await applyRosterChanges(session, () => [{ type: "add-editor", editor: spec }]);
    await writePin(input.home, check.root, (await readPin(session.home))!.entries);
    return { id: editor.header.editorId, keyFile: input.home.keyFile, applied };
  } catch (e) {
    await unlink(input.home.keyFile).catch(() => {});
    throw e;
  }
}

export function revokeEditor(session: EditorSession, id: string, compromised: boolean): Promise<AppliedChanges> {
  return applyRosterChanges(session, (state) => {
    activeEditor(state, id);
    return [{ type: "revoke-editor", editor: id, compromised }];
  });
}

export function setRole(session: EditorSession, id: string, role: Role): Promise<AppliedChanges> {
  return applyRosterChanges(session, (state) => {
    const editor = activeEditor(state, id);
    if (editor.role === role) throw new CliError(`${editor.name} [${id.slice(0, 8)}] is ${role === "admin" ? "an admin" : "not an admin"} already`);
    return [{ type: "set-role", editor: id, role }];
  });
}

export function setDesks(session: EditorSession, id: string, desks: string[]): Promise<AppliedChanges> {
  return applyRosterChanges(session, (state) => {
    activeEditor(state, id);
    return [{ type: "set-desks", editor: id, desks: requireDesks(state, desks) }];
  });
}

/** A new desk; with `join`, the admin who makes it reads it, so it does not start with no readers. */
export function addDesk(session: EditorSession, desk: { id: string; names: LocalizedNames }, joinIt: boolean): Promise<AppliedChanges> {
  return applyRosterChanges(session, (state) => {
    if (findDesk(state, desk.id)) throw new CliError(`desk ${desk.id} exists already`, 1, "roster_duplicate");
    const me = findEditor(state, session.editor.header.editorId)!;
    return [{ type: "add-desk", desk }, ...(joinIt ? [{ type: "set-desks" as const, editor: me.id, desks: [...me.desks, desk.id] }] : [])];
  });
}

export function renameDesk(session: EditorSession, id: string, names: LocalizedNames): Promise<AppliedChanges> {
  return applyRosterChanges(session, (state) => {
    if (!findDesk(state, id)) throw new CliError(`no desk ${id} in the roster`, 1, "unknown_desk");
    return [{ type: "rename-desk", desk: id, names }];
  });
}

export interface Rotation {
  applied: AppliedChanges;
  /** Where the replaced key file went: it still opens everything sealed to the old age key. */
  retiredKeyFile: string;
  age: boolean;
}

/**
 * Replaces this admin's own signing key (and with `age`, the age key too): a rotate-keys entry signed with
 * the old key, then the new key file in place of the old one, which is kept as `retired/editor-SEQ.key`.
 * Whatever was sealed to the old age key opens only with it, so the new key file carries it on
 * (`retiredAgeIdentities`, docs/FORMAT.md "Editor key file") and readers try it (editorIdentities).
 */
export async function rotateOwnKeys(session: EditorSession, options: { age: boolean; compromised: boolean; passphrase: string; env: Record<string, string | undefined> }): Promise<Rotation> {
  const { home } = session;
  // The new key file keeps the age identity: a rotation is done on a whole home (or the reading half), not the online half.
  const editor = requireFullKey(session.editor, home.keyFile);
  const fresh = await generateEditorSecrets((await requireRoster(session)).roster.state.keyKind === "x25519");
  // The old age identity stays in the new key file, so what was sealed to it keeps opening (read, list, sources).
  const retired = options.age ? [editor.secrets.ageIdentity, ...(editor.secrets.retiredAgeIdentities ?? [])] : (editor.secrets.retiredAgeIdentities ?? []);
  const secrets = { ...fresh, ageIdentity: options.age ? fresh.ageIdentity : editor.secrets.ageIdentity, ...(retired.length > 0 ? { retiredAgeIdentities: retired } : {}) };
  const next: Editor = { header: editor.header, secrets, ageRecipient: await identityToRecipient(secrets.ageIdentity) };
  // The new key is sealed before anything is signed, so a failure here changes nothing.
  const staged = join(home.dir, "editor.key.next");
  await unlink(staged).catch(() => {});
  await saveEditor({ ...home, keyFile: staged }, next, options.passphrase, { env: options.env });
  let applied: AppliedChanges;
  try {
    applied = await applyRosterChanges(session, () => [
      { type: "rotate-keys", editor: editor.header.editorId, ageRecipient: options.age ? next.ageRecipient : null, signPublicKey: secrets.signPublicKey, compromised: options.compromised },
    ]);
  } catch (e) {
    await unlink(staged).catch(() => {});
    throw e;
  }
  const retiredKeyFile = join(home.dir, "retired", `editor-${applied.roster.head.seq}.key`);
  await writeFileAtomic(retiredKeyFile, await readFile(home.keyFile), { mode: 0o600, exclusive: true });
  await rename(staged, home.keyFile);
  return { applied, retiredKeyFile, age: options.age };
}
