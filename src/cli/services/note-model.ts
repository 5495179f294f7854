// The source-network model events `sealdrop note` writes (docs/FORMAT.md "Source-network model", "Model
// events written by the CLI"). Every event is built here and checked by core/network/events.ts before it
// is sealed: reliability only on a source or relay, credibility only on a claim, tags only from the
// controlled vocabularies, days never finer than a day and never after today (the model keeps no plans).
import { randomId as newRandomId } from "../../core/bytes.js";
import { BASES, checkModelEvent, type EntityRef, type ModelEvent, ModelEventError, modelEvent, RELATIONS, type Relation } from "../../core/network/events.js";
import { isModelTag } from "../../core/network/vocabulary.js";
import { CliError, UsageError } from "../errors.js";

export interface ModelNoteInput {
  /** What grades, tags and relations are about: source, source:PSEUDONYM, relay:ID, claim:ID, relay:new, claim:new. */
  on?: string | undefined;
  newRelay?: string | undefined;
  newClaim?: string | undefined;
  /** DAY or DAY..DAY: the days a new claim is about. */
  about?: string | undefined;
  untags: string[];
  /** RELATION:REF, e.g. relays_for:source, corroborates:claim:ID. */
  relate: string[];
  basis?: string | undefined;
  days?: string | undefined;
  upstream?: string | undefined;
  withdraw: string[];
}

export const hasModelInput = (m: ModelNoteInput): boolean =>
  [m.on, m.newRelay, m.newClaim, m.about, m.basis, m.days, m.upstream].some((v) => v !== undefined) || m.untags.length + m.relate.length + m.withdraw.length > 0;

/** The free text of the model input that is sealed: checked for phone numbers, handles … before sealing. */
export const modelTexts = (m: ModelNoteInput): string[] => [m.newRelay, m.newClaim, m.upstream].filter((t): t is string => t !== undefined);

const DAY = /^\d{4}-\d{2}-\d{2}$/;
function dayRange(text: string, what: string, today: string): { from: string; to: string } {
  const parts = text.split("..");
  const from = parts[0] ?? "";
  const to = parts[1] ?? from;
  if (!DAY.test(from) || !DAY.test(to) || Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to))) {
    throw new UsageError(`${what} is a day YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD (never a time of day), not ${JSON.stringify(text)}`);
  }
  if (from > to) throw new UsageError(`${what} ends before it starts`);
  if (to > today) throw new CliError(`${what} reaches past today: the model keeps what happened, never plans (no future contact or meeting days)`, 2, "model_future_day");
  return { from, to };
}

export interface ModelContext {
  /** The note subject's source, when the desk can tell; the submission when the note is on one. */
  source: string | null;
  submission: string | null;
  /** A source named in a REF (source:PSEUDONYM) → its pseudonym. */
  resolveSource: (text: string) => string;
  today: string;
  /** Where event, relay and claim ids come from (random; fixed only for the format's vector). */
  newId?: () => string;
}

export interface BuiltModel {
  events: ModelEvent[];
  /** The ids of the relay and claim this note defines. */
  relay: string | null;
  claim: string | null;
  /** What the grades were given to. */
  target: EntityRef | null;
}

function fail(e: unknown): never {
  if (e instanceof ModelEventError) throw new CliError(e.message, 2, e.code);
  throw new UsageError(`a model event would be malformed: ${(e as Error).message.split("\n")[0]}`);
}

