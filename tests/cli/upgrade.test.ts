// `sealdrop roster upgrade`: a newsroom made before rosters (editors and desks, no root) gets a root key and a
// roster in one command run by one of its editors, against the real server; tips sealed before stay readable,
// every other editor keeps their key and desks, and pins the new root by its fingerprint.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ed25519 } from "@noble/curves/ed25519.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { concatBytes } from "../../src/core/bytes.js";
import { kdfLimits, sealKeyFile, serializeKeyFile } from "../../src/cli/keyfile.js";
import { makeEditor, type TestEditor } from "../helpers/newsroom.js";
import { editorFetch, startTestServer, type TestServer } from "../helpers/server.js";
import { submitTip } from "../helpers/source.js";
import { PASSPHRASE, runCli, tempDir } from "./helpers.js";

let server: TestServer;
let bob: TestEditor;
let tipId: string;
let homeA: string;
let homeB: string;

/** An editor home holding a test editor's keys, as the older `sealdrop init` or `editor add` made it. */
async function homeFor(editor: TestEditor, dir: string): Promise<void> {
  const signSecretKey = concatBytes(editor.signSecret, ed25519.getPublicKey(editor.signSecret));
  const header = { editorId: editor.id, name: editor.publicKeys.name, server: server.url, newsroom: "Test Newsroom" };
  const secrets = { ageIdentity: editor.identity, signSecretKey, signPublicKey: editor.publicKeys.signPublicKey };
  const file = await sealKeyFile(header, secrets, PASSPHRASE, await kdfLimits({ SEALDROP_KDF: "interactive" }));
  const { mkdir } = await import("node:fs/promises");
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "editor.key"), serializeKeyFile(file), { mode: 0o600 });
}

beforeAll(async () => {
  server = await startTestServer();
  bob = await makeEditor({ desks: ["news"], name: "Bob" });
  const added = await editorFetch(server, server.editor, "POST", "/api/editor/editors", bob.publicKeys);
  expect(added.status).toBe(201);
  tipId = (await submitTip(server.url, "Sent before the newsroom had a roster")).id;
  const dir = await tempDir();
  homeA = join(dir, "first");
  homeB = join(dir, "bob");
  await homeFor(server.editor, homeA);
  await homeFor(bob, homeB);
}, 60_000);

afterAll(async () => {
  await server?.dispose();
});

describe("sealdrop roster upgrade", () => {
  let fingerprint: string;

  it("a newsroom without a roster shows its older key-list fingerprint", async () => {
    const shown = JSON.parse((await runCli(["fingerprint", "--home", homeA, "--json"])).stdout) as { kind: string };
    expect(shown.kind).toBe("keys");
  });

  it("gives the newsroom a root and a roster naming every editor with their desks", async () => {
    const result = await runCli(["roster", "upgrade", "--home", homeA, "--json"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const upgraded = JSON.parse(result.stdout) as { fingerprint: string; entries: number; editors: { id: string; role: string; desks: string[] }[] };
    fingerprint = upgraded.fingerprint;
    expect(upgraded.entries).toBe(2);
    expect(upgraded.editors).toEqual([
      { id: server.editor.id, name: "Test Editor", role: "admin", desks: ["news", "investigations"] },
      { id: bob.id, name: "Bob", role: "editor", desks: ["news"] },
    ]);
    const roster = (await (await fetch(`${server.url}/api/roster`)).json()) as { entries: unknown[] };
    expect(roster.entries).toHaveLength(2);
    const shown = JSON.parse((await runCli(["fingerprint", "--home", homeA, "--json"])).stdout) as { kind: string; fingerprint: string; pinned: boolean };
    expect(shown).toMatchObject({ kind: "root", fingerprint, pinned: true });
  });

  it("tips sealed before the upgrade stay readable", async () => {
    expect((await runCli(["pull", "--home", homeA])).code).toBe(0);
    const rows = JSON.parse((await runCli(["list", "--home", homeA, "--json"])).stdout) as { id: string; firstLine: string }[];
    expect(rows).toEqual([expect.objectContaining({ id: tipId, firstLine: "Sent before the newsroom had a roster" })]);
  });

  it("another editor's home must pin the new root before it talks to the server, then works as before", async () => {
    const unpinned = await runCli(["pull", "--home", homeB]);
    expect(unpinned.code).toBe(1);
    expect(unpinned.stderr).toMatch(/has not pinned the newsroom's root key yet.*\(roster_not_pinned\)/);
    const pinned = await runCli(["roster", "pin", "--fingerprint", fingerprint, "--home", homeB]);
    expect(pinned.code).toBe(0);
    expect(pinned.stdout).toMatch(/added Bob \[[0-9a-f]{8}\] as an editor on desk news/);
    expect((await runCli(["pull", "--home", homeB])).code).toBe(0);
    const rows = JSON.parse((await runCli(["list", "--home", homeB, "--json"])).stdout) as { id: string }[];
    expect(rows.map((r) => r.id)).toEqual([tipId]);
  });

  it("runs once: a second upgrade is refused", async () => {
    const again = await runCli(["roster", "upgrade", "--home", homeA]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/\(roster_exists\)/);
  });
});
