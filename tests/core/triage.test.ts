// The desk's triage reduction (src/core/triage.ts): verified triage notes → per-item state, the same on
// every editor's machine whatever order the notes reached their vault in.
import { describe, expect, it } from "vitest";
import { type AuthoredTriage, INITIAL_TRIAGE, nextTriageClock, readByEditor, reduceTriage, sourceReadBy, sourceReadChanges, type TriageChange, triageNoteSchema, triageOf, unreadCount } from "../../src/core/triage.js";

const A = "a".repeat(32);
const B = "b".repeat(32);
const SUB = "1".repeat(32);
const src = { type: "source" as const, pseudonym: "Amber Heron 12" };
const sub = { type: "submission" as const, id: SUB };
let n = 0;
const note = (author: string, clock: number, changes: TriageChange[], desk = "inv"): AuthoredTriage => ({
  noteId: (++n).toString(16).padStart(32, "0"),
  author,
  desk,
  note: { v: 1, kind: "triage", clock, changes, day: "2026-12-01" },
});
const shuffled = <T>(list: T[], seed: number): T[] => {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
};

describe("reduceTriage", () => {
  it("starts every item as new, unstarred, unassigned and unread", () => {
    expect(triageOf(reduceTriage([]).state, src)).toEqual(INITIAL_TRIAGE);
  });

  it("applies star, status and assignee, a later clock winning", () => {
    const notes = [note(A, 1, [{ op: "star", target: src }, { op: "status", target: src, status: "in_progress" }]), note(B, 2, [{ op: "status", target: src, status: "verified" }, { op: "assign", target: src, editor: B }])];
    expect(triageOf(reduceTriage(notes).state, src)).toEqual({ starred: true, status: "verified", assignee: B, readBy: [] });
  });

  it("within one note, a later change wins over an earlier one", () => {
    const state = reduceTriage([note(A, 1, [{ op: "star", target: src }, { op: "unstar", target: src }, { op: "status", target: src, status: "closed" }, { op: "status", target: src, status: "published" }])]).state;
    expect(triageOf(state, src)).toMatchObject({ starred: false, status: "published" });
  });

  it("settles concurrent changes (same clock) by author id, whatever order the notes are given in", () => {
    const notes = [note(B, 3, [{ op: "status", target: src, status: "closed" }]), note(A, 3, [{ op: "status", target: src, status: "verified" }]), note(A, 1, [{ op: "star", target: src }]), note(B, 2, [{ op: "unstar", target: src }])];
    const expected = reduceTriage(notes).state;
    expect(triageOf(expected, src)).toMatchObject({ status: "closed", starred: false });
    for (let seed = 1; seed < 20; seed++) expect(reduceTriage(shuffled(notes, seed)).state).toEqual(expected);
  });

  it("keeps read marks per editor: one editor's unread does not unmark another's read", () => {
    const notes = [note(A, 1, [{ op: "read", target: sub }]), note(B, 2, [{ op: "read", target: sub }]), note(A, 3, [{ op: "unread", target: sub }])];
    expect(triageOf(reduceTriage(notes).state, sub).readBy).toEqual([B]);
  });

  it("leaves out a change for an item on another desk than the note's, and an assignee who is not on the desk", () => {
    const notes = [note(A, 1, [{ op: "star", target: src }], "news"), note(A, 2, [{ op: "assign", target: src, editor: B }, { op: "status", target: src, status: "verified" }])];
    const { state, problems } = reduceTriage(notes, { desksOf: () => ["inv"], assignable: (editor) => editor === A });
    expect(triageOf(state, src)).toEqual({ ...INITIAL_TRIAGE, status: "verified" });
    expect(problems.map((p) => p.code)).toEqual(["triage_outside_desk", "triage_unknown_assignee"]);
  });

  it("nextTriageClock is one more than any clock seen", () => {
    expect(nextTriageClock([])).toBe(1);
    expect(nextTriageClock([note(A, 4, [{ op: "star", target: src }]), note(B, 9, [{ op: "star", target: src }])])).toBe(10);
  });
});

describe("triage note body", () => {
  it("refuses an empty batch, an unknown status, a time instead of a clock or day, and a name for an assignee", () => {
    const good = { v: 1, kind: "triage", clock: 1, changes: [{ op: "star", target: src }], day: "2026-12-01" };
    expect(triageNoteSchema.parse(good)).toEqual(good);
    for (const bad of [
      { ...good, changes: [] },
      { ...good, changes: [{ op: "status", target: src, status: "urgent" }] },
      { ...good, clock: 1.5 },
      { ...good, day: "2026-12-01T10:00:00Z" },
      { ...good, changes: [{ op: "star", target: src, at: "10:00" }] },
      { ...good, changes: [{ op: "assign", target: src, editor: "Bob" }] },
    ]) {
      expect(triageNoteSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe("unread", () => {
  const mine = { id: SUB, pseudonym: src.pseudonym };
  const other = { id: "2".repeat(32), pseudonym: src.pseudonym };
  it("counts a submission read by this editor's mark on it or on its source, never by another editor's", () => {
    const { state } = reduceTriage([note(A, 1, [{ op: "read", target: sub }]), note(B, 2, [{ op: "read", target: src }])]);
    expect(readByEditor(state, A, mine)).toBe(true);
    expect(readByEditor(state, A, other)).toBe(false);
    expect(unreadCount(state, A, [mine, other])).toBe(1);
    expect(unreadCount(state, B, [mine, other])).toBe(0);
    const later = reduceTriage([note(A, 1, [{ op: "read", target: src }]), note(A, 2, [{ op: "unread", target: src }])]).state;
    expect(unreadCount(later, A, [mine, other])).toBe(2);
    expect(unreadCount(new Map(), A, [mine])).toBe(1);
  });

  it("marks a source read as of now: a later submission is unread, and unread also lifts an older source mark", () => {
    const read = sourceReadChanges("read", src.pseudonym, [{ id: mine.id, desk: "inv" }]);
    expect(read).toEqual([{ desk: "inv", change: { op: "read", target: sub } }]);
    const state = reduceTriage([note(A, 1, read.map((r) => r.change))]).state;
    expect(unreadCount(state, A, [mine, other])).toBe(1);
    expect(sourceReadBy(state, src.pseudonym, [mine.id])).toEqual([A]);
    expect(sourceReadBy(state, src.pseudonym, [mine.id, other.id])).toEqual([]);
    const unread = sourceReadChanges("unread", src.pseudonym, [{ id: mine.id, desk: "inv" }, { id: other.id, desk: "tv" }]);
    expect(unread.map((u) => [u.desk, u.change.op, u.change.target.type])).toEqual([["inv", "unread", "submission"], ["tv", "unread", "submission"], ["inv", "unread", "source"], ["tv", "unread", "source"]]);
    const older = reduceTriage([note(A, 1, [{ op: "read", target: src }]), note(A, 2, unread.map((u) => u.change))]).state;
    expect(unreadCount(older, A, [mine, other])).toBe(2);
  });
});
