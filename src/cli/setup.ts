// Creating a newsroom: the newsroom root key, the first editor's key in a home, the roster's genesis entry
// that the root signs (docs/FORMAT.md "Newsroom root and roster"), and that log either written straight
// into a local server database or sent to a running server with its setup token. The home pins the root.
import { unlink } from "node:fs/promises";
import { setupResponse } from "../core/wire.js";
import { genesisEntryBody, type LocalizedNames, type RosterEntry, rosterEntryBody, signRosterEntry, verifyRoster } from "../core/roster.js";
import { ApiError } from "../core/api-error.js";
import { SealdropApi } from "./api.js";
import { type Editor, createEditor, saveEditor } from "./editor.js";
import { CliError, UsageError } from "./errors.js";
import { exists } from "./files.js";
import type { EditorHome } from "./home.js";
import type { Io } from "./io.js";
import { kdfLimits } from "./keyfile.js";
import { generateRootKey, rootSigner, sealRootKey, writeRootKey } from "./root-key.js";
import { writePin } from "./roster-pin.js";

export const DEFAULT_SERVER_URL = "http://127.0.0.1:8787";

export interface NewsroomPlan {
  /** The newsroom's names: English required, Korean and Chinese optional. */
  names: LocalizedNames;
  desks: { id: string; name: string }[];
  editorName: string;
  classic: boolean;
  /** The server URL stored in the key file. */
  serverUrl: string;
}

/** Stores the newsroom's roster somewhere; throws if a newsroom exists already. */
export type NewsroomWriter = (entries: RosterEntry[]) => Promise<void>;

export interface CreatedNewsroom {
  editor: Editor;
  /** The root key's fingerprint: what the newsroom publishes, through every staffing change. */
  fingerprint: string;
  rootKeyFile: string;
}

/** Parses `id` or `id=Display Name`. */
export function parseDesk(text: string): { id: string; name: string } {
  const eq = text.indexOf("=");
  const [id, name] = eq < 0 ? [text, text] : [text.slice(0, eq).trim(), text.slice(eq + 1).trim()];
  return { id, name };
}

export async function ensureNoKey(home: EditorHome): Promise<void> {
  if (await exists(home.keyFile)) throw new CliError(`${home.keyFile} already exists; choose another --home`);
}

/** Why a roster entry body is refused, in the words of the field that is wrong. */
export function invalidEntry(body: unknown): string | null {
  const parsed = rosterEntryBody.safeParse(body);
  if (parsed.success) return null;
  return parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
}

export interface NewsroomKeys {
  /** The first editor's key file passphrase. */
  editor: string;
  /** The root key file's passphrase. */
  root: string;
  /** Where the root key goes: the home's root.key, or a file elsewhere (a USB stick to keep offline). */
  rootKeyFile: string;
}

export async function createNewsroom(plan: NewsroomPlan, home: EditorHome, keys: NewsroomKeys, write: NewsroomWriter, io: Pick<Io, "env">): Promise<CreatedNewsroom> {
  await ensureNoKey(home);
  if (await exists(keys.rootKeyFile)) throw new CliError(`${keys.rootKeyFile} already exists; refusing to overwrite a root key`);
  const ids = plan.desks.map((d) => d.id);
  if (new Set(ids).size !== ids.length) throw new UsageError("each --desk id must be given once");
  const editor = await createEditor(plan.editorName, plan.serverUrl, plan.names.en, plan.classic);
  const root = await generateRootKey();
  const body = genesisEntryBody(
    root.publicKey,
    plan.names,
    plan.desks.map((d) => ({ id: d.id, names: { en: d.name } })),
    { id: editor.header.editorId, name: plan.editorName, ageRecipient: editor.ageRecipient, signPublicKey: editor.secrets.signPublicKey, role: "admin", desks: ids },
  );
  const invalid = invalidEntry(body);
  if (invalid) throw new UsageError(`invalid newsroom: ${invalid}`);
  const genesis = await signRosterEntry(body, rootSigner(root));
  const verified = verifyRoster(root.publicKey, [genesis]);
  if (!verified.ok) throw new UsageError(`invalid newsroom: ${verified.error.message}`);

  // The keys are written first: a newsroom whose only keys were lost would be unreadable and unchangeable.
  // If the newsroom cannot be written, they are useless and are removed again.
  const limits = await kdfLimits(io.env);
  await saveEditor(home, editor, keys.editor, io);
  const written: string[] = [home.keyFile];
  try {
    await writeRootKey(keys.rootKeyFile, await sealRootKey(root, plan.names.en, keys.root, limits));
    written.push(keys.rootKeyFile);
    await writePin(home, root.publicKey, [genesis]);
    written.push(home.rosterFile);
    await write([genesis]);
  } catch (e) {
    for (const path of written) await unlink(path).catch(() => {});
    throw e;
  }
  return { editor, fingerprint: root.fingerprint, rootKeyFile: keys.rootKeyFile };
}

/** Writes the newsroom's roster into the SQLite database of a server data directory, checked as the server checks it. */
export function localWriter(dataDir: string): NewsroomWriter {
  return async (entries) => {
    const { openNodeDatabase } = await import("../server/node/database.js");
    const { appendRoster } = await import("../server/roster.js");
    const db = await openNodeDatabase(dataDir);
    try {
      if (await db.selectFrom("newsroom").select("id").executeTakeFirst()) throw new CliError(`the database in ${dataDir} already has a newsroom`);
      await appendRoster(db, entries, new Date()).catch((e: { code?: unknown; message?: string }) => {
        throw typeof e.code === "string" ? new CliError(`the server's checks refused the roster: ${e.message}`, 1, e.code) : e;
      });
    } finally {
      await db.destroy();
    }
  };
}

/** Sends the newsroom to a running server with `POST /api/setup`. */
export function remoteWriter(server: string, token: string): NewsroomWriter {
  return async (entries) => {
    try {
      await new SealdropApi(server).post("/api/setup", { token, roster: { entries } }, setupResponse);
    } catch (e) {
      if (e instanceof ApiError && e.code === "already_initialized") throw new CliError(`the server at ${server} already has a newsroom`);
      throw e;
    }
  };
}
