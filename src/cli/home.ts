// The editor home: one directory holding the encrypted key, the vault of pulled ciphertext, the default
// output folder for decrypted attachments, the pinned roster and (for an admin, until exported) the root key.
// A split home (split.ts) also says which half it is, and the reading half keeps an outbox of sealed
// replies and notes that the online half posts (services/outbox.ts).
// `--home` wins over SEALDROP_HOME, which wins over ~/.sealdrop.
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { Io } from "./io.js";

export interface EditorHome {
  dir: string;
  keyFile: string;
  vaultFile: string;
  /** The vault's local index: decrypted metadata sealed under the editor's key (index/store.ts). */
  indexFile: string;
  attachmentsDir: string;
  /** The roster as last verified, and the root it is pinned to (roster-pin.ts). */
  rosterFile: string;
  /** The newsroom root key, when this home keeps it (an admin's, until it is exported). */
  rootKeyFile: string;
  /** Which half of a split home this is (split.ts); absent for a whole home. */
  splitFile: string;
  /** The reading half's replies and notes sealed for posting, one file each (services/outbox.ts). */
  outboxDir: string;
  /** The online half's record of outbox items it has posted, so posting twice posts once. */
  postedFile: string;
  /** Triage changes not yet sent, sealed to the editor's own key (services/triage.ts). */
  triageQueueFile: string;
}

export function editorHome(dir: string): EditorHome {
  return {
    dir,
    keyFile: join(dir, "editor.key"),
    vaultFile: join(dir, "vault.sqlite"),
    indexFile: join(dir, "vault.index"),
    attachmentsDir: join(dir, "attachments"),
    rosterFile: join(dir, "roster.json"),
    rootKeyFile: join(dir, "root.key"),
    splitFile: join(dir, "split.json"),
    outboxDir: join(dir, "outbox"),
    postedFile: join(dir, "posted.json"),
    triageQueueFile: join(dir, "triage-queue.age"),
  };
}

export function resolveHome(option: string | undefined, io: Io): EditorHome {
  const chosen = option ?? io.env.SEALDROP_HOME;
  return editorHome(chosen ? resolve(io.cwd, chosen) : join(homedir(), ".sealdrop"));
}
