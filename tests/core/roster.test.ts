// The roster verifier's contract (docs/FORMAT.md, "Roster rules"): a good log yields the newsroom's
// state; every kind of tampering is refused with its stable code.
import { beforeEach, describe, expect, it } from "vitest";
import { rootFingerprint } from "../../src/core/fingerprint.js";
import {
  appendToRoster,
  checkExtends,
  deskRecipients,
  findEditor,
  localName,
  type RosterEntry,
  type RosterErrorCode,
  type RosterResult,
  verifyRoster,
} from "../../src/core/roster.js";
import { ageRecipient, root, RosterBuilder, signingKey, testEditor, type TestEditor, threeEditorNewsroom } from "./roster-fixture.js";

let alice: TestEditor; // admin, news + inv
let bob: TestEditor; // editor, news only
let carol: TestEditor; // editor, inv only
let log: RosterBuilder;

beforeEach(async () => {
  ({ alice, bob, carol, log } = await threeEditorNewsroom());
});

const ok = (result: RosterResult) => {
  if (!result.ok) throw result.error;
  return result;
};
function refused(result: RosterResult, code: RosterErrorCode, seq?: number) {
  expect(result.ok ? "accepted" : result.error.code).toBe(code);
  if (!result.ok && seq !== undefined) expect(result.error.seq).toBe(seq);
}
const tamper = (entry: RosterEntry, change: (body: Record<string, unknown>) => void): RosterEntry => {
  const copy = structuredClone(entry);
  change(copy.body as unknown as Record<string, unknown>);
  return copy;
};

