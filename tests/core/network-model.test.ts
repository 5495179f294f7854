// The source-network model (docs/FORMAT.md, "Source-network model"): chains are the unit of independence,
// grades never mix scales, tags can be withdrawn, and free text that may identify a person is not sealed
// until the editor confirms.
import { describe, expect, it } from "vitest";
import { type AuthoredEvent, buildNetworkModel, claimBoard, type ModelSubmission, modelEventsOf, singlePointsOfFailure } from "../../src/core/network/analyze.js";
import { type EntityRef, type ModelEvent, parseModelEvent } from "../../src/core/network/events.js";
import { assertSealable, findSensitive, SensitiveTextError } from "../../src/core/network/sensitive-text.js";
import { isModelTag, tagLabel } from "../../src/core/network/vocabulary.js";
import { dayNumber, dayString, quietWindows } from "../../src/core/network/model-days.js";
import { noteSchema } from "../../src/core/messages.js";

let counter = 0;
const newId = (): string => (++counter).toString(16).padStart(32, "0");
const source = (pseudonym: string): EntityRef => ({ type: "source", pseudonym });
const relay = (id: string): EntityRef => ({ type: "relay", id });
const claim = (id: string): EntityRef => ({ type: "claim", id });
const by = (author: string, ...events: ModelEvent[]): AuthoredEvent[] => events.map((event) => ({ event: parseModelEvent(event), author }));

const DAY = "2026-11-20";
const relayEvent = (id: string, label: string): ModelEvent => ({ id: newId(), day: DAY, op: "relay", relay: id, label });
const claimEvent = (id: string, submission: string, label: string): ModelEvent => ({ id: newId(), day: DAY, op: "claim", claim: id, submission, label });
const relate = (relation: string, from: EntityRef, to: EntityRef, extra: Partial<ModelEvent> = {}): ModelEvent =>
  ({ id: newId(), day: DAY, op: "relate", relation, from, to, basis: "editor_judgement", ...extra }) as ModelEvent;

const R1 = "a1".repeat(16);
const R2 = "a2".repeat(16);
const C1 = "c1".repeat(16);
const C2 = "c2".repeat(16);
const C3 = "c3".repeat(16);
const S1 = "51".repeat(16);
const S2 = "52".repeat(16);
const S3 = "53".repeat(16);

const submissions: ModelSubmission[] = [
  { id: S1, source: "Amber Heron", day: "2026-11-01", desk: "news" },
  { id: S2, source: "Quiet Pine", day: "2026-11-03", desk: "news" },
  { id: S3, source: "Slate Crane", day: "2026-11-05", desk: "news" },
];

const agreeingClaims = (): ModelEvent[] => [
  claimEvent(C1, S1, "rice price doubled in Hyesan market"),
  claimEvent(C2, S2, "rice price doubled in Hyesan market"),
  relate("corroborates", claim(C2), claim(C1)),
];

const model = (events: AuthoredEvent[], extra: Partial<Parameters<typeof buildNetworkModel>[0]> = {}) =>
  buildNetworkModel({ submissions, events, today: "2026-12-01", ...extra });

