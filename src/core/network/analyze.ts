// The source-network model, computed (docs/FORMAT.md, "Source-network model"). Pure: the CLI, the inbox
// and the tests give it what the reader decrypted (which source sent which submission, on which day) and
// the model events that verified (signed by a roster editor: see signed-message.ts countsTowardsGrades);
// it answers the views. Nothing it computes is stored: single points of failure in particular are
// computed on demand for the screen and never written anywhere (docs/THREAT-MODEL.md).
import { checkModelEvent, type EntityRef, type ModelEvent, ModelEventError, modelEvent } from "./events.js";
import { dayNumber, quietWindows, UnionFind } from "./model-days.js";
import type { ActiveRelation, Assessment, AuthoredEvent, ClaimView, ModelInput, ModelProblem, ModelSubmission, NetworkModel, RelayView, SourceView } from "./model-types.js";

export type { ActiveRelation, Assessment, AuthoredEvent, ClaimView, ModelInput, ModelProblem, ModelSubmission, NetworkModel, RelayView, SourceView } from "./model-types.js";

const MAX_PATHS = 64;

export const refKey = (ref: EntityRef): string => (ref.type === "source" ? `source:${ref.pseudonym}` : `${ref.type}:${ref.id}`);

export function buildNetworkModel(input: ModelInput): NetworkModel {
  const quietDays = input.quietDays ?? 14;
  const problems: ModelProblem[] = [];
  const problem = (event: ModelEvent, code: string, message: string) => problems.push({ event: event.id, code, message });

  const sources = new Map<string, SourceView>();
  const sourceView = (pseudonym: string): SourceView => {
    let view = sources.get(pseudonym);
    if (!view) {
      view = { pseudonym, desks: [], submissions: [], firstDay: null, lastContactDay: null, quietWindows: [], reliability: null, reliabilityHistory: [], tags: [], introducedBy: [], introduced: [], paths: [], knownBy: 0 };
      sources.set(pseudonym, view);
    }
    return view;
  };
  const submissionSource = new Map<string, ModelSubmission>();
  for (const s of input.submissions) {
    submissionSource.set(s.id, s);
    const view = sourceView(s.source);
    view.submissions.push(s.id);
    if (!view.desks.includes(s.desk)) view.desks.push(s.desk);
  }

  const relays = new Map<string, RelayView>();
  const claims = new Map<string, ClaimView>();
  const claimAbout = new Map<string, { from: string; to: string } | undefined>();
  const relationEvents = new Map<string, ActiveRelation>();
  const tagSets = new Map<string, Set<string>>();
  const reliability = new Map<string, Assessment<string>[]>();
  const credibility = new Map<string, Assessment<number>[]>();

  const exists = (ref: EntityRef): boolean =>
    ref.type === "source" ? sources.has(ref.pseudonym) : ref.type === "relay" ? relays.has(ref.id) : claims.has(ref.id);

  for (const { event, author } of input.events) {
    try {
      checkModelEvent(event);
    } catch (e) {
      if (e instanceof ModelEventError) {
        problem(event, e.code, e.message);
        continue;
      }
      throw e;
    }
    switch (event.op) {
      case "relay":
        if (relays.has(event.relay)) relays.get(event.relay)!.label = event.label;
        else relays.set(event.relay, { id: event.relay, label: event.label, reliability: null, reliabilityHistory: [], tags: [], relaysFor: [] });
        break;
      case "claim": {
        const submission = submissionSource.get(event.submission);
        claims.set(event.claim, {
          id: event.claim,
          label: event.label,
          submission: event.submission,
          source: submission?.source ?? null,
          credibility: null,
          credibilityHistory: [],
          tags: [],
          corroborates: [],
          contradicts: [],
          agreeing: [],
          chains: 0,
          singleChain: false,
          contradicted: false,
          ageDays: null,
        });
        claimAbout.set(event.claim, event.about);
        break;
      }
      case "relate":
        if (!exists(event.from) || !exists(event.to)) {
          problem(event, "model_unknown_entity", `${event.relation} names ${exists(event.from) ? refKey(event.to) : refKey(event.from)}, which this vault does not know`);
          break;
        }
        relationEvents.set(event.id, {
          event: event.id,
          relation: event.relation,
          from: event.from,
          to: event.to,
          author,
          day: event.day,
          basis: event.basis,
          ...(event.days ? { days: event.days } : {}),
          ...(event.upstream ? { upstream: event.upstream } : {}),
        });
        break;
      case "withdraw":
        if (!relationEvents.delete(event.event)) problem(event, "model_unknown_event", "withdraws a relation that is not (or no longer) in force");
        break;
      case "reliability":
      case "credibility": {
        if (!exists(event.target)) {
          problem(event, "model_unknown_entity", `grades ${refKey(event.target)}, which this vault does not know`);
          break;
        }
        const into = event.op === "reliability" ? reliability : credibility;
        const key = refKey(event.target);
        const list = (into.get(key) ?? []) as Assessment<string | number>[];
        list.push({ grade: event.grade, author, day: event.day, basis: event.basis });
        into.set(key, list as never);
        break;
      }
      case "tag":
      case "untag": {
        const key = refKey(event.target);
        const set = tagSets.get(key) ?? new Set<string>();
        if (event.op === "tag") set.add(event.tag);
        else set.delete(event.tag);
        tagSets.set(key, set);
        break;
      }
    }
  }

  const relations = [...relationEvents.values()];
  const tagsOf = (key: string) => [...(tagSets.get(key) ?? [])].sort();

  // Who carries whose information: carriers.get(X) = relays that relay for X.
  const carriers = new Map<string, string[]>();
  for (const r of relations) {
    if (r.relation !== "relays_for" || r.from.type !== "relay") continue;
    const key = refKey(r.to);
    carriers.set(key, [...(carriers.get(key) ?? []), r.from.id]);
    relays.get(r.from.id)!.relaysFor.push(r.to);
  }
  const pathsFrom = (key: string, seen: Set<string>): string[][] => {
    const up = carriers.get(key) ?? [];
    if (up.length === 0) return [[]];
    const out: string[][] = [];
    for (const relay of up) {
      if (seen.has(relay)) continue; // a cycle: the path is cut there
      for (const rest of pathsFrom(`relay:${relay}`, new Set([...seen, relay]))) {
        out.push([relay, ...rest]);
        if (out.length >= MAX_PATHS) return out;
      }
    }
    return out.length > 0 ? out : [[]];
  };

  // People who talk to each other are one for independence.
  const groups = new UnionFind();
  for (const r of relations) if (r.relation === "same_group") groups.union(refKey(r.from), refKey(r.to));
  // Claims that share an origin are one for independence.
  const origins = new UnionFind();
  for (const r of relations) if (r.relation === "derived_from" || r.relation === "common_upstream") origins.union(refKey(r.from), refKey(r.to));

  for (const [pseudonym, view] of sources) {
    const days = view.submissions.map((id) => submissionSource.get(id)!.day).sort();
    view.firstDay = days[0] ?? null;
    view.lastContactDay = days.at(-1) ?? null;
    view.quietWindows = days.length > 0 ? quietWindows(days, input.today, quietDays) : [];
    const key = `source:${pseudonym}`;
    const history = reliability.get(key) ?? [];
    view.reliabilityHistory = history;
    view.reliability = history.at(-1) ?? null;
    view.tags = tagsOf(key);
    view.paths = pathsFrom(key, new Set());
    const readers = new Set<string>();
    for (const desk of view.desks) for (const editor of input.deskReaders?.[desk] ?? []) readers.add(editor);
    view.knownBy = readers.size;
  }
  for (const r of relations) {
    if (r.relation !== "introduced_by") continue;
    if (r.from.type === "source") sources.get(r.from.pseudonym)!.introducedBy.push(r.to);
    if (r.to.type === "source") sources.get(r.to.pseudonym)!.introduced.push(r.from);
  }
  for (const [id, view] of relays) {
    const key = `relay:${id}`;
    view.reliabilityHistory = reliability.get(key) ?? [];
    view.reliability = view.reliabilityHistory.at(-1) ?? null;
    view.tags = tagsOf(key);
  }

  // The atoms a claim's information depends on: the people on its paths (by group) and its origin.
  const claimAtoms = (claim: ClaimView): Set<string> => {
    const atoms = new Set<string>([`origin:${origins.find(`claim:${claim.id}`)}`]);
    if (claim.source === null) return atoms;
    const sourceKey = `source:${claim.source}`;
    atoms.add(groups.find(sourceKey));
    const paths = pathsFrom(sourceKey, new Set());
    // A relay on every path stands between the claim and the desk; with several paths, the first relays
    // of each still make it one chain per shared relay.
    for (const path of paths) for (const relay of path) atoms.add(groups.find(`relay:${relay}`));
    return atoms;
  };

  const agree = new UnionFind();
  for (const r of relations) {
    if (r.from.type !== "claim" || r.to.type !== "claim") continue;
    const from = claims.get(r.from.id)!;
    const to = claims.get(r.to.id)!;
    if (r.relation === "corroborates") {
      agree.union(from.id, to.id);
      from.corroborates.push(to.id);
      to.corroborates.push(from.id);
    } else if (r.relation === "contradicts") {
      from.contradicts.push(to.id);
      to.contradicts.push(from.id);
    }
  }
  const clusters = new Map<string, ClaimView[]>();
  for (const claim of claims.values()) {
    const root = agree.find(claim.id);
    clusters.set(root, [...(clusters.get(root) ?? []), claim]);
  }
  const todayNumber = dayNumber(input.today);
  for (const cluster of clusters.values()) {
    const atoms = cluster.map(claimAtoms);
    const chains = new UnionFind();
    for (let i = 0; i < cluster.length; i++) {
      chains.find(String(i));
      for (let j = 0; j < i; j++) if ([...atoms[i]!].some((a) => atoms[j]!.has(a))) chains.union(String(i), String(j));
    }
    const chainCount = new Set(cluster.map((_, i) => chains.find(String(i)))).size;
    const contradicted = cluster.some((c) => c.contradicts.length > 0);
    const ids = cluster.map((c) => c.id).sort();
    for (const claim of cluster) {
      claim.agreeing = ids;
      claim.chains = chainCount;
      claim.singleChain = chainCount === 1;
      claim.contradicted = contradicted;
      const key = `claim:${claim.id}`;
      claim.credibilityHistory = credibility.get(key) ?? [];
      claim.credibility = claim.credibilityHistory.at(-1) ?? null;
      claim.tags = tagsOf(key);
      claim.corroborates = [...new Set(claim.corroborates)].sort();
      claim.contradicts = [...new Set(claim.contradicts)].sort();
      const infoDay = claimAbout.get(claim.id)?.to ?? submissionSource.get(claim.submission)?.day;
      claim.ageDays = infoDay ? todayNumber - dayNumber(infoDay) : null;
    }
  }

  return { sources, relays, claims, relations, problems };
}

