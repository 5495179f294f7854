// Text view of `editor list`: the newsroom's desks and editors from the verified roster, every name made safe.
import { keyKindOf } from "../../core/age.js";
import type { Io } from "../io.js";
import type { EditorNewsroom } from "../services/editors.js";
import { inlineSafe } from "../text.js";

export function printNewsroomEditors(io: Io, newsroom: EditorNewsroom): void {
  io.out(inlineSafe(newsroom.name));
  for (const d of newsroom.desks) io.out(`desk ${inlineSafe(d.id)} (${inlineSafe(d.name)}): ${d.editors.length} editor(s)`);
  for (const e of newsroom.editors) {
    const desks = newsroom.desks.filter((d) => d.editors.includes(e.id)).map((d) => inlineSafe(d.id));
    io.out(`${inlineSafe(e.id)}  ${inlineSafe(e.name)}  ${keyKindOf(e.ageRecipient) === "pq" ? "pq" : "classic"}  ${e.role}  ${desks.join(",")}${e.revoked ? "  REVOKED" : ""}`);
  }
}
