// Deterministic newsroom keys and roster entries for the core roster tests: every key comes from a
// fixed byte, so a failing test names the same keys on every run.
import { ed25519 } from "@noble/curves/ed25519.js";
import { bech32 } from "@scure/base";
import { identityToRecipient } from "age-encryption";
import { toBase64Url, toHex } from "../../src/core/bytes.js";
import {
  genesisEntryBody,
  nextEntryBody,
  nobleSigner,
  type RosterChange,
  type RosterEditorSpec,
  type RosterEntry,
  type RosterHead,
  rosterEntryHash,
  signRosterEntry,
} from "../../src/core/roster.js";

export interface TestKey {
  seed: Uint8Array;
  publicKey: string;
}
export const signingKey = (byte: number): TestKey => {
  const seed = new Uint8Array(32).fill(byte);
  return { seed, publicKey: toBase64Url(ed25519.getPublicKey(seed)) };
};
export const ageIdentity = (byte: number): string =>
  bech32.encode("AGE-SECRET-KEY-", bech32.toWords(new Uint8Array(32).fill(byte)), false).toUpperCase();
export const ageRecipient = (byte: number): Promise<string> => identityToRecipient(ageIdentity(byte));

export interface TestEditor {
  spec: RosterEditorSpec;
  key: TestKey;
  identity: string;
}
export async function testEditor(byte: number, name: string, role: "admin" | "editor", desks: string[]): Promise<TestEditor> {
  const key = signingKey(byte);
  return {
    key,
    identity: ageIdentity(byte),
    spec: { id: toHex(new Uint8Array(16).fill(byte)), name, ageRecipient: await ageRecipient(byte), signPublicKey: key.publicKey, role, desks },
  };
}

export const root = signingKey(0x01);

/** A log under construction: each call signs the next entry with the given key. */
export class RosterBuilder {
  readonly entries: RosterEntry[] = [];
  head: RosterHead = { seq: -1, hash: "" };
  private push(entry: RosterEntry): RosterEntry {
    this.entries.push(entry);
    this.head = { seq: entry.body.seq, hash: rosterEntryHash(entry.body) };
    return entry;
  }
  async genesis(admin: TestEditor): Promise<RosterEntry> {
    const body = genesisEntryBody(
      root.publicKey,
      { en: "Border Desk Daily", ko: "국경 데스크", zh: "边境新闻台" },
      [
        { id: "news", names: { en: "News", ko: "뉴스", zh: "新闻" } },
        { id: "inv", names: { en: "Investigations" } },
      ],
      admin.spec,
    );
    return this.push(await signRosterEntry(body, nobleSigner(root.seed)));
  }
  /** Signs `change` as `signer` (an editor, or the root) after the current head, without appending it. */
  async make(signer: TestEditor | "root", change: RosterChange, head: RosterHead = this.head): Promise<RosterEntry> {
    const id = signer === "root" ? "root" : signer.spec.id;
    const seed = signer === "root" ? root.seed : signer.key.seed;
    return signRosterEntry(nextEntryBody(head, id, change), nobleSigner(seed));
  }
  async add(signer: TestEditor | "root", change: RosterChange): Promise<RosterEntry> {
    return this.push(await this.make(signer, change));
  }
}

/** The newsroom most roster tests start from: Alice (admin, news + inv), Bob (editor, news), Carol (editor, inv). */
export async function threeEditorNewsroom(): Promise<{ alice: TestEditor; bob: TestEditor; carol: TestEditor; log: RosterBuilder }> {
  const alice = await testEditor(0x11, "Alice", "admin", ["news", "inv"]);
  const bob = await testEditor(0x22, "Bob", "editor", ["news"]);
  const carol = await testEditor(0x33, "Carol", "editor", ["inv"]);
  const log = new RosterBuilder();
  await log.genesis(alice);
  await log.add(alice, { type: "add-editor", editor: bob.spec });
  await log.add(alice, { type: "add-editor", editor: carol.spec });
  return { alice, bob, carol, log };
}
