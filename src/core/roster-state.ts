// The roster's state machine (docs/FORMAT.md, "Roster rules"): what the newsroom looks like after a
// sequence of verified entries, and what one more entry may change. Pure data in, pure data out, so the
// page, the server and the CLI all reach the same state from the same log.
import { KEY_KIND_NAMES, keyKindOf, type KeyKind } from "./age.js";
import type { LocalizedNames, Language, Role, RosterEditorSpec, RosterEntryBody, RosterHead } from "./roster-entry.js";
import { ROSTER_LIMITS } from "./roster-entry.js";

export const ROSTER_ERROR_CODES = [
  "roster_malformed", // not an entry: bad JSON shape, field, name or limit
  "roster_bad_genesis", // the first entry is not a root-signed genesis, or a genesis comes later
  "roster_root_mismatch", // the genesis names another root than the one pinned or shown
  "roster_bad_seq", // an entry's sequence number is not the next one (dropped, reordered or forked entries)
  "roster_bad_prev", // an entry does not name the previous entry's hash
  "roster_stale", // an entry for a head that is no longer the newest: fetch the roster and sign again
  "roster_bad_signature",
  "roster_rollback", // a roster shorter than the one verified before
  "roster_fork", // a roster whose entry at a verified position differs from the one verified before
  "unknown_signer",
  "signer_revoked",
  "not_admin",
  "last_admin", // the change would leave the newsroom without an active admin
  "key_kind_mismatch", // post-quantum and classic age keys cannot share a newsroom
  "unknown_desk",
  "unknown_editor",
  "editor_revoked", // the change acts on a revoked editor
  "roster_duplicate", // an id, desk or key that the roster already has, or had
] as const;
export type RosterErrorCode = (typeof ROSTER_ERROR_CODES)[number];

export class RosterError extends Error {
  override name = "RosterError";
  constructor(
    readonly code: RosterErrorCode,
    message: string,
    /** The sequence number of the entry that failed, when one did. */
    readonly seq: number | null = null,
  ) {
    super(seq === null ? message : `roster entry ${seq}: ${message}`);
  }
}

/** One stretch of an editor's life between changes: from entry `fromSeq` on, these keys, role and desks held. */
export interface EditorPeriod {
  fromSeq: number;
  ageRecipient: string;
  signPublicKey: string;
  role: Role;
  desks: string[];
}

export interface RosterEditor {
  id: string;
  name: string;
  /** The current period's values, repeated here for convenience. */
  role: Role;
  desks: string[];
  ageRecipient: string;
  signPublicKey: string;
  revoked: boolean;
  revokedSeq: number | null;
  /** Oldest first; the last is the current one. */
  periods: EditorPeriod[];
  /** Signing keys a revoke or rotate entry marked compromised: no signature by them is trusted. */
  compromisedSignKeys: string[];
}

export interface RosterDesk {
  id: string;
  names: LocalizedNames;
}

export interface RosterState {
  root: string;
  /** The newsroom's kind of age key, set by the genesis editor; every editor's key is of this kind. */
  keyKind: KeyKind;
  names: LocalizedNames;
  /** In the order they were added: the order the page lists them in. */
  desks: RosterDesk[];
  /** In the order they were added, revoked ones included. */
  editors: RosterEditor[];
  head: RosterHead;
  /** Number of entries (head.seq + 1). */
  length: number;
}

export const findEditor = (state: RosterState, id: string): RosterEditor | undefined => state.editors.find((e) => e.id === id);
export const findDesk = (state: RosterState, id: string): RosterDesk | undefined => state.desks.find((d) => d.id === id);
export const activeEditors = (state: RosterState): RosterEditor[] => state.editors.filter((e) => !e.revoked);
export const isActiveAdmin = (e: RosterEditor): boolean => !e.revoked && e.role === "admin";

/** The age recipients a desk's tips are encrypted to: its active editors', in roster order. */
export const deskRecipients = (state: RosterState, deskId: string): string[] =>
  activeEditors(state).filter((e) => e.desks.includes(deskId)).map((e) => e.ageRecipient);

/** A name in the page's language, or the English one the roster always has. */
export const localName = (names: LocalizedNames, lang: string): string => names[lang as Language] ?? names.en;

/** The editor as they were right after entry `seq` (undefined if not yet added or already revoked then). */
export function editorAt(editor: RosterEditor, seq: number): EditorPeriod | undefined {
  if (editor.revokedSeq !== null && editor.revokedSeq <= seq) return undefined;
  let found: EditorPeriod | undefined;
  for (const p of editor.periods) if (p.fromSeq <= seq) found = p;
  return found;
}

const fail = (code: RosterErrorCode, message: string, seq: number): never => {
  throw new RosterError(code, message, seq);
};

/** The state the genesis entry describes. */
export function genesisState(body: Extract<RosterEntryBody, { type: "genesis" }>, hash: string): RosterState {
  const state: RosterState = {
    root: body.root,
    keyKind: keyKindOf(body.editor.ageRecipient),
    names: body.names,
    desks: [],
    editors: [],
    head: { seq: 0, hash },
    length: 1,
  };
  for (const desk of body.desks) {
    if (findDesk(state, desk.id)) fail("roster_duplicate", `desk ${desk.id} is listed twice`, 0);
    state.desks.push({ id: desk.id, names: desk.names });
  }
  if (body.editor.role !== "admin") fail("roster_bad_genesis", "the first editor must be an admin", 0);
  addEditor(state, body.editor, 0);
  return state;
}

function requireDesks(state: RosterState, desks: readonly string[], seq: number): void {
  if (new Set(desks).size !== desks.length) fail("roster_duplicate", "a desk is listed twice", seq);
  const unknown = desks.filter((d) => !findDesk(state, d));
  if (unknown.length > 0) fail("unknown_desk", `unknown desk: ${unknown.join(", ")}`, seq);
}

