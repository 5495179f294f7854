// Creating a newsroom: the first editor's key in a home, and the newsroom's public record either written
// straight into a local server database or sent to a running server with its setup token.
import { unlink } from "node:fs/promises";
import { newsroomFingerprint } from "../core/fingerprint.js";
import { ApiError } from "../core/api-error.js";
import { type NewsroomSetup, newsroomSetup, setupResponse } from "../core/wire.js";
import { SealdropApi } from "./api.js";
import { type Editor, createEditor, editorPublicKeys, saveEditor } from "./editor.js";
import { CliError, UsageError } from "./errors.js";
import { exists } from "./files.js";
import type { EditorHome } from "./home.js";
import type { Io } from "./io.js";

export const DEFAULT_SERVER_URL = "http://127.0.0.1:8787";

export interface NewsroomPlan {
  name: string;
  desks: { id: string; name: string }[];
  editorName: string;
  classic: boolean;
  /** The server URL stored in the key file. */
  serverUrl: string;
}

/** Stores the newsroom's public record somewhere; throws if one exists already. */
export type NewsroomWriter = (setup: NewsroomSetup) => Promise<void>;

export interface CreatedNewsroom {
  editor: Editor;
  fingerprint: string;
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

export async function createNewsroom(plan: NewsroomPlan, home: EditorHome, passphrase: string, write: NewsroomWriter, io: Io): Promise<CreatedNewsroom> {
  await ensureNoKey(home);
  const editor = await createEditor(plan.editorName, plan.serverUrl, plan.name, plan.classic);
  const parsed = newsroomSetup.safeParse({ name: plan.name, desks: plan.desks, editor: editorPublicKeys(editor, plan.desks.map((d) => d.id)) });
  if (!parsed.success) throw new UsageError(`invalid newsroom: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const ids = plan.desks.map((d) => d.id);
  if (new Set(ids).size !== ids.length) throw new UsageError("each --desk id must be given once");
  // The key is written first: a newsroom whose only key was lost would be unreadable. If the newsroom
  // cannot be written, the new key is useless and is removed again.
  await saveEditor(home, editor, passphrase, io);
  try {
    await write(parsed.data);
  } catch (e) {
    await unlink(home.keyFile).catch(() => {});
    throw e;
  }
  return { editor, fingerprint: newsroomFingerprint([editor.ageRecipient]) };
}

/** Writes the newsroom into the SQLite database of a server data directory. */
export function localWriter(dataDir: string): NewsroomWriter {
  return async (setup) => {
    const { openNodeDatabase } = await import("../server/node/database.js");
    const { initializeNewsroom } = await import("../server/newsroom.js");
    const { DomainError } = await import("../server/domain-error.js");
    const db = await openNodeDatabase(dataDir);
    try {
      await initializeNewsroom(db, setup, new Date());
    } catch (e) {
      if (e instanceof DomainError) {
        throw new CliError(e.code === "already_initialized" ? `the database in ${dataDir} already has a newsroom` : `the newsroom was not created: ${e.message}`);
      }
      throw e;
    } finally {
      await db.destroy();
    }
  };
}

/** Sends the newsroom to a running server with `POST /api/setup`. */
export function remoteWriter(server: string, token: string): NewsroomWriter {
  return async (setup) => {
    try {
      await new SealdropApi(server).post("/api/setup", { token, newsroom: setup }, setupResponse);
    } catch (e) {
      if (e instanceof ApiError && e.code === "already_initialized") throw new CliError(`the server at ${server} already has a newsroom`);
      throw e;
    }
  };
}
