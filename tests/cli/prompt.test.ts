// The passphrase prompt on a real terminal (a pseudo-terminal from Python's pty module): nothing typed
// is echoed, and the passphrase typed there unlocks the key.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "./helpers.js";
import { hasPython, onTerminal } from "./terminal.js";

describe("passphrase prompt", () => {
  it("has python3 with pty to drive a real terminal", () => expect(hasPython).toBe(true));

  it("asks twice for a new passphrase without echoing it, then unlocks with it", async () => {
    const dir = await tempDir();
    const secret = "typed on the terminal 42";
    const rootSecret = "the root's own passphrase 7";
    // On a terminal, init asks for the editor key's passphrase and then, apart, for the newsroom root key's.
    const init = onTerminal(["init", "--name", "N", "--desk", "news", "--editor-name", "A", "--home", "h", "--data", "d"], [secret, secret, rootSecret, rootSecret], dir);
    expect(init.code).toBe(0);
    expect(init.output).toMatch(/New passphrase for .*editor\.key: <typed>\s*Repeat it: <typed>/);
    expect(init.output).toMatch(/New passphrase for the newsroom root key[^:]*: <typed>\s*Repeat it: <typed>/);
    expect(init.output).not.toContain(secret);
    expect(init.output).not.toContain(rootSecret);

    const list = onTerminal(["list", "--home", "h"], [secret], dir);
    expect(list.code).toBe(0);
    expect(list.output).toContain("The vault is empty");
    expect(list.output).not.toContain(secret);
  });

  it("refuses when the repeated passphrase differs", async () => {
    const dir = await tempDir();
    const result = onTerminal(["init", "--name", "N", "--desk", "news", "--editor-name", "A", "--home", join(dir, "h"), "--data", join(dir, "d")], ["first passphrase 1", "second passphrase 2"], dir);
    expect(result.code).toBe(1);
    expect(result.output).toContain("sealdrop: the passphrases do not match");
  });
});
