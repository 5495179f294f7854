// The one test newsroom: its name, its two desks and an editor whose keys the test holds. Every test
// server, harness and crash test seeds this same newsroom; only how it reaches the store differs (rows
// written through Kysely where the test can open the database, the setup request where it cannot: workerd).
import { ed25519 } from "@noble/curves/ed25519.js";
import { generateHybridIdentity, generateX25519Identity, identityToRecipient } from "age-encryption";
import type { Kysely } from "kysely";
import { randomId, toBase64Url } from "../../src/core/bytes.js";
import type { EditorPublicKeys, NewsroomSetup } from "../../src/core/wire.js";
import type { Database } from "../../src/server/db/schema.js";
import { initializeNewsroom } from "../../src/server/newsroom.js";
import { freshFetch } from "./http.js";

export interface TestEditor {
  id: string;
  identity: string;
  recipient: string;
  signSecret: Uint8Array;
  publicKeys: EditorPublicKeys;
}

export interface EditorOptions {
  /** A classic X25519 identity (the reference `age` tool reads it) instead of the post-quantum hybrid. */
  classic?: boolean;
  desks?: string[];
  name?: string;
}

/** A fresh editor: an age identity and an Ed25519 signing key (via @noble; the CLI signs the same bytes with libsodium). */
export async function makeEditor(options: EditorOptions = {}): Promise<TestEditor> {
  const identity = options.classic ? await generateX25519Identity() : await generateHybridIdentity();
  const recipient = await identityToRecipient(identity);
  const signSecret = ed25519.utils.randomSecretKey();
  const id = randomId();
  return {
    id,
    identity,
    recipient,
    signSecret,
    publicKeys: {
      id,
      name: options.name ?? "Test Editor",
      ageRecipient: recipient,
      signPublicKey: toBase64Url(ed25519.getPublicKey(signSecret)),
      desks: options.desks ?? TEST_DESKS.map((d) => d.id),
    },
  };
}

export const TEST_NEWSROOM_NAME = "Test Newsroom";
export const TEST_DESKS: readonly { id: string; name: string }[] = [
  { id: "news", name: "News" },
  { id: "investigations", name: "Investigations" },
];

export interface TestNewsroom {
  /** The first editor, on every desk. */
  editor: TestEditor;
  /** What `initializeNewsroom` and `POST /api/setup` take. */
  setup: NewsroomSetup;
}

/** The test newsroom with a new first editor; `classic` chooses the editor's key kind. */
export async function testNewsroom(options: { classic?: boolean } = {}): Promise<TestNewsroom> {
  const editor = await makeEditor({ classic: options.classic });
  return { editor, setup: { name: TEST_NEWSROOM_NAME, desks: TEST_DESKS.map((d) => ({ ...d })), editor: editor.publicKeys } };
}

/** Writes the test newsroom into a migrated database and returns it. */
export async function seedNewsroom(db: Kysely<Database>, options: { classic?: boolean; now?: Date } = {}): Promise<TestNewsroom> {
  const newsroom = await testNewsroom(options);
  await initializeNewsroom(db, newsroom.setup, options.now ?? new Date());
  return newsroom;
}

/** Sets the test newsroom up over HTTP, as an operator's first `sealdrop init --server` does. */
export async function setUpNewsroomOver(url: string, token: string, options: { classic?: boolean } = {}): Promise<TestNewsroom> {
  const newsroom = await testNewsroom(options);
  const res = await freshFetch(`${url}/api/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token, newsroom: newsroom.setup }),
  });
  if (res.status !== 201) throw new Error(`setting up the test newsroom: ${res.status} ${await res.text()}`);
  return newsroom;
}
