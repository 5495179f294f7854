// Invariant 4 (docs/INVARIANTS.md): newsroom private keys never touch the server. An editor sets up a
// newsroom on a running server and on a data directory; neither the server's files nor what the setup
// request carried holds the editor's age identity.
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startNodeServer, type RunningServer } from "../../src/server/node/serve.js";
import { filesUnder } from "../helpers/deployment.js";
import { runCli, tempDir } from "../cli/helpers.js";

const TOKEN = "setup-token-for-the-private-key-test";
const servers: RunningServer[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** The editor's age identity, exported from the key file the CLI keeps in the editor's home. */
async function exportedIdentity(dir: string, home: string): Promise<string> {
  const out = join(dir, "identity.txt");
  const exported = await runCli(["identity", "export", "--age", "--out", out, "--home", home]);
  expect(exported.code).toBe(0);
  const identity = (await readFile(out, "utf8")).split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-"));
  expect(identity).toBeDefined();
  return identity!;
}

/** No file under `dataDir` holds the identity or any age secret key, in either case. */
async function expectNoSecretKeys(dataDir: string, identity: string): Promise<void> {
  const files = await filesUnder(dataDir);
  expect(files.length).toBeGreaterThan(0);
  for (const { where, bytes } of files) {
    for (const needle of [identity, identity.toLowerCase(), "AGE-SECRET-KEY-", "age-secret-key-"]) expect(bytes.includes(needle), `${needle.slice(0, 20)}… in ${where}`).toBe(false);
  }
}

describe("newsroom private keys", () => {
  it("stay in the editor's home when init sets up a running server", async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const dataDir = join(dir, "server-data");
    const server = await startNodeServer({ dataDir, port: 0, host: "127.0.0.1", setupToken: TOKEN });
    servers.push(server);
    const home = join(dir, "home");
    const init = await runCli(["init", "--name", "N", "--desk", "news", "--editor-name", "Alice", "--classic", "--home", home, "--server", server.url, "--setup-token", TOKEN]);
    expect(init.code).toBe(0);
    await expectNoSecretKeys(dataDir, await exportedIdentity(dir, home));
  });

  it("stay in the editor's home when init writes the server's data directory itself", async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const dataDir = join(dir, "data");
    const home = join(dir, "home");
    const init = await runCli(["init", "--name", "N", "--desk", "news", "--editor-name", "Alice", "--classic", "--home", home, "--data", dataDir]);
    expect(init.code).toBe(0);
    await expectNoSecretKeys(dataDir, await exportedIdentity(dir, home));
  });
});