describe("chains: the unit of independence", () => {
  it("two sources whose claims agree but who reach the desk through the same relay give 1 chain", () => {
    const m = model(
      by(
        "alice",
        relayEvent(R1, "the trader"),
        relate("relays_for", relay(R1), source("Amber Heron")),
        relate("relays_for", relay(R1), source("Quiet Pine")),
        ...agreeingClaims(),
      ),
    );
    expect(m.problems).toEqual([]);
    expect(m.claims.get(C1)).toMatchObject({ chains: 1, singleChain: true, agreeing: [C1, C2].sort() });
    expect(m.claims.get(C2)!.chains).toBe(1);
  });

  it("through two different relays, 2 chains", () => {
    const m = model(
      by(
        "alice",
        relayEvent(R1, "the trader"),
        relayEvent(R2, "the driver"),
        relate("relays_for", relay(R1), source("Amber Heron")),
        relate("relays_for", relay(R2), source("Quiet Pine")),
        ...agreeingClaims(),
      ),
    );
    expect(m.claims.get(C1)).toMatchObject({ chains: 2, singleChain: false });
    expect(m.sources.get("Amber Heron")!.paths).toEqual([[R1]]);
  });

  it("relays that meet further up are one chain; a shared group or a common origin too", () => {
    const upstream = "a3".repeat(16);
    const viaCommonRelay = model(
      by(
        "alice",
        relayEvent(R1, "the trader"),
        relayEvent(R2, "the driver"),
        relayEvent(upstream, "the courier"),
        relate("relays_for", relay(R1), source("Amber Heron")),
        relate("relays_for", relay(R2), source("Quiet Pine")),
        relate("relays_for", relay(upstream), relay(R1)),
        relate("relays_for", relay(upstream), relay(R2)),
        ...agreeingClaims(),
      ),
    );
    expect(viaCommonRelay.claims.get(C1)!.chains).toBe(1);
    expect(viaCommonRelay.sources.get("Amber Heron")!.paths).toEqual([[R1, upstream]]);

    const sameGroup = model(by("alice", ...agreeingClaims(), relate("same_group", source("Amber Heron"), source("Quiet Pine"))));
    expect(sameGroup.claims.get(C1)!.chains).toBe(1);

    const echo = model(by("alice", ...agreeingClaims(), relate("common_upstream", claim(C1), claim(C2), { upstream: "a foreign radio story" })));
    expect(echo.claims.get(C1)!.chains).toBe(1);

    const direct = model(by("alice", ...agreeingClaims()));
    expect(direct.claims.get(C1)!.chains).toBe(2);
  });

  it("repeating a claim does not add chains: three agreeing claims over one relay are still 1 chain", () => {
    const m = model(
      by(
        "alice",
        relayEvent(R1, "the trader"),
        ...["Amber Heron", "Quiet Pine", "Slate Crane"].map((p) => relate("relays_for", relay(R1), source(p))),
        ...agreeingClaims(),
        claimEvent(C3, S3, "rice doubled"),
        relate("corroborates", claim(C3), claim(C2)),
      ),
    );
    expect(m.claims.get(C3)).toMatchObject({ chains: 1, agreeing: [C1, C2, C3].sort() });
  });
});

