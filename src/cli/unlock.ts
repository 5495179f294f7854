// Unlocking an editor home from the command line: the key's passphrase from $SEALDROP_PASSPHRASE,
// --passphrase-file or a prompt, a warning on stderr when the server is reached over plain http, and the
// roster's news (who added whom) on stderr whenever a session finds entries the home had not seen.
import { unlockEditor } from "./editor.js";
import { resolveHome } from "./home.js";
import type { Io } from "./io.js";
import { printRosterChanges } from "./present/roster.js";
import { type EditorSession, editorSession, exposesMetadata, type UnlockedHome } from "./services/session.js";

export interface HomeValues {
  home?: string | undefined;
  "passphrase-file"?: string | undefined;
}

/** Resolves the home and unlocks its key, for commands that work on the vault alone. */
export async function unlockHome(io: Io, values: HomeValues): Promise<UnlockedHome> {
  const home = resolveHome(values.home, io);
  return { home, editor: await unlockEditor(home, io, values["passphrase-file"]) };
}

/** A session for an unlocked home, talking to --server or to the server in the key. */
export function connect(io: Io, unlocked: UnlockedHome, server: string | undefined): EditorSession {
  const session = editorSession(unlocked, server, { onRosterChange: (check) => printRosterChanges(io, check) });
  if (exposesMetadata(session.api.base)) io.err(`warning: ${session.api.base} is plain http; use https or an onion service outside a test setup`);
  return session;
}

/** Unlocks the home and connects: for commands that talk to the server. */
export async function unlockSession(io: Io, values: HomeValues & { server?: string | undefined }): Promise<EditorSession> {
  return connect(io, await unlockHome(io, values), values.server);
}
