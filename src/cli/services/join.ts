// Joining a newsroom from the new editor's own machine: pin the root whose fingerprint the newsroom
// published (the server's roster must verify from it), make this editor's keys of the newsroom's kind, and
// write a join request for an admin, which carries only public keys. Nothing secret leaves the machine.
import { isDisplayText } from "../../core/roster.js";
import { createEditor, saveEditor } from "../editor.js";
import { UsageError } from "../errors.js";
import type { EditorHome } from "../home.js";
import { encodeJoinRequest, joinCheckCode, type JoinRequest } from "../join-request.js";
import { ensureNoKey } from "../setup.js";
import { pinByFingerprint } from "./roster.js";

export interface JoinInput {
  home: EditorHome;
  server: string;
  fingerprint: string;
  name: string;
  /** Asked for once the server's roster has verified: the new key's passphrase. */
  passphrase: () => Promise<string>;
  env: Record<string, string | undefined>;
}

export interface Joined {
  request: JoinRequest;
  /** The one-line text form (what the request file holds). */
  text: string;
  /** Read aloud to the admin, who sees the same code when approving. */
  checkCode: string;
  newsroom: string;
  editorId: string;
}

export async function joinNewsroom(input: JoinInput): Promise<Joined> {
  if (!isDisplayText(input.name) || input.name.length > 100) throw new UsageError("--name is 1 to 100 characters of plain text (no control or invisible characters, no surrounding spaces)");
  await ensureNoKey(input.home);
  const check = await pinByFingerprint(input.home, input.server, input.fingerprint);
  const { state } = check.roster;
  const passphrase = await input.passphrase();
  const editor = await createEditor(input.name, input.server, state.names.en, state.keyKind === "x25519");
  await saveEditor(input.home, editor, passphrase, { env: input.env });
  const request: JoinRequest = { v: 1, fingerprint: check.fingerprint, id: editor.header.editorId, name: input.name, ageRecipient: editor.ageRecipient, signPublicKey: editor.secrets.signPublicKey };
  return { request, text: encodeJoinRequest(request), checkCode: joinCheckCode(request), newsroom: state.names.en, editorId: editor.header.editorId };
}