describe("verifyRoster", () => {
  it("yields names, desks and each desk's recipients", async () => {
    const { state, head, entries } = ok(verifyRoster(root.publicKey, log.entries));
    expect(head).toEqual(log.head);
    expect(entries.map((e) => e.seq)).toEqual([0, 1, 2]);
    expect(localName(state.names, "ko")).toBe("국경 데스크");
    expect(localName(state.desks[1]!.names, "zh")).toBe("Investigations");
    expect(deskRecipients(state, "news")).toEqual([alice.spec.ageRecipient, bob.spec.ageRecipient]);
    expect(deskRecipients(state, "inv")).toEqual([alice.spec.ageRecipient, carol.spec.ageRecipient]);
    expect(state.keyKind).toBe("x25519");
  });

  it("refuses an empty log, and one whose first entry is not the root's genesis", async () => {
    refused(verifyRoster(root.publicKey, []), "roster_bad_genesis");
    refused(verifyRoster(root.publicKey, log.entries.slice(1)), "roster_bad_genesis", 0);
  });

  it("refuses a log of another root", () => {
    refused(verifyRoster(signingKey(0x02).publicKey, log.entries), "roster_root_mismatch", 0);
  });

  it("refuses a forged signature", async () => {
    const forged = { ...log.entries[1]!, signature: log.entries[2]!.signature };
    refused(verifyRoster(root.publicKey, [log.entries[0], forged, log.entries[2]]), "roster_bad_signature", 1);
  });

  it("refuses an altered body (the signature no longer covers it)", async () => {
    const altered = tamper(log.entries[1]!, (b) => ((b.editor as { role: string }).role = "admin"));
    refused(verifyRoster(root.publicKey, [log.entries[0], altered, log.entries[2]]), "roster_bad_signature", 1);
  });

  it("refuses a wrong prev hash", async () => {
    const wrong = await log.make(alice, { type: "rename-desk", desk: "news", names: { en: "Newsroom" } }, { seq: 2, hash: "00".repeat(32) });
    refused(verifyRoster(root.publicKey, [...log.entries, wrong]), "roster_bad_prev", 3);
  });

  it("refuses a dropped entry", () => {
    refused(verifyRoster(root.publicKey, [log.entries[0], log.entries[2]]), "roster_bad_seq", 1);
  });

  it("refuses reordered entries", () => {
    refused(verifyRoster(root.publicKey, [log.entries[0], log.entries[2], log.entries[1]]), "roster_bad_seq", 1);
  });

  it("refuses a fork: two different entries at the same position", async () => {
    const first = await log.make(alice, { type: "rename-desk", desk: "news", names: { en: "One" } });
    const second = await log.make(alice, { type: "rename-desk", desk: "news", names: { en: "Two" } });
    ok(verifyRoster(root.publicKey, [...log.entries, first]));
    ok(verifyRoster(root.publicKey, [...log.entries, second]));
    refused(verifyRoster(root.publicKey, [...log.entries, first, second]), "roster_bad_seq", 4);
  });

  it("refuses an entry signed by an editor who is not an admin", async () => {
    const entry = await log.make(bob, { type: "add-desk", desk: { id: "sports", names: { en: "Sports" } } });
    refused(verifyRoster(root.publicKey, [...log.entries, entry]), "not_admin", 3);
  });

  it("refuses an entry signed by a revoked admin", async () => {
    const dave = await testEditor(0x44, "Dave", "admin", []);
    await log.add(alice, { type: "add-editor", editor: dave.spec });
    await log.add(alice, { type: "revoke-editor", editor: dave.spec.id, compromised: false });
    const entry = await log.make(dave, { type: "add-desk", desk: { id: "sports", names: { en: "Sports" } } });
    refused(verifyRoster(root.publicKey, [...log.entries, entry]), "signer_revoked", 5);
  });

  it("refuses an unknown signer", async () => {
    const stranger = await testEditor(0x55, "Mallory", "admin", []);
    const entry = await log.make(stranger, { type: "add-desk", desk: { id: "sports", names: { en: "Sports" } } });
    refused(verifyRoster(root.publicKey, [...log.entries, entry]), "unknown_signer", 3);
  });

  it("accepts the root signing any later entry (recovery)", async () => {
    await log.add("root", { type: "set-role", editor: bob.spec.id, role: "admin" });
    expect(findEditor(ok(verifyRoster(root.publicKey, log.entries)).state, bob.spec.id)!.role).toBe("admin");
  });

  it("never lets the last admin be revoked or demoted", async () => {
    refused(verifyRoster(root.publicKey, [...log.entries, await log.make(alice, { type: "revoke-editor", editor: alice.spec.id, compromised: false })]), "last_admin", 3);
    refused(verifyRoster(root.publicKey, [...log.entries, await log.make("root", { type: "set-role", editor: alice.spec.id, role: "editor" })]), "last_admin", 3);
    await log.add(alice, { type: "set-role", editor: bob.spec.id, role: "admin" });
    await log.add(bob, { type: "revoke-editor", editor: alice.spec.id, compromised: false });
    const { state } = ok(verifyRoster(root.publicKey, log.entries));
    expect(findEditor(state, alice.spec.id)!.revoked).toBe(true);
    expect(deskRecipients(state, "news")).toEqual([bob.spec.ageRecipient]);
  });

  it("refuses mixing post-quantum and classic keys", async () => {
    const { generateHybridIdentity, identityToRecipient } = await import("age-encryption");
    const pq = await identityToRecipient(await generateHybridIdentity());
    const dave = await testEditor(0x44, "Dave", "editor", ["news"]);
    const entry = await log.make(alice, { type: "add-editor", editor: { ...dave.spec, ageRecipient: pq } });
    refused(verifyRoster(root.publicKey, [...log.entries, entry]), "key_kind_mismatch", 3);
  });

  it("refuses reused ids and keys, unknown desks and editors", async () => {
    const dave = await testEditor(0x44, "Dave", "editor", ["news"]);
    const cases: [Parameters<RosterBuilder["make"]>[1], RosterErrorCode][] = [
      [{ type: "add-editor", editor: { ...dave.spec, id: bob.spec.id } }, "roster_duplicate"],
      [{ type: "add-editor", editor: { ...dave.spec, signPublicKey: bob.spec.signPublicKey } }, "roster_duplicate"],
      [{ type: "add-editor", editor: { ...dave.spec, ageRecipient: bob.spec.ageRecipient } }, "roster_duplicate"],
      [{ type: "add-editor", editor: { ...dave.spec, desks: ["sports"] } }, "unknown_desk"],
      [{ type: "rotate-keys", editor: bob.spec.id, ageRecipient: null, signPublicKey: alice.spec.signPublicKey, compromised: false }, "roster_duplicate"],
      [{ type: "set-desks", editor: dave.spec.id, desks: ["news"] }, "unknown_editor"],
      [{ type: "add-desk", desk: { id: "news", names: { en: "News again" } } }, "roster_duplicate"],
      [{ type: "rename-desk", desk: "sports", names: { en: "Sports" } }, "unknown_desk"],
    ];
    for (const [change, code] of cases) refused(verifyRoster(root.publicKey, [...log.entries, await log.make(alice, change)]), code, 3);
  });

  it("refuses names with control or invisible characters, and bodies with unknown fields", async () => {
    for (const name of ["", " News", "News\u202e", "Ne\u0000ws", "e\u0301"]) {
      const entry = await log.make(alice, { type: "rename-desk", desk: "news", names: { en: "x" } });
      (entry.body as { names: { en: string } }).names.en = name;
      refused(verifyRoster(root.publicKey, [...log.entries, entry]), "roster_malformed", 3);
    }
    const extra = tamper(log.entries[2]!, (b) => (b.note = "hello"));
    refused(verifyRoster(root.publicKey, [log.entries[0], log.entries[1], extra]), "roster_malformed", 2);
    refused(verifyRoster(root.publicKey, [log.entries[0], "not an entry"]), "roster_malformed", 1);
  });

  it("rotates keys: the new key signs, the old one no longer does", async () => {
    const fresh = signingKey(0x66);
    await log.add(alice, { type: "set-role", editor: bob.spec.id, role: "admin" });
    await log.add(alice, { type: "rotate-keys", editor: bob.spec.id, ageRecipient: await ageRecipient(0x66), signPublicKey: fresh.publicKey, compromised: false });
    const { state } = ok(verifyRoster(root.publicKey, log.entries));
    expect(deskRecipients(state, "news")).toEqual([alice.spec.ageRecipient, await ageRecipient(0x66)]);
    const oldKey = await log.make(bob, { type: "add-desk", desk: { id: "sports", names: { en: "Sports" } } });
    refused(verifyRoster(root.publicKey, [...log.entries, oldKey]), "roster_bad_signature", 5);
  });
});

