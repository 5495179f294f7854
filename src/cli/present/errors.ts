// How a failed command reads on stderr: its message, and for a refusal the server's code. Messages often
// quote the server (an error body, a name) or a file, so the whole text is made terminal-safe.
import { ApiError } from "../../core/api-error.js";
import { CliError } from "../errors.js";
import { terminalSafe } from "../text.js";

export interface ErrorReport {
  text: string;
  exitCode: number;
  /** Only for bugs: the stack, shown when SEALDROP_DEBUG is set. */
  stack?: string;
}

export function errorReport(e: unknown): ErrorReport {
  if (e instanceof CliError) return { text: `sealdrop: ${terminalSafe(e.message)}${e.code ? ` (${e.code})` : ""}`, exitCode: e.exitCode };
  if (e instanceof ApiError) {
    const text = e.code === "bad_response" ? `sealdrop: ${e.message}` : `sealdrop: the server refused: ${e.message} (${e.code})`;
    return { text: terminalSafe(text), exitCode: 1 };
  }
  return { text: `sealdrop: unexpected error: ${terminalSafe((e as Error)?.message ?? String(e))}`, exitCode: 1, stack: terminalSafe(String((e as Error)?.stack)) };
}
