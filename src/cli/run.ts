// The `sealdrop` command line: dispatches to one module per command, and turns expected failures into a
// message on stderr and an exit code, never a stack trace. A command parses its argv, calls a service
// (src/cli/services/) and prints what it returns through a view (src/cli/present/).
import type { Io } from "./io.js";
import { warmKdfThread } from "./kdf-thread.js";
import { errorReport } from "./present/errors.js";

type Command = (argv: string[], io: Io) => Promise<void>;

// Each command's module is loaded only when it runs: the server and crypto libraries are slow to load.
const COMMANDS: Record<string, { load: () => Promise<Command>; summary: string }> = {
  init: { load: async () => (await import("./commands/init.js")).initCommand, summary: "create the newsroom: its root key, your editor key, its roster" },
  join: { load: async () => (await import("./commands/join.js")).joinCommand, summary: "join a newsroom: pin its fingerprint, make your key and a join request" },
  serve: { load: async () => (await import("./commands/serve.js")).serveCommand, summary: "run the sealdrop server (--demo to try it out)" },
  backup: { load: async () => (await import("./commands/backup.js")).backupCommand, summary: "copy a running server's rows and files to one backup file" },
  restore: { load: async () => (await import("./commands/backup.js")).restoreCommand, summary: "restore a backup into an empty data directory / database" },
  fingerprint: { load: async () => (await import("./commands/fingerprint.js")).fingerprintCommand, summary: "show and check the newsroom fingerprint" },
  roster: { load: async () => (await import("./commands/roster.js")).rosterCommand, summary: "show the verified roster's history; pin it; upgrade an old newsroom" },
  editor: { load: async () => (await import("./commands/editor.js")).editorCommand, summary: "approve, list, revoke or rotate editors; set roles and desks" },
  desk: { load: async () => (await import("./commands/desk.js")).deskCommand, summary: "add or rename desks (names in en, ko, zh)" },
  root: { load: async () => (await import("./commands/root.js")).rootCommand, summary: "export the newsroom root key for offline keeping" },
  pull: { load: async () => (await import("./commands/pull.js")).pullCommand, summary: "download new submissions (ciphertext) into your vault" },
  list: { load: async () => (await import("./commands/list.js")).listCommand, summary: "list the submissions in your vault" },
  read: { load: async () => (await import("./commands/read.js")).readCommand, summary: "show a submission and save its attachments" },
  sources: { load: async () => (await import("./commands/sources.js")).sourcesCommand, summary: "list the desk's sources by pseudonym, with grades and tags" },
  source: { load: async () => (await import("./commands/sources.js")).sourceCommand, summary: "show one source's timeline: submissions, replies, notes" },
  inbox: { load: async () => (await import("./commands/inbox.js")).inboxCommand, summary: "open the desk's inbox: a local web page over your vault" },
  reply: { load: async () => (await import("./commands/reply.js")).replyCommand, summary: "send a reply to a source who kept a codename" },
  note: { load: async () => (await import("./commands/note.js")).noteCommand, summary: "add a desk note: tags, grades, text, links" },
  notes: { load: async () => (await import("./commands/note.js")).notesCommand, summary: "list the desk's notes" },
  triage: { load: async () => (await import("./commands/triage.js")).triageCommand, summary: "star, set status, assign, mark read: shared with the desk" },
  delete: { load: async () => (await import("./commands/delete.js")).deleteCommand, summary: "delete a submission, reply, note or a whole source from the server" },
  export: { load: async () => (await import("./commands/bundle.js")).exportCommand, summary: "write the vault's ciphertext to a bundle file" },
  import: { load: async () => (await import("./commands/bundle.js")).importCommand, summary: "load a bundle into your vault" },
  home: { load: async () => (await import("./commands/home.js")).homeCommand, summary: "split your home: an online half that signs, a reading half that alone decrypts" },
  release: { load: async () => (await import("./commands/release.js")).releaseCommand, summary: "sign the source page's build as the newsroom's release" },
  verify: { load: async () => (await import("./commands/verify.js")).verifyCommand, summary: "check that a tip line serves the page its newsroom signed (for watchdogs)" },
  unlock: { load: async () => (await import("./commands/unlock.js")).unlockCommand, summary: "keep your key unlocked for a while (an agent), so commands do not ask" },
  lock: { load: async () => (await import("./commands/unlock.js")).lockCommand, summary: "end the unlock agent: the next command asks for the passphrase" },
  identity: { load: async () => (await import("./commands/identity.js")).identityCommand, summary: "export your age identity for the age tool" },
};

/** Commands that unlock the editor's key: its derivation's thread is started before the command loads (kdf-thread.ts). */
const UNLOCKING = new Set(["list", "sources", "source", "inbox", "read", "pull", "reply", "note", "notes", "triage", "delete", "export", "import", "identity", "unlock"]);

export const MAIN_HELP = `Usage: sealdrop COMMAND [options]

sealdrop is an anonymous, end-to-end encrypted tip line. This command is the editors' side.

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(13)}${c.summary}`)
  .join("\n")}

Run \`sealdrop COMMAND --help\` for a command's options.
Environment: SEALDROP_HOME (editor home, default ~/.sealdrop), SEALDROP_PASSPHRASE.
`;

/** Runs one command line; returns the process exit code. */
export async function run(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === "help" || name === "--help" || name === "-h") {
      io.out(MAIN_HELP);
      return name === undefined ? 2 : 0;
    }
    const command = COMMANDS[name];
    if (!command) {
      io.err(`sealdrop: unknown command ${JSON.stringify(name)}\nRun \`sealdrop --help\` for the list of commands.`);
      return 2;
    }
    if (UNLOCKING.has(name) && !rest.includes("--help") && !rest.includes("-h")) warmKdfThread();
    await (await command.load())(rest, io);
    return 0;
  } catch (e) {
    const report = errorReport(e);
    io.err(report.text);
    if (report.stack !== undefined && io.env.SEALDROP_DEBUG) io.err(report.stack);
    return report.exitCode;
  }
}
