// What a signed-in editor may do (issue 13, "Roles and desks enforced by the server"): admins change the
// newsroom, and everyone acts only within their own desks. The roster is the authority; these checks are
// the server's defence in depth against one editor overstepping, with stable codes for each refusal.
import { DomainError } from "../domain-error.js";
import type { SignedInEditor } from "./editor-auth.js";

export function requireAdmin(editor: SignedInEditor): void {
  if (editor.role !== "admin") throw new DomainError("not_admin", "Only an admin of this newsroom may do this.");
}

/** `desk` null: a reply or note posted before desks were named, encrypted to every editor; anyone may see it. */
export function requireDesk(desks: ReadonlySet<string>, desk: string | null): void {
  if (desk !== null && !desks.has(desk)) throw new DomainError("outside_desk", `This belongs to desk "${desk}", which you are not on.`);
}
