// Roles and desks enforced by the server, and the roster it stores but cannot write (issue 13), over real
// HTTP on the backend SEALDROP_TEST_BACKEND names. The newsroom starts as one set up before rosters (its
// founding editor registered the old way) and adopts a roster: genesis signed by a root key the test holds.
import { ed25519 } from "@noble/curves/ed25519.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBase64, toBase64Url } from "../../src/core/bytes.js";
import { rootFingerprint } from "../../src/core/fingerprint.js";
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
  verifyRoster,
} from "../../src/core/roster.js";
import { sealBytes } from "../../src/core/envelope.js";
import type { NewsroomResponse, RosterResponse, StoredItem, SubmissionSummary } from "../../src/core/wire.js";
import { makeEditor, type TestEditor } from "../helpers/newsroom.js";
import { editorFetch, startTestServer, type TestServer } from "../helpers/server.js";
import { submitTip } from "../helpers/source.js";

let server: TestServer;
let admin: TestEditor; // the founding editor: admin of news and inv
let news: TestEditor; // an editor of news only
let head: RosterHead;
let invTip: { id: string; attachment: string };
let invNote: string;
let genesisHead: RosterHead;
const rootSeed = ed25519.utils.randomSecretKey();
const root = toBase64Url(ed25519.getPublicKey(rootSeed));

const spec = (e: TestEditor, role: "admin" | "editor", desks: string[]): RosterEditorSpec => ({
  id: e.id,
  name: e.publicKeys.name,
  ageRecipient: e.recipient,
  signPublicKey: e.publicKeys.signPublicKey,
  role,
  desks,
});
const signAs = (signer: TestEditor, change: RosterChange, after: RosterHead = head): Promise<RosterEntry> =>
  signRosterEntry(nextEntryBody(after, signer.id, change), nobleSigner(signer.signSecret));
const postEntries = (as: TestEditor, entries: RosterEntry[]) => editorFetch(server, as, "POST", "/api/editor/roster", { entries });

async function expectError(res: Response, status: number, code: string): Promise<void> {
  const body = (await res.json()) as { error?: { code: string } };
  expect({ status: res.status, code: body.error?.code }).toEqual({ status, code });
}
async function append(entries: RosterEntry[]): Promise<void> {
  const res = await postEntries(admin, entries);
  expect(res.status).toBe(201);
  head = ((await res.json()) as { head: RosterHead }).head;
}
const roster = async () => (await (await fetch(`${server.url}/api/roster`)).json()) as RosterResponse;

beforeAll(async () => {
  server = await startTestServer();
  admin = server.editor;
  news = await makeEditor({ name: "News Editor", desks: ["news"] });
  const genesis = await signRosterEntry(
    genesisEntryBody(
      root,
      { en: "Test Newsroom", ko: "테스트 신문" },
      [
        { id: "news", names: { en: "News", ko: "뉴스" } },
        { id: "inv", names: { en: "Investigations", zh: "调查" } },
      ],
      spec(admin, "admin", ["news", "inv"]),
    ),
    nobleSigner(rootSeed),
  );
  genesisHead = { seq: 0, hash: rosterEntryHash(genesis.body) };
  await append([genesis, await signAs(admin, { type: "add-editor", editor: spec(news, "editor", ["news"]) }, genesisHead)]);

  const tip = await submitTip(server.url, "inv only", [{ name: "map.png", type: "image/png", bytes: new Uint8Array([1, 2, 3]) }], "inv");
  const list = (await (await editorFetch(server, admin, "GET", "/api/editor/submissions")).json()) as { submissions: SubmissionSummary[] };
  invTip = { id: tip.id, attachment: list.submissions.find((s) => s.id === tip.id)!.attachments[0]!.id };
  const note = await editorFetch(server, admin, "POST", "/api/editor/notes", { ciphertext: toBase64(await sealBytes(new Uint8Array([9]), [admin.recipient])), desk: "inv" });
  expect(note.status).toBe(201);
  invNote = ((await note.json()) as { id: string }).id;
}, 120_000);
afterAll(() => server?.dispose());