describe("appendToRoster (the server's check before storing)", () => {
  it("accepts the next entry and leaves the verified roster untouched when one fails", async () => {
    const verified = ok(verifyRoster(root.publicKey, log.entries));
    const next = await log.make(alice, { type: "add-desk", desk: { id: "sports", names: { en: "Sports" } } });
    const bad = await log.make(bob, { type: "add-desk", desk: { id: "arts", names: { en: "Arts" } } }, { seq: 3, hash: "ab".repeat(32) });
    refused(appendToRoster(verified, [next, bad]), "roster_bad_prev", 4);
    expect(verified.state.desks.map((d) => d.id)).toEqual(["news", "inv"]);
    expect(ok(appendToRoster(verified, [next])).state.desks.map((d) => d.id)).toEqual(["news", "inv", "sports"]);
  });

  it("calls an entry for an older head stale", async () => {
    const verified = ok(verifyRoster(root.publicKey, log.entries));
    const old = await log.make(alice, { type: "add-desk", desk: { id: "sports", names: { en: "Sports" } } }, { seq: 1, hash: verified.entries[1]!.hash });
    refused(appendToRoster(verified, [old]), "roster_stale", 3);
  });
});

describe("checkExtends (the CLI's pinned head)", () => {
  it("accepts the same log or a longer one, refuses a rollback or a fork", async () => {
    const before = ok(verifyRoster(root.publicKey, log.entries));
    expect(checkExtends(before.head, before)).toBeNull();
    const longer = [...log.entries, await log.make(alice, { type: "add-desk", desk: { id: "sports", names: { en: "Sports" } } })];
    expect(checkExtends(before.head, ok(verifyRoster(root.publicKey, longer)))).toBeNull();
    expect(checkExtends(ok(verifyRoster(root.publicKey, longer)).head, before)?.code).toBe("roster_rollback");
    const other = new RosterBuilder();
    await other.genesis(alice);
    await other.add(alice, { type: "add-editor", editor: carol.spec });
    await other.add(alice, { type: "add-editor", editor: bob.spec });
    expect(checkExtends(before.head, ok(verifyRoster(root.publicKey, other.entries)))?.code).toBe("roster_fork");
  });
});

describe("root fingerprint", () => {
  it("depends on the root alone: the same before and after staffing changes", async () => {
    const before = rootFingerprint(ok(verifyRoster(root.publicKey, log.entries)).state.root);
    await log.add(alice, { type: "revoke-editor", editor: bob.spec.id, compromised: false });
    await log.add(alice, { type: "add-desk", desk: { id: "sports", names: { en: "Sports" } } });
    expect(rootFingerprint(ok(verifyRoster(root.publicKey, log.entries)).state.root)).toBe(before);
    expect(before).toMatch(/^([0-9A-F]{4} ){9}[0-9A-F]{4}$/);
    expect(rootFingerprint(signingKey(0x02).publicKey)).not.toBe(before);
  });
});
