// The source-network model's events (docs/FORMAT.md, "Source-network model"). The model is append-only:
// editors add events (inside signed, encrypted desk notes), never edit them; a relation or tag is taken
// back by a later event that withdraws it, and a grade is superseded by a later grade. Entities are
// referred to by what the desk already uses: a source by pseudonym, a submission by id, and relays and
// claims by random ids with a short label the editor chooses (a label, never a real name: see
// sensitive-text.ts and docs/THREAT-MODEL.md).
import * as z from "zod/mini";
import { ID_PATTERN } from "../bytes.js";
import { RELIABILITY } from "../grades.js";
import { isModelTag } from "./vocabulary.js";

const id = z.string().check(z.regex(ID_PATTERN));
const day = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/));
const label = z.string().check(z.minLength(1), z.maxLength(80));

export const entityRef = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("source"), pseudonym: z.string().check(z.minLength(1), z.maxLength(100)) }),
  z.strictObject({ type: z.literal("relay"), id }),
  z.strictObject({ type: z.literal("claim"), id }),
]);
export type EntityRef = z.infer<typeof entityRef>;

/** On what the assertion rests: what the editor was told, saw in a document, or concluded. */
export const BASES = ["source_said", "relay_said", "document", "editor_judgement", "pattern"] as const;

/**
 * Relations, with the types of their two ends:
 * - introduced_by: (source|relay) → (source|relay): `from` was brought to the desk by `to`
 * - relays_for: relay → (source|relay): `from` carries `to`'s information to the desk (or to the next relay)
 * - same_group: (source|relay) ↔ (source|relay): they talk to each other, so they are not independent
 * - corroborates / contradicts: claim ↔ claim
 * - derived_from: claim → claim: `from` repeats `to` (not new evidence)
 * - common_upstream: claim ↔ claim: both echo one origin (circular reporting, a radio story), `upstream` names it
 */
export const RELATIONS = ["introduced_by", "relays_for", "same_group", "corroborates", "contradicts", "derived_from", "common_upstream"] as const;
export type Relation = (typeof RELATIONS)[number];

const PERSON = ["source", "relay"] as const;
export const RELATION_ENDS: Record<Relation, { from: readonly EntityRef["type"][]; to: readonly EntityRef["type"][] }> = {
  introduced_by: { from: PERSON, to: PERSON },
  relays_for: { from: ["relay"], to: PERSON },
  same_group: { from: PERSON, to: PERSON },
  corroborates: { from: ["claim"], to: ["claim"] },
  contradicts: { from: ["claim"], to: ["claim"] },
  derived_from: { from: ["claim"], to: ["claim"] },
  common_upstream: { from: ["claim"], to: ["claim"] },
};

const dayRange = z.strictObject({ from: day, to: day });

const base = {
  /** Random, so two editors' events never collide; withdrawals name it. */
  id,
  day,
};

export const modelEvent = z.discriminatedUnion("op", [
  z.strictObject({ ...base, op: z.literal("relay"), relay: id, label }),
  z.strictObject({ ...base, op: z.literal("claim"), claim: id, submission: id, label, about: z.optional(dayRange) }),
  z.strictObject({
    ...base,
    op: z.literal("relate"),
    relation: z.enum(RELATIONS),
    from: entityRef,
    to: entityRef,
    basis: z.enum(BASES),
    days: z.optional(dayRange),
    upstream: z.optional(label),
  }),
  z.strictObject({ ...base, op: z.literal("reliability"), target: entityRef, grade: z.enum(RELIABILITY), basis: z.enum(BASES) }),
  z.strictObject({
    ...base,
    op: z.literal("credibility"),
    target: entityRef,
    grade: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5), z.literal(6)]),
    basis: z.enum(BASES),
  }),
  z.strictObject({ ...base, op: z.literal("tag"), target: entityRef, tag: z.string().check(z.refine(isModelTag, "not a tag of the controlled vocabularies")) }),
  z.strictObject({ ...base, op: z.literal("untag"), target: entityRef, tag: z.string().check(z.refine(isModelTag, "not a tag of the controlled vocabularies")) }),
  /** Takes back an earlier `relate` event (by its id). */
  z.strictObject({ ...base, op: z.literal("withdraw"), event: id }),
]);
export type ModelEvent = z.infer<typeof modelEvent>;

export type ModelErrorCode = "model_relation_ends" | "model_grade_target" | "model_unknown_event";

export class ModelEventError extends Error {
  constructor(
    readonly code: ModelErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ModelEventError";
  }
}

/** Rules the schema alone cannot say: which entity types a relation joins, and what each scale grades. */
export function checkModelEvent(event: ModelEvent): void {
  if (event.op === "relate") {
    const ends = RELATION_ENDS[event.relation];
    if (!ends.from.includes(event.from.type) || !ends.to.includes(event.to.type)) {
      throw new ModelEventError("model_relation_ends", `${event.relation} joins ${ends.from.join("/")} to ${ends.to.join("/")}, not ${event.from.type} to ${event.to.type}`);
    }
  }
  // Reliability grades people (sources, relays); credibility grades information (claims). Never mixed.
  if (event.op === "reliability" && event.target.type === "claim") {
    throw new ModelEventError("model_grade_target", "reliability (A–F) grades a source or a relay; grade a claim's credibility (1–6) instead");
  }
  if (event.op === "credibility" && event.target.type !== "claim") {
    throw new ModelEventError("model_grade_target", "credibility (1–6) grades a claim; grade a source's or relay's reliability (A–F) instead");
  }
}

/** Parses and checks one event; throws ModelEventError or a zod error. */
export function parseModelEvent(raw: unknown): ModelEvent {
  const event = modelEvent.parse(raw);
  checkModelEvent(event);
  return event;
}
