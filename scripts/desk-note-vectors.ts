// The triage-note and model-note vectors of docs/FORMAT.md, signed by the roster vector's Alice (printed
// by scripts/format-vectors.ts; checked by tests/core/format-vectors.test.ts).
import { fromUtf8, utf8 } from "../src/core/bytes.js";
import { paddedSize } from "../src/core/padding.js";
import { deskRecipients, nobleSigner, verifyRoster } from "../src/core/roster.js";
import { messageSignedBytes, signMessage } from "../src/core/signed-message.js";
import { reduceTriage, type TriageNote } from "../src/core/triage.js";
import { rosterVectors } from "./roster-vectors.js";

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
  return { signedTriage };
}
