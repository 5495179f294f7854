// The command line itself: help everywhere, usage errors with exit code 2, failures without stack traces.
import { type AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, runInProcess, tempDir } from "./helpers.js";

/** A port nothing listens on: bound once, then released. */
function closedPort(): Promise<number> {
  const server = createServer();
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo;
    server.close(() => resolve(port));
  }));
}

const COMMANDS = ["init", "serve", "fingerprint", "editor", "pull", "list", "read", "sources", "source", "reply", "note", "notes", "delete", "export", "import", "identity"];

describe("sealdrop command line", () => {
  it.each(COMMANDS)("%s --help prints usage and exits 0", async (command) => {
    const result = await runInProcess([command, "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: sealdrop ${command}`));
  });

  it.each([["editor", "add"], ["editor", "list"], ["editor", "revoke"], ["identity", "export"]])("%s %s --help prints usage", async (a, b) => {
    const result = await runInProcess([a, b, "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: /);
  });

  it("lists the commands with --help, and exits 2 with none", async () => {
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    for (const c of COMMANDS) expect(help.stdout).toContain(`  ${c} `);
    expect((await runCli([])).code).toBe(2);
  });

  it.each([
    [["frobnicate"], /unknown command "frobnicate"/],
    [["list", "--bogus"], /Unknown option '--bogus'.*\n.*sealdrop list --help/],
    [["read"], /sealdrop read: missing argument/],
    [["read", "a", "b"], /unexpected argument "b"/],
    [["init", "--desk", "news", "--editor-name", "A", "--data", "d"], /--name is required/],
    [["init", "--name", "N", "--desk", "news", "--editor-name", "A"], /either --data DIR or --server URL/],
    [["serve", "--port", "http"], /invalid port/],
    [["serve", "--database", "mysql://db/sealdrop"], /--database takes a postgres:\/\/ or postgresql:\/\/ URL/],
    [["serve", "--database", "postgres://db/sealdrop", "--demo"], /--demo sets up a local SQLite newsroom/],
    [["serve", "--restamp-minutes", "0"], /--restamp-minutes takes a whole number of minutes from 1 to 1440/],
    [["serve", "--restamp-minutes", "1.5"], /--restamp-minutes takes a whole number/],
    [["source"], /sealdrop source: missing argument/],
    [["reply"], /sealdrop reply: missing argument/],
    [["export"], /--out is required/],
    [["identity", "export"], /--age/],
  ])("%j is a usage error (exit 2)", async (args, message) => {
    const result = await runInProcess(args, { cwd: await tempDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("a missing key file is an error that says what to do, with no stack trace", async () => {
    const home = join(await tempDir(), "nobody");
    const result = await runCli(["list", "--home", home]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`sealdrop: no editor key at ${join(home, "editor.key")}: run \`sealdrop init\`, or pass --home or set SEALDROP_HOME\n`);
  });

  it("an unreachable server is an error naming the server", async () => {
    const dir = await tempDir();
    const home = join(dir, "home");
    const url = `http://127.0.0.1:${await closedPort()}`;
    expect((await runInProcess(["init", "--name", "N", "--desk", "news", "--editor-name", "A", "--home", home, "--data", join(dir, "data"), "--server-url", url])).code).toBe(0);
    const result = await runInProcess(["pull", "--home", home]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`sealdrop: cannot reach the server at ${url}: ECONNREFUSED\n`);
  });

  it("init refuses a second newsroom in the same database and leaves no stray key", async () => {
    const dir = await tempDir();
    const args = (home: string) => ["init", "--name", "N", "--desk", "news", "--editor-name", "A", "--home", join(dir, home), "--data", join(dir, "data")];
    expect((await runInProcess(args("first"))).code).toBe(0);
    const second = await runInProcess(args("second"));
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/already has a newsroom/);
    const again = await runInProcess(["list", "--home", join(dir, "second")]);
    expect(again.stderr).toMatch(/no editor key/);
  });

  it("a new passphrase must be long enough", async () => {
    const dir = await tempDir();
    const result = await runInProcess(["init", "--name", "N", "--desk", "news", "--editor-name", "A", "--home", join(dir, "h"), "--data", join(dir, "d")], { env: { SEALDROP_PASSPHRASE: "short" } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/too short/);
  });
});