describe("claims, grades, tags", () => {
  it("flags a contradicted claim, shows links on both sides and puts it first on the board", () => {
    const m = model(by("alice", ...agreeingClaims(), claimEvent(C3, S3, "prices unchanged"), relate("contradicts", claim(C3), claim(C1))));
    expect(m.claims.get(C1)).toMatchObject({ contradicted: true, contradicts: [C3], corroborates: [C2] });
    expect(m.claims.get(C2)).toMatchObject({ contradicted: true, corroborates: [C1] });
    expect(m.claims.get(C3)).toMatchObject({ contradicted: true, contradicts: [C1], singleChain: true });
    expect(claimBoard(m)[0]!.contradicted).toBe(true);
  });

  it("keeps reliability on people and credibility on claims, never mixed, each append-only", () => {
    expect(() => parseModelEvent({ id: newId(), day: DAY, op: "reliability", target: claim(C1), grade: "A", basis: "pattern" })).toThrow(/credibility/);
    expect(() => parseModelEvent({ id: newId(), day: DAY, op: "credibility", target: source("Amber Heron"), grade: 2, basis: "pattern" })).toThrow(/reliability/);
    expect(() => parseModelEvent(relate("relays_for", source("Amber Heron"), source("Quiet Pine")))).toThrow(/relays_for/);
    const m = model([
      ...by("alice", claimEvent(C1, S1, "x"), { id: newId(), day: DAY, op: "reliability", target: source("Amber Heron"), grade: "C", basis: "pattern" }),
      ...by("bob", { id: newId(), day: "2026-11-25", op: "reliability", target: source("Amber Heron"), grade: "B", basis: "document" }),
      ...by("bob", { id: newId(), day: "2026-11-25", op: "credibility", target: claim(C1), grade: 2, basis: "document" }),
    ]);
    const amber = m.sources.get("Amber Heron")!;
    expect(amber.reliability).toMatchObject({ grade: "B", author: "bob" });
    expect(amber.reliabilityHistory.map((a) => a.grade)).toEqual(["C", "B"]);
    expect(m.claims.get(C1)!.credibility).toMatchObject({ grade: 2, author: "bob" });
  });

  it("a withdrawn tag and a withdrawn relation are gone from every view", () => {
    const link = relate("corroborates", claim(C2), claim(C1));
    const events = by(
      "alice",
      claimEvent(C1, S1, "x"),
      claimEvent(C2, S2, "x"),
      link,
      { id: newId(), day: DAY, op: "tag", target: source("Amber Heron"), tag: "region:ryanggang" },
      { id: newId(), day: DAY, op: "tag", target: claim(C1), tag: "access:witness" },
    );
    const before = model(events);
    expect(before.sources.get("Amber Heron")!.tags).toEqual(["region:ryanggang"]);
    expect(before.claims.get(C2)!.corroborates).toEqual([C1]);
    const after = model([
      ...events,
      ...by(
        "bob",
        { id: newId(), day: DAY, op: "untag", target: source("Amber Heron"), tag: "region:ryanggang" },
        { id: newId(), day: DAY, op: "untag", target: claim(C1), tag: "access:witness" },
        { id: newId(), day: DAY, op: "withdraw", event: link.id },
      ),
    ]);
    const everything = JSON.stringify({ sources: [...after.sources.values()], claims: [...after.claims.values()], relations: after.relations });
    expect(everything).not.toContain("region:ryanggang");
    expect(everything).not.toContain("access:witness");
    expect(after.claims.get(C2)).toMatchObject({ corroborates: [], agreeing: [C2] });
    expect(after.relations).toEqual([]);
  });

  it("accepts only tags of the controlled vocabularies, with labels in three languages", () => {
    expect(isModelTag("region:ryanggang")).toBe(true);
    expect(tagLabel("region:ryanggang", "ko")).toBe("양강도");
    expect(tagLabel("region:yanbian", "zh")).toBe("延边 (吉林省)");
    expect(isModelTag("region:hyesan-station-crossing")).toBe(false);
    expect(() => parseModelEvent({ id: newId(), day: DAY, op: "tag", target: source("Amber Heron"), tag: "route:river" })).toThrow();
  });

  it("reports events naming unknown entities instead of dropping them silently", () => {
    const m = model(by("alice", relate("corroborates", claim(C1), claim(C2))));
    expect(m.problems.map((p) => p.code)).toEqual(["model_unknown_entity"]);
  });
});

