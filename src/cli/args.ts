// Option parsing for every command: node:util parseArgs in strict mode, with its errors turned into usage
// errors (exit code 2) that name the command's --help.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./errors.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Options every command that reads an editor home accepts. */
export const HOME_OPTIONS = {
  home: { type: "string" },
  "passphrase-file": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies Options;

export function parseCommand<O extends Options>(command: string, argv: string[], options: O, positionals: { min: number; max: number } = { min: 0, max: 0 }) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split("\n")[0]}\nRun \`sealdrop ${command} --help\` for usage.`);
  }
  const help = (parsed.values as { help?: boolean }).help === true;
  if (!help) {
    const n = parsed.positionals.length;
    if (n < positionals.min) throw new UsageError(`sealdrop ${command}: missing argument\nRun \`sealdrop ${command} --help\` for usage.`);
    if (n > positionals.max) throw new UsageError(`sealdrop ${command}: unexpected argument ${JSON.stringify(parsed.positionals[positionals.max])}\nRun \`sealdrop ${command} --help\` for usage.`);
  }
  return { values: parsed.values, positionals: parsed.positionals, help };
}

export function requireOption(command: string, name: string, value: string | undefined): string {
  if (value === undefined || value === "") throw new UsageError(`sealdrop ${command}: --${name} is required\nRun \`sealdrop ${command} --help\` for usage.`);
  return value;
}

/** Parses a TCP port, allowing 0 (any free port). */
export function parsePort(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new UsageError(`invalid port ${JSON.stringify(text)}`);
  return n;
}
