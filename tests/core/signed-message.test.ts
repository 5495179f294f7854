// Signed notes and replies (docs/FORMAT.md, "Signed notes and replies"): a reader's verified roster
// decides who wrote a message; anything else is shown as unverified and does not count.
import { beforeEach, describe, expect, it } from "vitest";
import { fromUtf8 } from "../../src/core/bytes.js";
import { openBytes } from "../../src/core/envelope.js";
import type { Note, Reply } from "../../src/core/messages.js";
import { noteSchema, replySchema } from "../../src/core/messages.js";
import { deskRecipients, nobleSigner, type VerifiedRoster, verifyRoster } from "../../src/core/roster.js";
import { countsTowardsGrades, sealSignedMessage, signMessage, type UnverifiedReason, verifyMessage } from "../../src/core/signed-message.js";
import { ageRecipient, root, RosterBuilder, signingKey, testEditor, type TestEditor, threeEditorNewsroom } from "./roster-fixture.js";

let alice: TestEditor;
let bob: TestEditor;
let carol: TestEditor;
let log: RosterBuilder;
let roster: VerifiedRoster;

const verify = (entries = log.entries): VerifiedRoster => {
  const result = verifyRoster(root.publicKey, entries);
  if (!result.ok) throw result.error;
  return result;
};

beforeEach(async () => {
  ({ alice, bob, carol, log } = await threeEditorNewsroom());
  roster = verify();
});

const note = (author: string): Note => ({
  v: 1,
  kind: "note",
  subject: { type: "source", pseudonym: "Linen Shrike 6816" },
  tags: ["region:hyesan"],
  reliability: "B",
  credibility: 2,
  text: "Met the courier twice.",
  links: [],
  author,
  day: "2026-12-01",
});
const context = (desk = "inv") => ({ author: carol.spec.id, desk, recipients: deskRecipients(roster.state, desk), roster: roster.head });
const expectReason = (raw: unknown, reason: UnverifiedReason, options = {}) => {
  const result = verifyMessage(raw, roster, options);
  expect(result.status === "unverified" ? result.reason : "verified").toBe(reason);
  expect(countsTowardsGrades(result)).toBe(false);
};

describe("signed notes", () => {
  it("verify against the roster, sealed to exactly the recipients they name", async () => {
    const ciphertext = await sealSignedMessage(note("Carol"), context(), nobleSigner(carol.key.seed));
    const raw = JSON.parse(fromUtf8(await openBytes(ciphertext, [alice.identity])));
    const result = verifyMessage(raw, roster, { reader: alice.spec.ageRecipient });
    expect(result.status).toBe("verified");
    if (result.status !== "verified") return;
    expect(result.author.name).toBe("Carol");
    expect(result.desk).toBe("inv");
    expect(countsTowardsGrades(result)).toBe(true);
    // An older reader still parses it: the schema ignores `sig`.
    expect(noteSchema.parse(raw).text).toBe("Met the courier twice.");
    await expect(openBytes(ciphertext, [bob.identity])).rejects.toThrow();
  });

  it("without a signature are unverified", () => expectReason(note("Carol"), "unsigned"));

  it("signed by a key outside the roster are unverified", async () => {
    const signed = await signMessage(note("Carol"), context(), nobleSigner(signingKey(0x77).seed));
    expectReason(signed, "bad_signature");
  });

  it("claiming another author are unverified", async () => {
    const asBob = await signMessage(note("Bob"), { ...context("news"), author: bob.spec.id }, nobleSigner(carol.key.seed));
    expectReason(asBob, "bad_signature");
    const wrongName = await signMessage(note("Alice"), context(), nobleSigner(carol.key.seed));
    expectReason(wrongName, "author_mismatch");
  });

  it("altered after signing are unverified", async () => {
    const signed = await signMessage(note("Carol"), context(), nobleSigner(carol.key.seed));
    expectReason({ ...signed, reliability: "A" }, "bad_signature");
    expectReason({ ...signed, sig: { ...signed.sig, desk: "news" } }, "bad_signature");
  });

  it("for a desk the author is not on are unverified", async () => {
    const signed = await signMessage(note("Carol"), context("news"), nobleSigner(carol.key.seed));
    expectReason(signed, "outside_desk");
  });

  it("re-encrypted to a reader they did not name are unverified for that reader", async () => {
    const signed = await signMessage(note("Carol"), context(), nobleSigner(carol.key.seed));
    expectReason(signed, "not_addressed_to_reader", { reader: bob.spec.ageRecipient });
  });

  it("by an author who was not yet an editor, or against a roster the reader lacks, are unverified", async () => {
    const dave = await testEditor(0x44, "Dave", "editor", ["inv"]);
    await log.add(alice, { type: "add-editor", editor: dave.spec });
    const longer = verify();
    const early = await signMessage(note("Dave"), { ...context(), author: dave.spec.id }, nobleSigner(dave.key.seed));
    expect(verifyMessage(early, longer)).toMatchObject({ status: "unverified", reason: "author_not_active" });
    const late = await signMessage(note("Carol"), { ...context(), roster: longer.head }, nobleSigner(carol.key.seed));
    expectReason(late, "roster_ahead");
    expect(verifyMessage(late, longer).status).toBe("verified");
    const forkHead = { seq: 2, hash: "cd".repeat(32) };
    expectReason(await signMessage(note("Carol"), { ...context(), roster: forkHead }, nobleSigner(carol.key.seed)), "roster_fork");
  });

  it("stay verified after a routine rotation or revocation, but not after a compromise", async () => {
    const signed = await signMessage(note("Carol"), context(), nobleSigner(carol.key.seed));
    await log.add(alice, { type: "rotate-keys", editor: carol.spec.id, ageRecipient: null, signPublicKey: signingKey(0x66).publicKey, compromised: false });
    expect(verifyMessage(signed, verify()).status).toBe("verified");
    await log.add(alice, { type: "revoke-editor", editor: carol.spec.id, compromised: false });
    expect(verifyMessage(signed, verify())).toMatchObject({ status: "verified", authorRevokedSince: true });
    const compromised = new RosterBuilder();
    await compromised.genesis(alice);
    await compromised.add(alice, { type: "add-editor", editor: bob.spec });
    await compromised.add(alice, { type: "add-editor", editor: carol.spec });
    await compromised.add(alice, { type: "revoke-editor", editor: carol.spec.id, compromised: true });
    expect(verifyMessage(signed, verify(compromised.entries))).toMatchObject({ status: "unverified", reason: "key_compromised" });
  });

  it("that are not notes at all are malformed", () => {
    expectReason({ kind: "note" }, "malformed");
    expectReason("text", "malformed");
  });
});

describe("signed replies", () => {
  it("name the source among their recipients", async () => {
    const source = await ageRecipient(0x99);
    const reply: Reply = { v: 1, kind: "reply", message: "Thank you.", from: "Investigations", to: source, inReplyTo: null, day: "2026-12-01" };
    const recipients = [...deskRecipients(roster.state, "inv"), source];
    const signed = await signMessage(reply, { ...context(), recipients }, nobleSigner(carol.key.seed));
    expect(verifyMessage(signed, roster, { reader: source }).status).toBe("verified");
    expect(replySchema.parse(signed).message).toBe("Thank you.");
    const withoutSource = await signMessage(reply, context(), nobleSigner(carol.key.seed));
    expectReason(withoutSource, "recipients_mismatch");
  });
});
