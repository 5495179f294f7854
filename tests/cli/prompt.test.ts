// The passphrase prompt on a real terminal (a pseudo-terminal from Python's pty module): nothing typed
// is echoed, and the passphrase typed there unlocks the key.
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, tempDir } from "./helpers.js";

const hasPython = spawnSync("python3", ["-c", "import pty"]).status === 0;

// Runs the CLI on a pty, typing each line after the next prompt (a line ending in ": ") appears.
const DRIVER = `
import json, os, pty, sys, time
args, lines = json.loads(sys.argv[1]), json.loads(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(args[0], args)
out = b""
def read_some():
    global out
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        return False
    out += chunk
    return bool(chunk)
for line in lines:
    deadline = time.time() + 60
    while not out.rstrip(b" ").endswith(b":") and time.time() < deadline:
        if not read_some(): break
    os.write(fd, line.encode() + b"\\r")
    out += b"<typed>"
while read_some(): pass
_, status = os.waitpid(pid, 0)
print(json.dumps({"output": out.decode(errors="replace"), "code": os.waitstatus_to_exitcode(status)}))
`;

function onTerminal(args: string[], lines: string[], cwd: string): { output: string; code: number } {
  const env = { ...process.env, SEALDROP_KDF: "interactive", SEALDROP_PASSPHRASE: "" };
  const stdout = execFileSync("python3", ["-c", DRIVER, JSON.stringify([process.execPath, BIN, ...args]), JSON.stringify(lines)], { cwd, env, timeout: 120_000 });
  return JSON.parse(stdout.toString()) as { output: string; code: number };
}

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
