// A newsroom born with a roster: POST /api/setup with a root-signed genesis (what `sealdrop init` will
// send), over real HTTP on a Node server with a real SQLite file.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ed25519 } from "@noble/curves/ed25519.js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { toBase64Url } from "../../src/core/bytes.js";
import { genesisEntryBody, nobleSigner, type RosterEntry, signRosterEntry, verifyRoster } from "../../src/core/roster.js";
import type { NewsroomResponse, RosterResponse } from "../../src/core/wire.js";
import { type RunningServer, startNodeServer } from "../../src/server/node/serve.js";
import { makeEditor, type TestEditor } from "../helpers/newsroom.js";
import { editorFetch } from "../helpers/server.js";

const token = "setup-token-for-roster-test";
let dataDir: string;
let server: RunningServer;
let admin: TestEditor;
let genesis: RosterEntry;
const rootSeed = ed25519.utils.randomSecretKey();
const root = toBase64Url(ed25519.getPublicKey(rootSeed));

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "sealdrop-roster-setup-"));
  server = await startNodeServer({ dataDir, port: 0, host: "127.0.0.1", setupToken: token });
  admin = await makeEditor({ name: "Founder", desks: ["news"] });
  const spec = { id: admin.id, name: "Founder", ageRecipient: admin.recipient, signPublicKey: admin.publicKeys.signPublicKey, role: "admin" as const, desks: ["news"] };
  genesis = await signRosterEntry(genesisEntryBody(root, { en: "Fresh Desk" }, [{ id: "news", names: { en: "News", ko: "뉴스" } }], spec), nobleSigner(rootSeed));
});
afterAll(async () => {
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const setup = (body: unknown) => fetch(`${server.url}/api/setup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

it("refuses a genesis the root did not sign, and creates nothing", async () => {
  const forged = { ...genesis, signature: toBase64Url(ed25519.sign(new Uint8Array([1]), rootSeed)) };
  const res = await setup({ token, roster: { entries: [forged] } });
  expect(res.status).toBe(403);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe("roster_bad_signature");
  expect((await fetch(`${server.url}/api/newsroom`)).status).toBe(404);
});

it("creates the newsroom from the genesis: the roster, the answer and the founder's rights", async () => {
  expect((await setup({ token, roster: { entries: [genesis] } })).status).toBe(201);
  const served = (await (await fetch(`${server.url}/api/roster`)).json()) as RosterResponse;
  expect(verifyRoster(root, served.entries).ok).toBe(true);
  const newsroom = (await (await fetch(`${server.url}/api/newsroom`)).json()) as NewsroomResponse;
  expect(newsroom.name).toBe("Fresh Desk");
  expect(newsroom.desks).toEqual([{ id: "news", name: "News", names: { en: "News", ko: "뉴스" }, recipients: [admin.recipient] }]);
  expect((await editorFetch(server, admin, "GET", "/api/editor/submissions")).status).toBe(200);
  const again = await setup({ token, roster: { entries: [genesis] } });
  expect(again.status).toBe(409);
  expect(((await again.json()) as { error: { code: string } }).error.code).toBe("already_initialized");
});
