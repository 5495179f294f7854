// Errors the CLI expects and explains: main prints their message (never a stack) and exits with the code.

/** A failure the user can act on: bad passphrase, missing file, server refusal. Exit code 1. */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode: number = 1,
    /** A stable code for scripts, where the failure has one (a roster refusal: src/core/roster-state.ts). */
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

/** The command line itself is wrong: unknown option, missing argument. Exit code 2. */
export class UsageError extends CliError {
  override name = "UsageError";
  constructor(message: string, code: string | null = null) {
    super(message, 2, code);
  }
}