describe("per source", () => {
  it("finds quiet windows longer than the limit, between contacts and up to today, whatever the order or repeats", () => {
    // 14 quiet days (Jan 2-15) is the limit, not a window; 15 (Jan 17-31) is one; the last runs to today.
    expect(quietWindows(["2026-02-01", "2026-01-01", "2026-01-16", "2026-01-16", "2026-01-01"], "2026-02-20", 14)).toEqual([
      { from: "2026-01-17", to: "2026-01-31", days: 15 },
      { from: "2026-02-02", to: "2026-02-20", days: 19 },
    ]);
    expect(quietWindows(["2026-02-20"], "2026-02-20", 0)).toEqual([]);
    expect(quietWindows([], "2026-02-20", 0)).toEqual([]);
    expect([dayNumber("2026-03-01") - dayNumber("2026-02-28"), dayString(dayNumber("2024-02-29"))]).toEqual([1, "2024-02-29"]);
  });

  it("gives last contact, quiet windows, who knows of them, introductions and single points of failure", () => {
    const m = model(
      by(
        "alice",
        relayEvent(R1, "the trader"),
        relate("relays_for", relay(R1), source("Amber Heron")),
        relate("introduced_by", source("Quiet Pine"), source("Amber Heron")),
      ),
      {
        submissions: [...submissions, { id: "54".repeat(16), source: "Amber Heron", day: "2026-11-28", desk: "news" }],
        deskReaders: { news: ["alice", "bob"], inv: ["carol"] },
      },
    );
    const amber = m.sources.get("Amber Heron")!;
    expect(amber).toMatchObject({ firstDay: "2026-11-01", lastContactDay: "2026-11-28", knownBy: 2, introduced: [source("Quiet Pine")] });
    expect(amber.quietWindows).toEqual([{ from: "2026-11-02", to: "2026-11-27", days: 26 }]);
    expect(m.sources.get("Quiet Pine")!.introducedBy).toEqual([source("Amber Heron")]);
    expect(m.sources.get("Quiet Pine")!.quietWindows).toEqual([{ from: "2026-11-04", to: "2026-12-01", days: 28 }]);
    expect(singlePointsOfFailure(m)).toEqual(new Map([["Amber Heron", [R1]]]));
    const c = model(by("alice", claimEvent(C1, S1, "x")));
    expect(c.claims.get(C1)!.ageDays).toBe(30);
  });
});

describe("free text that may identify a person", () => {
  it("finds phone numbers, handles, accounts, addresses and times of day, and lets dates through", () => {
    const kinds = (text: string) => findSensitive(text).map((f) => f.kind);
    expect(kinds("call +86 139 1234 5678 tonight")).toEqual(["phone"]);
    expect(kinds("her number is 010-2345-6789")).toEqual(["phone"]);
    expect(kinds("ask @border_trader or mail x.y@example.com")).toEqual(["handle", "email"]);
    expect(kinds("WeChat: lee_1985 / wxid_abcd1234")).toEqual(["account_id", "account_id"]);
    expect(kinds("met at 23:40 near the bridge")).toEqual(["time_of_day"]);
    expect(kinds("새벽 3시에 만났다")).toEqual(["time_of_day"]);
    expect(kinds("凌晨3点见面")).toEqual(["time_of_day"]);
    expect(kinds("phone IMEI 356938035643809")).toEqual(["device_id"]);
    expect(kinds("see https://example.org/x")).toEqual(["url"]);
    expect(kinds("on 2026-11-20 prices rose by 40 percent; 2,000 won")).toEqual([]);
  });

  it("will not let a note holding a phone number be sealed until the editor confirms", () => {
    const text = "Relay's number: 138 0013 8000";
    expect(() => assertSealable(text)).toThrow(SensitiveTextError);
    try {
      assertSealable(text);
    } catch (e) {
      expect((e as SensitiveTextError).code).toBe("sensitive_text_unconfirmed");
      expect((e as SensitiveTextError).findings[0]).toMatchObject({ kind: "phone", index: 16 });
    }
    expect(assertSealable(text, { confirmed: true })).toHaveLength(1);
    expect(assertSealable("prices rose in November")).toEqual([]);
  });
});

describe("model events inside notes", () => {
  it("a note carries model events; a malformed one is reported and the others count", () => {
    const good = claimEvent(C1, S1, "x");
    const { events, problems } = modelEventsOf([{ author: "alice", model: [good, { id: "zz", op: "relate", relation: "knows" }] }]);
    expect(events).toEqual([{ event: good, author: "alice" }]);
    expect(problems.map((p) => p.code)).toEqual(["model_malformed_event"]);
    expect(model(events).claims.has(C1)).toBe(true);
    expect(noteSchema.parse({ v: 1, kind: "note", subject: { type: "source", pseudonym: "Amber Heron" }, tags: [], reliability: null, credibility: null, text: "", links: [], author: "A", day: DAY, model: [good] }).model).toEqual([good]);
  });
});
