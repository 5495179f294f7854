// `sealdrop unlock` and `sealdrop lock`: the opt-in unlock agent (src/cli/agent.ts), which keeps the key
// derived from the passphrase for a chosen time so that the commands run meanwhile neither ask nor derive.
import { agentStatus, lockAgent, MAX_AGENT_SECONDS, parseAgentDuration, startAgent } from "../agent.js";
import { HOME_OPTIONS, parseCommand } from "../args.js";
import { readKeyFile } from "../editor.js";
import { resolveHome } from "../home.js";
import type { Io } from "../io.js";
import { openSigningKey } from "../keyfile.js";
import { editorPassphraseSource, obtainPassphrase } from "../passphrase.js";
import { sealingKey } from "../passphrase-seal.js";

export const UNLOCK_HELP = `Usage: sealdrop unlock [--for DURATION] [--home DIR] [--passphrase-file FILE]
       sealdrop unlock --status [--home DIR]

Asks for your key's passphrase once and starts an agent that keeps the key it unlocks for DURATION
(default 30m, at most ${MAX_AGENT_SECONDS / 3600}h): meanwhile list, sources, inbox, read, reply and the other
commands on this home neither ask for the passphrase nor spend the time to derive it. Off unless you run it.

While it runs, any program running as your user can take your key from the agent, as with ssh-agent;
the key is never written to disk. Run \`sealdrop lock\` when you step away; on a shared or seized
machine do not use it (docs/THREAT-MODEL.md). Running it again replaces the agent and its time.

  --for DURATION          how long: 30m, 2h, or minutes as a bare number (90); 10s to ${MAX_AGENT_SECONDS / 3600}h
  --status                say whether the home is unlocked, and until when
  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
  --passphrase-file FILE  your key's passphrase (else $SEALDROP_PASSPHRASE, else asked)

With SEALDROP_AGENT=off in its environment, a command ignores a running agent and asks as usual.
`;

export const LOCK_HELP = `Usage: sealdrop lock [--home DIR]

Ends the home's unlock agent (\`sealdrop unlock\`), which forgets the key: the next command asks for the
passphrase again. Says so when no agent was running.

  --home DIR              editor home (default: $SEALDROP_HOME or ~/.sealdrop)
`;

/** A local clock time, HH:MM, for "unlocked until". */
const clock = (ms: number) => {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
};

const OPTIONS = { ...HOME_OPTIONS, for: { type: "string" }, status: { type: "boolean" } } as const;

export async function unlockCommand(argv: string[], io: Io): Promise<void> {
  const { values, help } = parseCommand("unlock", argv, OPTIONS);
  if (help) return io.out(UNLOCK_HELP);
  const home = resolveHome(values.home, io);
  if (values.status) {
    const status = await agentStatus(home);
    return io.out(status === null ? `locked: no unlock agent for ${home.dir}` : `unlocked until ${clock(status.until)} (agent process ${status.pid}); \`sealdrop lock\` ends it`);
  }
  const seconds = parseAgentDuration(values.for);
  const file = await readKeyFile(home);
  const passphrase = await obtainPassphrase(io, editorPassphraseSource(home, values["passphrase-file"]));
  const key = await sealingKey(file, passphrase);
  try {
    // The passphrase is checked before anything starts: a wrong one is refused here, not by the next command.
    await openSigningKey(file, { key });
    const until = Date.now() + seconds * 1000;
    const pid = await startAgent(home, file.kdf.salt, key, until);
    io.out(`unlocked until ${clock(until)}: commands on ${home.dir} use your key without asking (agent process ${pid}); \`sealdrop lock\` ends it sooner`);
  } finally {
    key.fill(0);
  }
}

export async function lockCommand(argv: string[], io: Io): Promise<void> {
  const { values, help } = parseCommand("lock", argv, { home: HOME_OPTIONS.home, help: HOME_OPTIONS.help });
  if (help) return io.out(LOCK_HELP);
  const home = resolveHome(values.home, io);
  io.out((await lockAgent(home)) ? `locked: the agent for ${home.dir} has forgotten your key` : `nothing to lock: no unlock agent for ${home.dir}`);
}