/**
 * Relays that every path of a source goes through: if one is lost or turned, the source is cut off or
 * exposed. Computed for the screen only; never stored, exported or logged (docs/THREAT-MODEL.md).
 */
export function singlePointsOfFailure(model: NetworkModel): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [pseudonym, view] of model.sources) {
    const withRelays = view.paths.filter((p) => p.length > 0);
    if (withRelays.length === 0 || withRelays.length !== view.paths.length) continue;
    const shared = withRelays.slice(1).reduce((acc, path) => acc.filter((r) => path.includes(r)), withRelays[0]!);
    if (shared.length > 0) out.set(pseudonym, shared);
  }
  return out;
}

/** The claim board's order: contradicted first, then single-chain, then by fewest chains, then by label. */
export function claimBoard(model: NetworkModel): ClaimView[] {
  return [...model.claims.values()].sort(
    (a, b) => Number(b.contradicted) - Number(a.contradicted) || Number(b.singleChain) - Number(a.singleChain) || a.chains - b.chains || a.label.localeCompare(b.label),
  );
}

/**
 * The model events of notes that verified, ready for buildNetworkModel: each event is parsed on its own,
 * so one malformed event (from an older or a faulty client) is reported and the rest still count. Only
 * pass notes for which signed-message.ts `countsTowardsGrades` holds: unverified notes never shape the model.
 */
export function modelEventsOf(notes: readonly { model?: readonly unknown[]; author: string }[]): { events: AuthoredEvent[]; problems: ModelProblem[] } {
  const events: AuthoredEvent[] = [];
  const problems: ModelProblem[] = [];
  for (const note of notes) {
    for (const raw of note.model ?? []) {
      const parsed = modelEvent.safeParse(raw);
      if (parsed.success) events.push({ event: parsed.data, author: note.author });
      else {
        const id = typeof raw === "object" && raw !== null && typeof (raw as { id?: unknown }).id === "string" ? String((raw as { id: string }).id).slice(0, 64) : "";
        problems.push({ event: id, code: "model_malformed_event", message: "a model event of the wrong shape was left out" });
      }
    }
  }
  return { events, problems };
}
