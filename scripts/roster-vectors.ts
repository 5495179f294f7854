// The roster and signed-note vectors of docs/FORMAT.md, built deterministically from fixed seeds
// (printed by scripts/format-vectors.ts; checked by tests/core/format-vectors.test.ts).
import { ed25519 } from "@noble/curves/ed25519.js";
import { bech32 } from "@scure/base";
import { identityToRecipient } from "age-encryption";
import { fromUtf8, toBase64Url, toHex } from "../src/core/bytes.js";
import { rootFingerprint } from "../src/core/fingerprint.js";
import type { Note } from "../src/core/messages.js";
import {
  deskRecipients,
  genesisEntryBody,
  nextEntryBody,
  nobleSigner,
  type RosterChange,
  type RosterEntry,
  rosterEntryHash,
  rosterSignedBytes,
  signRosterEntry,
  verifyRoster,
} from "../src/core/roster.js";
import { messageSignedBytes, signMessage } from "../src/core/signed-message.js";

const seedOf = (byte: number) => new Uint8Array(32).fill(byte);
const identityOf = (byte: number) => bech32.encode("AGE-SECRET-KEY-", bech32.toWords(seedOf(byte)), false).toUpperCase();

async function editor(byte: number, name: string, role: "admin" | "editor", desks: string[]) {
  return {
    seedHex: toHex(seedOf(byte)),
    identity: identityOf(byte),
    spec: { id: toHex(new Uint8Array(16).fill(byte)), name, ageRecipient: await identityToRecipient(identityOf(byte)), signPublicKey: toBase64Url(ed25519.getPublicKey(seedOf(byte))), role, desks },
  };
}

export async function rosterVectors() {
  const rootSeed = seedOf(0x01);
  const rootPublicKey = toBase64Url(ed25519.getPublicKey(rootSeed));
  const alice = await editor(0x11, "Alice", "admin", ["news", "inv"]);
  const bob = await editor(0x22, "Bob", "editor", ["news"]);
  const entries: { description: string; entry: RosterEntry; signedText: string; hash: string }[] = [];
  const push = (description: string, entry: RosterEntry) =>
    entries.push({ description, entry, signedText: fromUtf8(rosterSignedBytes(entry.body)), hash: rosterEntryHash(entry.body) });
  const genesis = genesisEntryBody(
    rootPublicKey,
    { en: "Border Desk Daily", ko: "국경 데스크", zh: "边境新闻台" },
    [
      { id: "news", names: { en: "News", ko: "뉴스", zh: "新闻" } },
      { id: "inv", names: { en: "Investigations" } },
    ],
    alice.spec,
  );
  push("genesis, signed by the root", await signRosterEntry(genesis, nobleSigner(rootSeed)));
  const next = async (description: string, change: RosterChange) => {
    const last = entries.at(-1)!;
    push(description, await signRosterEntry(nextEntryBody({ seq: last.entry.body.seq, hash: last.hash }, alice.spec.id, change), nobleSigner(seedOf(0x11))));
  };
  await next("Alice adds Bob to news", { type: "add-editor", editor: bob.spec });
  await next("Alice renames desk inv", { type: "rename-desk", desk: "inv", names: { en: "Investigations", ko: "탐사보도", zh: "调查报道" } });
  await next("Alice revokes Bob", { type: "revoke-editor", editor: bob.spec.id, compromised: false });
  const verified = verifyRoster(rootPublicKey, entries.map((e) => e.entry));
  if (!verified.ok) throw verified.error;

  const roster = {
    rootSeedHex: toHex(rootSeed),
    rootPublicKey,
    rootFingerprint: rootFingerprint(rootPublicKey),
    editors: { alice, bob },
    entries,
    head: verified.head,
    deskRecipients: { news: deskRecipients(verified.state, "news"), inv: deskRecipients(verified.state, "inv") },
  };

  const note: Note = {
    v: 1,
    kind: "note",
    subject: { type: "source", pseudonym: "Linen Shrike 6816" },
    tags: ["region:hyesan"],
    reliability: "B",
    credibility: 2,
    text: "Met the courier twice; 두 번 만났다.",
    links: [],
    author: "Alice",
    day: "2026-12-01",
  };
  const signed = await signMessage(note, { author: alice.spec.id, desk: "inv", recipients: deskRecipients(verified.state, "inv"), roster: verified.head }, nobleSigner(seedOf(0x11)));
  const signedNote = { authorSeedHex: alice.seedHex, note: signed, signedText: fromUtf8(messageSignedBytes(signed)) };
  return { roster, signedNote };
}
