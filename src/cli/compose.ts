// Writing a longer text in the editor's own text editor ($VISUAL, else $EDITOR), as git does: on a file in
// a fresh private folder inside the editor home (mode 0700, the file 0600), never in a shared /tmp, read
// back and then overwritten and removed. Nothing of it lands in shell history, as `--message` would.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, open, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CliError, UsageError } from "./errors.js";
import type { EditorHome } from "./home.js";
import type { Io } from "./io.js";

/** Overwrites a file with zeros and removes it: best effort against what a journal or an SSD may keep. */
async function shred(file: string): Promise<void> {
  try {
    const { size } = await stat(file);
    const handle = await open(file, "r+");
    try {
      await handle.write(new Uint8Array(size), 0, size, 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Gone already, or not writable: removing it is all that is left.
  }
  await rm(file, { force: true });
}

/** Runs the editor's `$VISUAL`/`$EDITOR` (a shell command, like git) on an empty private file and returns what was saved. */
export async function composeInEditor(io: Io, home: EditorHome, what: string): Promise<string> {
  const editor = (io.env.VISUAL ?? "").trim() || (io.env.EDITOR ?? "").trim();
  if (editor === "") throw new UsageError(`give the ${what} with --message or --message-file (FILE, or - for standard input), or set $VISUAL or $EDITOR to write it in an editor`);
  await mkdir(home.dir, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(home.dir, ".compose-"));
  const file = join(dir, `${what}.txt`);
  try {
    await writeFile(file, "", { mode: 0o600 });
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn("/bin/sh", ["-c", `${editor} "$1"`, "sh", file], { stdio: "inherit", env: io.env as NodeJS.ProcessEnv });
      child.once("error", reject);
      child.once("exit", (c, signal) => resolve(c ?? (signal ? 128 : 1)));
    }).catch((e: Error) => {
      throw new CliError(`cannot run the editor ${JSON.stringify(editor)}: ${e.message}`, 1, "editor_failed");
    });
    if (code !== 0) throw new CliError(`the editor ${JSON.stringify(editor)} exited with code ${code}; nothing was sent`, 1, "editor_failed");
    // Editors end a file with a newline; the text ends where the writer stopped.
    return (await readFile(file, "utf8")).replace(/\s+$/u, "");
  } finally {
    await shred(file);
    await rm(dir, { recursive: true, force: true });
  }
}