/** Builds the note's model events; `reliability`/`credibility`/`tags` are the note's grades and tags. */
export function buildModelEvents(m: ModelNoteInput, grades: { reliability: string | null; credibility: number | null }, tags: readonly string[], ctx: ModelContext): BuiltModel {
  const day = ctx.today;
  const randomId = ctx.newId ?? newRandomId;
  const events: unknown[] = [];
  const basis = m.basis ?? "editor_judgement";
  if (!(BASES as readonly string[]).includes(basis)) throw new UsageError(`--basis is one of ${BASES.join(", ")}, not ${JSON.stringify(basis)}`);
  const relay = m.newRelay !== undefined ? randomId() : null;
  const claim = m.newClaim !== undefined ? randomId() : null;
  if (relay) events.push({ id: randomId(), day, op: "relay", relay, label: m.newRelay });
  if (claim) {
    if (!ctx.submission) throw new UsageError("--new-claim names an assertion within one submission: give the submission's id as the note's subject");
    events.push({ id: randomId(), day, op: "claim", claim, submission: ctx.submission, label: m.newClaim, ...(m.about ? { about: dayRange(m.about, "--about", day) } : {}) });
  } else if (m.about !== undefined) throw new UsageError("--about goes with --new-claim");

  const ref = (text: string): EntityRef => {
    if (text === "source") {
      if (!ctx.source) throw new UsageError("your vault cannot tell whose this submission is; name the source as source:PSEUDONYM");
      return { type: "source", pseudonym: ctx.source };
    }
    if (text.startsWith("source:")) return { type: "source", pseudonym: ctx.resolveSource(text.slice(7)) };
    const match = /^(relay|claim):(new|[0-9a-f]{32})$/.exec(text);
    if (!match) throw new UsageError(`${JSON.stringify(text)} is not an entity: source, source:PSEUDONYM, relay:ID, claim:ID, relay:new or claim:new (ids in full, 32 hex)`);
    const type = match[1] as "relay" | "claim";
    if (match[2] !== "new") return { type, id: match[2]! };
    const made = type === "relay" ? relay : claim;
    if (!made) throw new UsageError(`${text} needs --new-${type} in the same note`);
    return { type, id: made };
  };
  // Grades, tags and relations are about --on; else a new claim for credibility, and the subject's source otherwise.
  const on = m.on !== undefined ? ref(m.on) : null;
  let target: EntityRef | null = null;
  if (grades.reliability !== null && (on ?? ctx.source)) {
    target = on ?? ref("source");
    events.push({ id: randomId(), day, op: "reliability", target, grade: grades.reliability, basis });
  }
  const claimTarget = on ?? (claim ? ref("claim:new") : null);
  if (grades.credibility !== null && claimTarget) {
    target = claimTarget;
    events.push({ id: randomId(), day, op: "credibility", target: claimTarget, grade: grades.credibility, basis });
  }
  const tagTarget = on ?? (ctx.source ? ref("source") : null);
  if (tagTarget) {
    for (const tag of tags) if (isModelTag(tag)) events.push({ id: randomId(), day, op: "tag", target: tagTarget, tag });
  }
  for (const tag of m.untags) {
    if (!isModelTag(tag)) throw new UsageError(`--untag takes a tag of the controlled vocabularies (region:…, role:…, access:…), not ${JSON.stringify(tag)}`);
    if (!tagTarget) throw new UsageError("--untag needs --on: the vault cannot tell whose the tag is");
    events.push({ id: randomId(), day, op: "untag", target: tagTarget, tag });
  }
  const days = m.days !== undefined ? dayRange(m.days, "--days", day) : undefined;
  for (const spec of m.relate) {
    const colon = spec.indexOf(":");
    const relation = spec.slice(0, colon) as Relation;
    if (colon < 0 || !(RELATIONS as readonly string[]).includes(relation)) throw new UsageError(`--relate is RELATION:ENTITY with RELATION one of ${RELATIONS.join(", ")}; not ${JSON.stringify(spec)}`);
    const to = ref(spec.slice(colon + 1));
    const from = on ?? (to.type === "claim" ? (claim ? ref("claim:new") : null) : relay ? ref("relay:new") : ctx.source ? ref("source") : null);
    if (!from) throw new UsageError(`--relate ${spec} needs --on: say what the relation starts from`);
    events.push({ id: randomId(), day, op: "relate", relation, from, to, basis, ...(days ? { days } : {}), ...(relation === "common_upstream" && m.upstream ? { upstream: m.upstream } : {}) });
  }
  if (m.upstream !== undefined && !m.relate.some((r) => r.startsWith("common_upstream:"))) throw new UsageError("--upstream goes with --relate common_upstream:claim:ID");
  for (const event of m.withdraw) {
    if (!/^[0-9a-f]{32}$/.test(event)) throw new UsageError(`--withdraw takes a relation event's id (32 hex), not ${JSON.stringify(event)}`);
    events.push({ id: randomId(), day, op: "withdraw", event });
  }
  const checked = events.map((raw) => {
    try {
      const parsed = modelEvent.parse(raw);
      checkModelEvent(parsed);
      return parsed;
    } catch (e) {
      return fail(e);
    }
  });
  // Without any model option the grade stays on the note alone, as older CLIs wrote it.
  if (grades.credibility !== null && !claimTarget && hasModelInput(m)) throw new CliError("credibility (1–6) grades a claim; give --new-claim LABEL or --on claim:ID (a source's or relay's grade is --reliability)", 2, "model_grade_target");
  return { events: checked, relay, claim, target };
}
