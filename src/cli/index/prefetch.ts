// Reading the desk's inputs while the key is still being derived (unlock-early.ts starts the derivation):
// the vault's listing and the index file's bytes need no key, so `list`, `sources`, `source` and the inbox
// read them in the wait instead of after it. Only a vault that is already there, at this version, is
// opened, and nothing in it is changed; anything unusual reads nothing early, and the desk is then opened
// after the unlock as before, which reports what is wrong.
import type { Io } from "../io.js";
import type { UnlockedHome } from "../services/session.js";
import { type HomeValues, unlockHome } from "../unlock.js";
import { resolveHome } from "../home.js";
import { Vault } from "../vault.js";
import { type IndexInputs, readIndexInputs } from "./store.js";

/** An open vault and what was read of it and of the index before the key was at hand. */
export interface EarlyDesk {
  vault: Vault;
  inputs: IndexInputs;
}

async function readDeskEarly(io: Io, values: HomeValues): Promise<EarlyDesk | null> {
  let vault: Vault | null = null;
  try {
    const home = resolveHome(values.home, io);
    vault = await Vault.open(home.vaultFile, { asIs: true });
    return { vault, inputs: await readIndexInputs(home, vault) };
  } catch {
    await vault?.close().catch(() => {});
    return null;
  }
}

/** Unlocks the home while the desk's inputs are read; if the unlock fails, the early vault is closed. */
export async function unlockWithDesk(io: Io, values: HomeValues): Promise<{ unlocked: UnlockedHome; early: EarlyDesk | null }> {
  const early = readDeskEarly(io, values);
  try {
    return { unlocked: await unlockHome(io, values), early: await early };
  } catch (e) {
    await (await early)?.vault.close();
    throw e;
  }
}
