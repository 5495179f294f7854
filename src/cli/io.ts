// Where a command reads its environment and writes its output. Commands never touch `process` directly,
// so tests can run them in-process and capture what they print.
export interface Io {
  /** Results: what a script would parse. */
  out(text: string): void;
  /** Progress, warnings and errors: what a person reads. */
  err(text: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Whether a person is at a terminal that can be prompted (stdin and stderr are TTYs). */
  interactive: boolean;
}

export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
    env: process.env,
    cwd: process.cwd(),
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
  };
}
