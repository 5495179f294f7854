// `sealdrop … | head`: when the reader of its output goes away, the command ends quietly with its own
// exit code instead of dying on EPIPE with a stack trace (issue 15's CLI fixes).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../../bin/sealdrop.js", import.meta.url));

/** Runs the real command with its stdout's reading end closed before the command can write a byte. */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.destroy();
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  return new Promise((resolve) => child.once("close", (code, signal) => resolve({ code, signal, stderr })));
}

describe("output into a closed pipe", () => {
  it("exits with the command's own code and prints no EPIPE error", async () => {
    const help = await runWithClosedStdout(["--help"]);
    expect(help).toEqual({ code: 0, signal: null, stderr: "" });
    const usage = await runWithClosedStdout(["list", "--help"]);
    expect(usage).toEqual({ code: 0, signal: null, stderr: "" });
  });

  it("still reports errors on stderr when only stdout is closed", async () => {
    const result = await runWithClosedStdout(["frobnicate"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command "frobnicate"/);
    expect(result.stderr).not.toMatch(/EPIPE|at .*\.js:\d+/);
  });
});
