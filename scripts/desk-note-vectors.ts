// The triage-note and model-note vectors of docs/FORMAT.md, signed by the roster vector's Alice (printed
// by scripts/format-vectors.ts; checked by tests/core/format-vectors.test.ts).
import { fromUtf8, utf8 } from "../src/core/bytes.js";
import { paddedSize } from "../src/core/padding.js";
import { deskRecipients, nobleSigner, verifyRoster } from "../src/core/roster.js";
import { messageSignedBytes, signMessage } from "../src/core/signed-message.js";
import { reduceTriage, type TriageNote } from "../src/core/triage.js";
import { buildModelEvents, type ModelNoteInput } from "../src/cli/services/note-model.js";
import { rosterVectors } from "./roster-vectors.js";

/** The model events `sealdrop note` writes for each input, with ids counted up from 1 (the vector's only change). */
export function cliModelEvents() {
  let n = 0;
  const ctx = { source: "Linen Shrike 6816", submission: "0123456789abcdef0123456789abcdef", resolveSource: (s: string) => s, today: "2026-12-01", newId: () => (++n).toString(16).padStart(32, "0") };
  const none: ModelNoteInput = { untags: [], relate: [], withdraw: [] };
  const cases: { args: string; input: ModelNoteInput; grades: { reliability: string | null; credibility: number | null }; tags: string[] }[] = [
    { args: "note SUBMISSION --new-relay Courier --relate relays_for:source --reliability C --tag region:ryanggang", input: { ...none, newRelay: "Courier", relate: ["relays_for:source"] }, grades: { reliability: "C", credibility: null }, tags: ["region:ryanggang"] },
    { args: "note SUBMISSION --new-claim 'Market closed' --about 2026-11-20..2026-11-22 --credibility 3 --basis source_said", input: { ...none, newClaim: "Market closed", about: "2026-11-20..2026-11-22", basis: "source_said" }, grades: { reliability: null, credibility: 3 }, tags: [] },
    { args: "note SUBMISSION --on claim:…0005 --relate common_upstream:claim:…0004 --upstream 'a radio story' --days 2026-11-01..2026-11-30", input: { ...none, on: `claim:${"5".padStart(32, "0")}`, relate: [`common_upstream:claim:${"4".padStart(32, "0")}`], upstream: "a radio story", days: "2026-11-01..2026-11-30" }, grades: { reliability: null, credibility: null }, tags: [] },
    { args: "note SOURCE --untag region:ryanggang --withdraw …0003", input: { ...none, untags: ["region:ryanggang"], withdraw: ["3".padStart(32, "0")] }, grades: { reliability: null, credibility: null }, tags: [] },
  ];
  return cases.map((c) => ({ args: c.args, events: buildModelEvents(c.input, c.grades, c.tags, ctx).events }));
}

export async function deskNoteVectors() {
  const { roster } = await rosterVectors();
  const verified = verifyRoster(roster.rootPublicKey, roster.entries.map((e) => e.entry));
  if (!verified.ok) throw verified.error;
  const alice = roster.editors.alice;
  const sign = nobleSigner(new Uint8Array(Buffer.from(alice.seedHex, "hex")));
  const context = { author: alice.spec.id, desk: "inv", recipients: deskRecipients(verified.state, "inv"), roster: verified.head };

  const source = { type: "source" as const, pseudonym: "Linen Shrike 6816" };
  const submission = { type: "submission" as const, id: "0123456789abcdef0123456789abcdef" };
  const triage: TriageNote = {
    v: 1,
    kind: "triage",
    clock: 7,
    changes: [
      { op: "star", target: source },
      { op: "status", target: source, status: "in_progress" },
      { op: "assign", target: source, editor: alice.spec.id },
      { op: "read", target: submission },
      { op: "status", target: source, status: "verified" },
    ],
    day: "2026-12-01",
  };
  const signed = await signMessage(triage, context, sign);
  const { state } = reduceTriage([{ noteId: "f".repeat(32), author: alice.spec.id, desk: "inv", note: signed }]);
  const signedTriage = {
    note: signed,
    signedText: fromUtf8(messageSignedBytes(signed)),
    paddedLength: paddedSize(utf8(JSON.stringify(signed)).length),
    state: Object.fromEntries(state),
  };
  return { signedTriage, cliModelEvents: cliModelEvents() };
}
