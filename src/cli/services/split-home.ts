// Splitting an editor home in two (docs/NEWSROOM.md "Split homes"): the online half gets a signing-only key
// file (keyfile.ts `editor-signing-key-v1`), the pinned roster and the vault's ciphertext, and can pull,
// post and change the roster but never decrypt; the reading half gets the whole key (the age identity and
// the signing key, which signs replies and notes inside their ciphertext), the roster, the vault, the root
// key and retired keys if the home has them, and never talks to a server. Neither half gets `attachments/`
// (plaintext that `read` saved).
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Editor } from "../editor.js";
import { CliError } from "../errors.js";
import { exists, writeFileAtomic } from "../files.js";
import { type EditorHome, editorHome } from "../home.js";
import { kdfLimits, sealSigningKeyFile, serializeKeyFile } from "../keyfile.js";
import { readPin, writePin } from "../roster-pin.js";
import { readSplit, writeSplit } from "../split.js";
import { exportVault, importBundle } from "./bundles.js";

export interface SplitResult {
  online: string;
  reading: string;
  submissions: number;
  /** Whether the reading half took the root key and retired keys. */
  rootKey: boolean;
  retiredKeys: number;
}

async function emptyOrAbsent(dir: string): Promise<void> {
  if (!(await exists(dir))) return;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    throw new CliError(`cannot use ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (names.length > 0) throw new CliError(`${dir} is not empty; give a new or empty directory for each half`, 1, "split_target_exists");
}

/** Writes the two halves of `home` (whose key `editor` is unlocked with `passphrase`) into two new directories. */
export async function splitHome(
  home: EditorHome,
  editor: Editor,
  passphrase: string,
  targets: { online: string; reading: string },
  env: Record<string, string | undefined>,
): Promise<SplitResult> {
  if (await readSplit(home)) throw new CliError(`${home.dir} is already one half of a split home`, 1, "already_split");
  if (targets.online === targets.reading || [targets.online, targets.reading].includes(home.dir)) {
    throw new CliError("the online half, the reading half and the home must be three different directories", 2);
  }
  const pin = await readPin(home);
  if (!pin) {
    throw new CliError("this home has pinned no roster yet, so the reading half would have no list of readers to seal to: run `sealdrop pull` (or `sealdrop roster pin`) first", 1, "roster_not_pinned");
  }
  await emptyOrAbsent(targets.online);
  await emptyOrAbsent(targets.reading);
  const online = editorHome(targets.online);
  const reading = editorHome(targets.reading);
  for (const h of [online, reading]) await mkdir(h.dir, { recursive: true, mode: 0o700 });

  const signing = await sealSigningKeyFile(editor.header, editor.secrets, editor.ageRecipient, passphrase, await kdfLimits(env));
  await writeFileAtomic(online.keyFile, serializeKeyFile(signing), { mode: 0o600, exclusive: true });
  await writeFileAtomic(reading.keyFile, await readFile(home.keyFile), { mode: 0o600, exclusive: true });
  for (const h of [online, reading]) await writePin(h, pin.root, pin.entries);

  let rootKey = false;
  if (await exists(home.rootKeyFile)) {
    await writeFileAtomic(reading.rootKeyFile, await readFile(home.rootKeyFile), { mode: 0o600, exclusive: true });
    rootKey = true;
  }
  let retiredKeys = 0;
  const retired = join(home.dir, "retired");
  if (await exists(retired)) {
    for (const name of (await readdir(retired)).filter((n) => n.endsWith(".key"))) {
      await mkdir(join(reading.dir, "retired"), { recursive: true, mode: 0o700 });
      await copyFile(join(retired, name), join(reading.dir, "retired", name));
      retiredKeys++;
    }
  }

  // The vault's ciphertext goes to both halves through a bundle, the same path later bundles take.
  let submissions = 0;
  if (await exists(home.vaultFile)) {
    const temp = await mkdtemp(join(tmpdir(), "sealdrop-split-"));
    try {
      const bundle = join(temp, "vault.sealdrop");
      submissions = (await exportVault(home, bundle)).submissions;
      for (const h of [online, reading]) await importBundle(h, bundle);
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  }
  // Marked last: a half that was not finished is not mistaken for a working one.
  await writeSplit(online, "online", editor.header.editorId);
  await writeSplit(reading, "reading", editor.header.editorId);
  return { online: online.dir, reading: reading.dir, submissions, rootKey, retiredKeys };
}
