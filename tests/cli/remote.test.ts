// Talking to servers over HTTP: setting up a newsroom remotely, revoking an editor, and catching a server
// whose published fingerprint does not match the keys it hands out.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningServer, startNodeServer } from "../../src/server/node/serve.js";
import { fetchNewsroom } from "../helpers/source.js";
import { runCli, runInProcess, tempDir } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function server(setupToken?: string): Promise<RunningServer> {
  const s = await startNodeServer({ dataDir: join(await tempDir(), "data"), port: 0, host: "127.0.0.1", ...(setupToken ? { setupToken } : {}) });
  cleanups.push(() => s.close());
  return s;
}

/** A plain HTTP server that answers every request with `body`: a server that lies. */
async function fakeServer(body: unknown): Promise<string> {
  const s: Server = createServer((_, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((done) => s.listen(0, "127.0.0.1", done));
  cleanups.push(() => new Promise((done) => s.close(() => done())));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

const TOKEN = "a-setup-token-of-enough-length";

describe("remote set-up and editor management", () => {
  it("init --server creates the newsroom with the setup token and stores the server in the key", async () => {
    const s = await server(TOKEN);
    const home = join(await tempDir(), "home");
    const result = await runCli(["init", "--name", "Remote News", "--desk", "news", "--editor-name", "Alice", "--home", home, "--server", s.url, "--setup-token", TOKEN, "--json"]);
    expect(result.code).toBe(0);
    const created = JSON.parse(result.stdout);
    const newsroom = await fetchNewsroom(s.url);
    expect(newsroom.name).toBe("Remote News");
    // With a roster, the fingerprint the server publishes is its root's (the key-list one stays for older pages).
    expect(created).toMatchObject({ server: s.url, fingerprint: newsroom.roster?.fingerprint, ageRecipient: newsroom.desks[0]!.recipients[0] });
    // No --server needed afterwards: the key remembers it.
    expect(JSON.parse((await runInProcess(["editor", "list", "--home", home, "--json"])).stdout).name).toBe("Remote News");
  });

  it("init --server with a wrong token is refused and leaves no key behind", async () => {
    const s = await server(TOKEN);
    const home = join(await tempDir(), "home");
    const result = await runInProcess(["init", "--name", "N", "--desk", "news", "--editor-name", "A", "--home", home, "--server", s.url, "--setup-token", "not-the-right-token-at-all"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the server refused: .*setup token is wrong.* \(forbidden\)/);
    expect((await runInProcess(["list", "--home", home])).stderr).toMatch(/no editor key/);
  });

  it("editor revoke removes a colleague's key from what sources encrypt to", async () => {
    const s = await server(TOKEN);
    const dir = await tempDir();
    const home = join(dir, "alice");
    expect((await runInProcess(["init", "--name", "N", "--desk", "news", "--editor-name", "Alice", "--home", home, "--server", s.url, "--setup-token", TOKEN])).code).toBe(0);
    const env = { SEALDROP_NEW_PASSPHRASE: "bobs own long passphrase" };
    expect((await runInProcess(["editor", "add", "--home", home, "--name", "Bob", "--desk", "news", "--out-home", join(dir, "bob")], { env })).code).toBe(0);
    const listed = JSON.parse((await runInProcess(["editor", "list", "--home", home, "--json"])).stdout) as { editors: { id: string; name: string }[] };
    const bob = listed.editors.find((e) => e.name === "Bob")!;
    expect((await fetchNewsroom(s.url)).desks[0]!.recipients).toHaveLength(2);

    const revoked = await runCli(["editor", "revoke", bob.id, "--home", home]);
    expect(revoked.code).toBe(0);
    expect((await fetchNewsroom(s.url)).desks[0]!.recipients).toHaveLength(1);
    const bobPulls = await runInProcess(["pull", "--home", join(dir, "bob")], { env: { SEALDROP_PASSPHRASE: env.SEALDROP_NEW_PASSPHRASE } });
    expect(bobPulls.code).toBe(1);
    expect(bobPulls.stderr).toMatch(/the server refused: .*\((forbidden|unauthorized)\)/);
  });

  it("fingerprint fails when the published fingerprint does not match the published keys", async () => {
    const url = await fakeServer({
      name: "Liar News",
      fingerprint: "0000 0000 0000 0000 0000 0000 0000 0000 0000 0000",
      desks: [{ id: "news", name: "News", recipients: ["age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq"] }],
      limits: { maxEnvelopeBytes: 1, maxPartBytes: 1, maxAttachmentBytes: 1 },
    });
    const result = await runInProcess(["fingerprint", "--server", url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/does not match its keys .*do not trust this server/);
  });

  it("an answer that is not the API's shape is reported, not trusted", async () => {
    const url = await fakeServer({ hello: "world" });
    const result = await runInProcess(["fingerprint", "--server", url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unexpected answer to GET \/api\/newsroom/);
  });
});
