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
  /** All of standard input, for `--message-file -`; absent where there is none to read. */
  readStdin?: () => Promise<Uint8Array>;
}

/**
 * A stream whose reader went away (`sealdrop list | head`) takes no more output: the command goes on to
 * the end quietly instead of dying on EPIPE with a stack trace. Other write errors still surface.
 */
function guardedWriter(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED") closed = true;
    else throw error;
  });
  return (text) => {
    if (closed || stream.destroyed) return;
    stream.write(text.endsWith("\n") ? text : `${text}\n`);
  };
}

export function processIo(): Io {
  return {
    out: guardedWriter(process.stdout),
    err: guardedWriter(process.stderr),
    env: process.env,
    cwd: process.cwd(),
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return new Uint8Array(Buffer.concat(chunks));
    },
  };
}

/** Resolves on the first SIGINT or SIGTERM (listening from now on, so a signal during start-up counts). */
export function stopSignal(): Promise<void> {
  return new Promise<void>((done) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      done();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
