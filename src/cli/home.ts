// The editor home: one directory holding the encrypted key, the vault of pulled ciphertext, and the default
// output folder for decrypted attachments. `--home` wins over SEALDROP_HOME, which wins over ~/.sealdrop.
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { Io } from "./io.js";

export interface EditorHome {
  dir: string;
  keyFile: string;
  vaultFile: string;
  attachmentsDir: string;
}

export function editorHome(dir: string): EditorHome {
  return {
    dir,
    keyFile: join(dir, "editor.key"),
    vaultFile: join(dir, "vault.sqlite"),
    attachmentsDir: join(dir, "attachments"),
  };
}

export function resolveHome(option: string | undefined, io: Io): EditorHome {
  const chosen = option ?? io.env.SEALDROP_HOME;
  return editorHome(chosen ? resolve(io.cwd, chosen) : join(homedir(), ".sealdrop"));
}
