// Where passphrases come from: an environment variable, a file, or a prompt on the terminal without echo.
// Never from a command-line argument, which other users of the machine can read in the process list.
import { readFile } from "node:fs/promises";
import { CliError } from "./errors.js";
import type { EditorHome } from "./home.js";
import type { Io } from "./io.js";

export const MIN_PASSPHRASE_CHARS = 12;

export interface PassphraseSource {
  /** Environment variable to read first, e.g. SEALDROP_PASSPHRASE. */
  envVar: string;
  /** Path given with --passphrase-file (or --new-passphrase-file). */
  file?: string | undefined;
  /** Prompt text for the terminal. */
  prompt: string;
  /** A new passphrase: ask twice and enforce the minimum length. */
  isNew?: boolean;
}

/** Where an editor key's passphrase comes from, for every unlock (editor.ts) and the early one (unlock-early.ts) alike. */
export const editorPassphraseSource = (home: EditorHome, file: string | undefined): PassphraseSource => ({
  envVar: "SEALDROP_PASSPHRASE",
  file,
  prompt: `Passphrase for ${home.keyFile}`,
});

/** A passphrase obtained ahead of its use (unlock-early.ts), for the obtainPassphrase call with the same source. */
let early: { source: PassphraseSource; passphrase: Promise<string> } | null = null;

const sameSource = (a: PassphraseSource, b: PassphraseSource) => a.envVar === b.envVar && a.file === b.file && a.prompt === b.prompt && Boolean(a.isNew) === Boolean(b.isNew);

/**
 * Obtains the passphrase now and keeps it for the next obtainPassphrase call from the same source, so a
 * command can start deriving its key before it has loaded what it needs next. Asks at most once.
 */
export function obtainPassphraseEarly(io: Io, source: PassphraseSource): Promise<string> {
  const passphrase = readPassphrase(io, source);
  passphrase.catch(() => {}); // the command's own call reports it
  early = { source, passphrase };
  return passphrase;
}

export function obtainPassphrase(io: Io, source: PassphraseSource): Promise<string> {
  const kept = early;
  if (kept !== null && sameSource(kept.source, source)) {
    early = null;
    return kept.passphrase;
  }
  return readPassphrase(io, source);
}

async function readPassphrase(io: Io, source: PassphraseSource): Promise<string> {
  let passphrase: string;
  const fromEnv = io.env[source.envVar];
  if (source.file !== undefined) {
    try {
      passphrase = (await readFile(source.file, "utf8")).replace(/\r?\n$/, "");
    } catch (e) {
      throw new CliError(`cannot read passphrase file ${source.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  } else if (fromEnv !== undefined && fromEnv !== "") {
    passphrase = fromEnv;
  } else if (io.interactive) {
    passphrase = await promptHidden(`${source.prompt}: `);
    if (source.isNew && (await promptHidden("Repeat it: ")) !== passphrase) throw new CliError("the passphrases do not match");
  } else {
    const file = source.envVar === "SEALDROP_NEW_PASSPHRASE" ? "--new-passphrase-file" : "--passphrase-file";
    throw new CliError(`no passphrase: set ${source.envVar}, pass ${file}, or run in a terminal to be asked`);
  }
  if (passphrase.length === 0) throw new CliError("the passphrase is empty");
  if (source.isNew && [...passphrase].length < MIN_PASSPHRASE_CHARS) {
    throw new CliError(`the new passphrase is too short: use at least ${MIN_PASSPHRASE_CHARS} characters (several random words are best)`);
  }
  return passphrase;
}

/**
 * The root key's passphrase: --root-passphrase-file, else $SEALDROP_ROOT_PASSPHRASE, else asked at a
 * terminal. Without any of them and no terminal (a script), the editor key's passphrase (`fallback`)
 * protects the root key too; `sameAsEditor` tells the caller so it can say it.
 */
export async function obtainRootPassphrase(io: Io, options: { file?: string | undefined; isNew?: boolean; fallback: () => Promise<string> }): Promise<{ passphrase: string; sameAsEditor: boolean }> {
  const given = options.file !== undefined || Boolean(io.env.SEALDROP_ROOT_PASSPHRASE) || io.interactive;
  if (!given) return { passphrase: await options.fallback(), sameAsEditor: true };
  const passphrase = await obtainPassphrase(io, {
    envVar: "SEALDROP_ROOT_PASSPHRASE",
    file: options.file,
    prompt: options.isNew ? "New passphrase for the newsroom root key (keep it apart from your editor passphrase)" : "Passphrase for the newsroom root key",
    isNew: options.isNew,
  });
  return { passphrase, sameAsEditor: false };
}

/** Reads one line from the terminal with echo off. Ctrl-C aborts. */
const promptHidden = (prompt: string): Promise<string> => readTerminalLine(prompt, false);

/** Reads one line from the terminal, showing what is typed (a confirmation, never a secret). Ctrl-C aborts. */
export const promptLine = (prompt: string): Promise<string> => readTerminalLine(prompt, true);

function readTerminalLine(prompt: string, echo: boolean): Promise<string> {
  const stdin = process.stdin;
  // Echo goes off before the prompt appears, so nothing typed after it is ever shown.
  stdin.setRawMode(true);
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let input = "";
    const finish = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener("data", onData);
      process.stderr.write("\n");
      if (error) reject(error);
      else resolve(input);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") return finish();
        if (ch === "\u0003") return finish(new CliError("cancelled", 130));
        if (ch === "\u007f" || ch === "\b") {
          if (echo && input !== "") process.stderr.write("\b \b");
          input = [...input].slice(0, -1).join("");
        } else if (ch >= " ") {
          input += ch;
          if (echo) process.stderr.write(ch);
        }
      }
    };
    stdin.resume();
    stdin.on("data", onData);
  });
}
