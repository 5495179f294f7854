// Roster entries in words ("Alice added Bob as editor on desks news"), for `sealdrop roster` and for the
// changes every command prints when the roster moved since this home last saw it. Names come from a
// verified roster but are still people's text: they are made terminal-safe here.
import { findDesk, findEditor, type LocalizedNames, type RosterState, type VerifiedEntry } from "../../core/roster.js";
import type { Io } from "../io.js";
import type { RosterCheck } from "../services/roster.js";
import { inlineSafe } from "../text.js";

const quote = (names: LocalizedNames) => `"${inlineSafe(names.en)}"${names.ko || names.zh ? ` (${[names.ko, names.zh].filter(Boolean).map((n) => inlineSafe(n!)).join(" / ")})` : ""}`;

/** An editor as a person reads them: name and the start of the id (names need not be unique). */
export function who(state: RosterState, id: string): string {
  const e = findEditor(state, id);
  return e ? `${inlineSafe(e.name)} [${id.slice(0, 8)}]` : `editor ${id.slice(0, 8)}`;
}

const deskList = (desks: readonly string[]) => (desks.length === 0 ? "no desk" : `desk${desks.length === 1 ? "" : "s"} ${desks.map(inlineSafe).join(", ")}`);

/** One entry as a sentence, naming who signed it and whom it concerns (names from `state`, the roster's latest). */
export function describeEntry(entry: VerifiedEntry, state: RosterState): string {
  const b = entry.body;
  const signer = b.signer === "root" ? "The root key" : who(state, b.signer);
  switch (b.type) {
    case "genesis":
      return `${signer} created the newsroom ${quote(b.names)} with ${deskList(b.desks.map((d) => d.id))} and ${inlineSafe(b.editor.name)} [${b.editor.id.slice(0, 8)}] as its first admin`;
    case "add-editor":
      return `${signer} added ${inlineSafe(b.editor.name)} [${b.editor.id.slice(0, 8)}] as ${b.editor.role === "admin" ? "an admin" : "an editor"} on ${deskList(b.editor.desks)}`;
    case "revoke-editor":
      return `${signer} revoked ${who(state, b.editor)}${b.compromised ? ", marking their keys compromised" : ""}`;
    case "rotate-keys": {
      const keys = [b.ageRecipient ? "age key" : null, b.signPublicKey ? "signing key" : null].filter(Boolean).join(" and ");
      return `${signer} replaced the ${keys} of ${who(state, b.editor)}${b.compromised ? " (the old one marked compromised)" : ""}`;
    }
    case "set-desks":
      return `${signer} put ${who(state, b.editor)} on ${deskList(b.desks)}`;
    case "set-role":
      return b.role === "admin" ? `${signer} made ${who(state, b.editor)} an admin` : `${signer} removed the admin role of ${who(state, b.editor)}`;
    case "add-desk":
      return `${signer} added desk ${inlineSafe(b.desk.id)} ${quote(b.desk.names)}`;
    case "rename-desk":
      return `${signer} renamed desk ${inlineSafe(b.desk)} to ${quote(b.names)}`;
    case "rename-newsroom":
      return `${signer} renamed the newsroom to ${quote(b.names)}`;
  }
}

/** What changed since this home last looked, on stderr: a person reads it, a script's stdout stays clean. */
export function printRosterChanges(io: Io, check: RosterCheck): void {
  const n = check.changes.length;
  io.err(`The newsroom's roster changed since you last looked (${n} new entr${n === 1 ? "y" : "ies"}, verified):`);
  for (const e of check.changes) io.err(`  ${e.seq}. ${describeEntry(e, check.roster.state)}`);
}

export function printRosterHistory(io: Io, check: RosterCheck): void {
  const { state } = check.roster;
  io.out(`${inlineSafe(state.names.en)}: fingerprint ${check.fingerprint}, ${state.length} entr${state.length === 1 ? "y" : "ies"}, head ${state.head.hash.slice(0, 16)}`);
  for (const e of check.roster.entries) io.out(`  ${e.seq}. ${describeEntry(e, state)}`);
  io.out("Desks now:");
  for (const d of state.desks) {
    const readers = state.editors.filter((e) => !e.revoked && e.desks.includes(d.id)).map((e) => `${inlineSafe(e.name)}${e.role === "admin" ? " (admin)" : ""}`);
    io.out(`  ${inlineSafe(d.id)} ${quote(findDesk(state, d.id)!.names)}: ${readers.length ? readers.join(", ") : "nobody reads it"}`);
  }
}

/** The `--json` shape of the history: every entry with its hash and a sentence, and the state now. */
export function rosterJson(check: RosterCheck) {
  const { state } = check.roster;
  return {
    fingerprint: check.fingerprint,
    root: check.root,
    head: state.head,
    names: state.names,
    desks: state.desks.map((d) => ({ id: d.id, names: d.names, editors: state.editors.filter((e) => !e.revoked && e.desks.includes(d.id)).map((e) => e.id) })),
    editors: state.editors.map((e) => ({ id: e.id, name: e.name, role: e.role, desks: e.desks, ageRecipient: e.ageRecipient, signPublicKey: e.signPublicKey, revoked: e.revoked })),
    entries: check.roster.entries.map((e) => ({ seq: e.seq, hash: e.hash, type: e.body.type, signer: e.body.signer, text: describeEntry(e, state) })),
  };
}
