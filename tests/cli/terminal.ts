// Running the CLI on a real terminal (a pseudo-terminal from Python's pty module), typing each line after
// the next prompt (output ending in ":" once trailing spaces are dropped) appears.
import { execFileSync, spawnSync } from "node:child_process";
import { BIN } from "./helpers.js";

export const hasPython = spawnSync("python3", ["-c", "import pty"]).status === 0;

const DRIVER = `
import json, os, pty, select, signal, sys, time
args, lines = json.loads(sys.argv[1]), json.loads(sys.argv[2])
end = time.time() + float(sys.argv[3])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(args[0], args)
out = b""
def read_some():
    global out
    if not select.select([fd], [], [], max(0, end - time.time()))[0]:
        return False
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        return False
    out += chunk
    return bool(chunk)
for line in lines:
    while not out.rstrip(b" ").endswith(b":") and time.time() < end:
        if not read_some(): break
    os.write(fd, line.encode() + b"\\r")
    out += b"<typed>"
while read_some(): pass
if time.time() >= end:
    os.kill(pid, signal.SIGKILL)
    out += b"<timed out>"
_, status = os.waitpid(pid, 0)
print(json.dumps({"output": out.decode(errors="replace"), "code": os.waitstatus_to_exitcode(status)}))
`;

/**
 * Runs `sealdrop ...args` on a pty in `cwd`, typing `lines`; `env` adds to a fast-KDF, no-passphrase
 * environment. A run still going after four minutes (a machine far too busy, or a hang) is killed, and
 * its output so far ends in "<timed out>".
 */
export function onTerminal(args: string[], lines: string[], cwd: string, env: Record<string, string> = {}): { output: string; code: number } {
  const full = { ...process.env, SEALDROP_KDF: "interactive", SEALDROP_PASSPHRASE: "", ...env };
  const stdout = execFileSync("python3", ["-c", DRIVER, JSON.stringify([process.execPath, BIN, ...args]), JSON.stringify(lines), "240"], { cwd, env: full });
  return JSON.parse(stdout.toString()) as { output: string; code: number };
}
