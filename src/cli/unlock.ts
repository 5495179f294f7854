// Unlocking an editor home from the command line: the key's passphrase from $SEALDROP_PASSPHRASE,
// --passphrase-file or a prompt, a warning on stderr when the server is reached over plain http, and the
// roster's news (who added whom) on stderr whenever a session finds entries the home had not seen.
// On a split home (split.ts): commands that decrypt refuse the online half (`no_decryption_key`), and a
// session on the reading half is its outbox (services/outbox.ts), which never reaches a server.
import { unlockEditor, unlockSigner } from "./editor.js";
import { resolveHome } from "./home.js";
import type { Io } from "./io.js";
import { printRosterChanges } from "./present/roster.js";
import { outboxSession } from "./services/outbox.js";
import { type EditorSession, editorSession, exposesMetadata, type SigningHome, type UnlockedHome } from "./services/session.js";
import { readSplit } from "./split.js";

export interface HomeValues {
  home?: string | undefined;
  "passphrase-file"?: string | undefined;
}

/** Resolves the home and unlocks its key, for commands that decrypt (refused on the online half of a split home). */
export async function unlockHome(io: Io, values: HomeValues): Promise<UnlockedHome> {
  const home = resolveHome(values.home, io);
  const half = await readSplit(home);
  return { home, editor: await unlockEditor(home, io, values["passphrase-file"]), half };
}

/** Resolves the home and unlocks its signing key: for commands that only sign, which the online half can run. */
export async function unlockSigningHome(io: Io, values: HomeValues): Promise<SigningHome> {
  const home = resolveHome(values.home, io);
  const half = await readSplit(home);
  return { home, editor: await unlockSigner(home, io, values["passphrase-file"]), half };
}

/** A session for an unlocked home, talking to --server or to the server in the key; on the reading half, its outbox. */
export function connect(io: Io, unlocked: SigningHome, server: string | undefined): EditorSession {
  if (unlocked.half === "reading") return outboxSession(unlocked);
  const session = editorSession(unlocked, server, { onRosterChange: (check) => printRosterChanges(io, check) });
  if (exposesMetadata(session.api.base)) io.err(`warning: ${session.api.base} is plain http; use https or an onion service outside a test setup`);
  return session;
}

/** Unlocks the home's signing key and connects: for commands that talk to the server. */
export async function unlockSession(io: Io, values: HomeValues & { server?: string | undefined }): Promise<EditorSession> {
  return connect(io, await unlockSigningHome(io, values), values.server);
}