/** Keys are never reused: not by another editor, not after a rotation, not after a revocation. */
function requireUnusedKeys(state: RosterState, keys: { ageRecipient?: string | null; signPublicKey?: string | null }, seq: number): void {
  for (const e of state.editors) {
    for (const p of e.periods) {
      if (keys.signPublicKey && p.signPublicKey === keys.signPublicKey) fail("roster_duplicate", "this signing key is or was in the roster already", seq);
      if (keys.ageRecipient && p.ageRecipient === keys.ageRecipient) fail("roster_duplicate", "this age key is or was in the roster already", seq);
    }
  }
  if (keys.ageRecipient && keyKindOf(keys.ageRecipient) !== state.keyKind) {
    fail("key_kind_mismatch", `this newsroom uses ${KEY_KIND_NAMES[state.keyKind]} age keys; age cannot mix the two kinds in one file`, seq);
  }
}

function addEditor(state: RosterState, spec: RosterEditorSpec, seq: number): void {
  if (state.editors.length >= ROSTER_LIMITS.maxEditors) fail("roster_malformed", `a roster holds at most ${ROSTER_LIMITS.maxEditors} editors`, seq);
  if (findEditor(state, spec.id)) fail("roster_duplicate", `editor ${spec.id} is or was in the roster already`, seq);
  requireDesks(state, spec.desks, seq);
  requireUnusedKeys(state, spec, seq);
  const period: EditorPeriod = { fromSeq: seq, ageRecipient: spec.ageRecipient, signPublicKey: spec.signPublicKey, role: spec.role, desks: [...spec.desks] };
  state.editors.push({ id: spec.id, name: spec.name, ...current(period), revoked: false, revokedSeq: null, periods: [period], compromisedSignKeys: [] });
}

const current = (p: EditorPeriod) => ({ role: p.role, desks: p.desks, ageRecipient: p.ageRecipient, signPublicKey: p.signPublicKey });

function activeTarget(state: RosterState, id: string, seq: number): RosterEditor {
  const editor = findEditor(state, id) ?? fail("unknown_editor", `no editor ${id} in the roster`, seq);
  if (editor.revoked) fail("editor_revoked", `editor ${id} is revoked`, seq);
  return editor;
}

/** An admin who would stop being one must not be the last. */
function requireAnotherAdmin(state: RosterState, leaving: RosterEditor, seq: number): void {
  if (isActiveAdmin(leaving) && !state.editors.some((e) => e !== leaving && isActiveAdmin(e))) {
    fail("last_admin", "the newsroom's last active admin cannot be revoked or demoted: make another admin first", seq);
  }
}

function changePeriod(editor: RosterEditor, seq: number, change: Partial<Omit<EditorPeriod, "fromSeq">>): void {
  const last = editor.periods.at(-1)!;
  const period: EditorPeriod = { ...last, ...change, desks: [...(change.desks ?? last.desks)], fromSeq: seq };
  if (last.fromSeq === seq) editor.periods[editor.periods.length - 1] = period;
  else editor.periods.push(period);
  Object.assign(editor, current(period));
}

/**
 * Applies one entry after the genesis to `state` (mutating it), or throws a RosterError. The caller has
 * already checked the chain fields and the signature; this checks what the change itself may do.
 */
export function applyChange(state: RosterState, body: Exclude<RosterEntryBody, { type: "genesis" }>): void {
  const seq = body.seq;
  switch (body.type) {
    case "add-editor":
      addEditor(state, body.editor, seq);
      break;
    case "revoke-editor": {
      const editor = activeTarget(state, body.editor, seq);
      requireAnotherAdmin(state, editor, seq);
      editor.revoked = true;
      editor.revokedSeq = seq;
      if (body.compromised) editor.compromisedSignKeys = [...new Set(editor.periods.map((p) => p.signPublicKey))];
      break;
    }
    case "rotate-keys": {
      const editor = activeTarget(state, body.editor, seq);
      if (!body.ageRecipient && !body.signPublicKey) fail("roster_malformed", "a rotation replaces at least one key", seq);
      requireUnusedKeys(state, body, seq);
      if (body.compromised && body.signPublicKey) editor.compromisedSignKeys.push(editor.signPublicKey);
      changePeriod(editor, seq, {
        ...(body.ageRecipient ? { ageRecipient: body.ageRecipient } : {}),
        ...(body.signPublicKey ? { signPublicKey: body.signPublicKey } : {}),
      });
      break;
    }
    case "set-desks": {
      const editor = activeTarget(state, body.editor, seq);
      requireDesks(state, body.desks, seq);
      changePeriod(editor, seq, { desks: body.desks });
      break;
    }
    case "set-role": {
      const editor = activeTarget(state, body.editor, seq);
      if (body.role !== "admin") requireAnotherAdmin(state, editor, seq);
      changePeriod(editor, seq, { role: body.role });
      break;
    }
    case "add-desk":
      if (findDesk(state, body.desk.id)) fail("roster_duplicate", `desk ${body.desk.id} exists already`, seq);
      if (state.desks.length >= ROSTER_LIMITS.maxDesks) fail("roster_malformed", `a newsroom has at most ${ROSTER_LIMITS.maxDesks} desks`, seq);
      state.desks.push({ id: body.desk.id, names: body.desk.names });
      break;
    case "rename-desk": {
      const desk = findDesk(state, body.desk) ?? fail("unknown_desk", `unknown desk: ${body.desk}`, seq);
      desk.names = body.names;
      break;
    }
    case "rename-newsroom":
      state.names = body.names;
      break;
  }
}