describe("the roster", () => {
  it("is served to anyone and verifies from the root", async () => {
    const served = await roster();
    expect(served.root).toBe(root);
    const verified = verifyRoster(root, served.entries);
    expect(verified.ok && verified.head).toEqual(head);
  });

  it("decides the newsroom answer: desks, names, recipients and the root fingerprint", async () => {
    const newsroom = (await (await fetch(`${server.url}/api/newsroom`)).json()) as NewsroomResponse;
    expect(newsroom.desks.map((d) => [d.id, d.recipients])).toEqual([
      ["news", [admin.recipient, news.recipient]],
      ["inv", [admin.recipient]],
    ]);
    expect(newsroom.names?.ko).toBe("테스트 신문");
    expect(newsroom.desks[1]!.names?.zh).toBe("调查");
    expect(newsroom.roster).toEqual({ root, fingerprint: rootFingerprint(root), head });
    // The published fingerprint is the root's, not the key list's.
    expect(newsroom.fingerprint).toBe(rootFingerprint(root));
  });

  it("refuses an entry that does not verify, and stores nothing", async () => {
    const good = await signAs(admin, { type: "add-desk", desk: { id: "sports", names: { en: "Sports" } } });
    await expectError(await postEntries(admin, [{ ...good, signature: toBase64Url(new Uint8Array(64)) }]), 403, "roster_bad_signature");
    const forgedByServerKey = await signRosterEntry(nextEntryBody(head, admin.id, { type: "add-desk", desk: { id: "sports", names: { en: "Sports" } } }), nobleSigner(ed25519.utils.randomSecretKey()));
    await expectError(await postEntries(admin, [forgedByServerKey]), 403, "roster_bad_signature");
    expect((await roster()).entries).toHaveLength(head.seq + 1);
  });

  it("calls an entry for an older head stale", async () => {
    const old = await signAs(admin, { type: "add-desk", desk: { id: "sports", names: { en: "Sports" } } }, genesisHead);
    await expectError(await postEntries(admin, [old]), 409, "roster_stale");
  });
});

describe("a news-only editor", () => {
  it("does not see inv tips in the list (a pull never downloads them)", async () => {
    const res = await editorFetch(server, news, "GET", "/api/editor/submissions");
    expect(res.status).toBe(200);
    const { submissions } = (await res.json()) as { submissions: SubmissionSummary[] };
    expect(submissions.map((s) => s.id)).not.toContain(invTip.id);
  });

  it("gets 403 outside_desk downloading, deleting, replying to and noting an inv item", async () => {
    await expectError(await editorFetch(server, news, "GET", `/api/editor/submissions/${invTip.id}/envelope`), 403, "outside_desk");
    await expectError(await editorFetch(server, news, "GET", `/api/editor/attachments/${invTip.attachment}`), 403, "outside_desk");
    await expectError(await editorFetch(server, news, "DELETE", `/api/editor/submissions/${invTip.id}`), 403, "outside_desk");
    const ciphertext = toBase64(await sealBytes(new Uint8Array([1]), [news.recipient]));
    await expectError(await editorFetch(server, news, "POST", "/api/editor/replies", { mailbox: "ab".repeat(16), credentialHash: "cd".repeat(32), ciphertext, desk: "inv" }), 403, "outside_desk");
    await expectError(await editorFetch(server, news, "POST", "/api/editor/notes", { ciphertext, desk: "inv" }), 403, "outside_desk");
    await expectError(await editorFetch(server, news, "GET", `/api/editor/notes/${invNote}`), 403, "outside_desk");
    const notes = (await (await editorFetch(server, news, "GET", "/api/editor/notes")).json()) as { notes: StoredItem[] };
    expect(notes.notes.map((n) => n.id)).not.toContain(invNote);
  });

  it("gets 403 not_admin on every roster change, even one an admin signed", async () => {
    const changes: RosterChange[] = [
      { type: "add-editor", editor: spec(await makeEditor(), "editor", ["news"]) },
      { type: "revoke-editor", editor: admin.id, compromised: false },
      { type: "rotate-keys", editor: news.id, ageRecipient: null, signPublicKey: toBase64Url(ed25519.getPublicKey(ed25519.utils.randomSecretKey())), compromised: false },
      { type: "set-desks", editor: news.id, desks: ["news", "inv"] },
      { type: "set-role", editor: news.id, role: "admin" },
      { type: "add-desk", desk: { id: "sports", names: { en: "Sports" } } },
      { type: "rename-desk", desk: "inv", names: { en: "Secrets" } },
      { type: "rename-newsroom", names: { en: "Taken" } },
    ];
    for (const change of changes) {
      await expectError(await postEntries(news, [await signAs(news, change)]), 403, "not_admin");
      await expectError(await postEntries(news, [await signAs(admin, change)]), 403, "not_admin");
      // Signed by the news editor and carried by the admin: the verifier refuses the signer.
      await expectError(await postEntries(admin, [await signAs(news, change)]), 403, "not_admin");
    }
    await expectError(await editorFetch(server, news, "POST", "/api/editor/editors", (await makeEditor()).publicKeys), 403, "not_admin");
    await expectError(await editorFetch(server, news, "DELETE", `/api/editor/editors/${admin.id}`), 403, "not_admin");
    expect((await roster()).entries).toHaveLength(head.seq + 1);
  });
});

describe("an admin", () => {
  it("lists, downloads, replies to and notes inv items", async () => {
    const { submissions } = (await (await editorFetch(server, admin, "GET", "/api/editor/submissions")).json()) as { submissions: SubmissionSummary[] };
    expect(submissions.map((s) => s.id)).toContain(invTip.id);
    expect((await editorFetch(server, admin, "GET", `/api/editor/submissions/${invTip.id}/envelope`)).status).toBe(200);
    expect((await editorFetch(server, admin, "GET", `/api/editor/attachments/${invTip.attachment}`)).status).toBe(200);
    expect((await editorFetch(server, admin, "GET", `/api/editor/notes/${invNote}`)).status).toBe(200);
    const ciphertext = toBase64(await sealBytes(new Uint8Array([1]), [admin.recipient]));
    expect((await editorFetch(server, admin, "POST", "/api/editor/replies", { mailbox: "ab".repeat(16), credentialHash: "cd".repeat(32), ciphertext, desk: "inv" })).status).toBe(201);
  });

  it("cannot post a reply or note without its desk, which every editor would be listed", async () => {
    const ciphertext = toBase64(await sealBytes(new Uint8Array([1]), [admin.recipient]));
    await expectError(await editorFetch(server, admin, "POST", "/api/editor/notes", { ciphertext }), 409, "roster_required");
    await expectError(await editorFetch(server, admin, "POST", "/api/editor/replies", { mailbox: "ab".repeat(16), credentialHash: "cd".repeat(32), ciphertext }), 409, "roster_required");
  });

  it("changes the roster; the legacy editor routes then refuse with roster_required", async () => {
    await append([await signAs(admin, { type: "rename-desk", desk: "inv", names: { en: "Investigations", ko: "탐사" } })]);
    const newsroom = (await (await fetch(`${server.url}/api/newsroom`)).json()) as NewsroomResponse;
    expect(newsroom.desks[1]!.names?.ko).toBe("탐사");
    await expectError(await editorFetch(server, admin, "POST", "/api/editor/editors", (await makeEditor()).publicKeys), 409, "roster_required");
  });

  it("cannot revoke the last admin", async () => {
    await expectError(await postEntries(admin, [await signAs(admin, { type: "revoke-editor", editor: admin.id, compromised: false })]), 409, "last_admin");
    await expectError(await postEntries(admin, [await signAs(admin, { type: "set-role", editor: admin.id, role: "editor" })]), 409, "last_admin");
  });

  it("deletes an inv tip; a revoked editor is locked out", async () => {
    expect((await editorFetch(server, admin, "DELETE", `/api/editor/submissions/${invTip.id}`)).status).toBe(200);
    await append([await signAs(admin, { type: "revoke-editor", editor: news.id, compromised: false })]);
    await expectError(await editorFetch(server, news, "GET", "/api/editor/submissions"), 403, "forbidden");
    const newsroom = (await (await fetch(`${server.url}/api/newsroom`)).json()) as NewsroomResponse;
    expect(newsroom.desks[0]!.recipients).toEqual([admin.recipient]);
    expect(newsroom.roster?.fingerprint).toBe(rootFingerprint(root));
    expect(newsroom.fingerprint).toBe(rootFingerprint(root));
  });
});
