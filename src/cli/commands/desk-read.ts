// What `list`, `sources` and `source` do once their options are parsed and the key's derivation has
// started (unlock-early.ts): loaded by those commands only then, so that loading the index, the desk
// model and their libraries overlaps the derivation instead of preceding it, and so does reading the
// vault's listing and the index file (index/prefetch.ts).
import type { HomeValues } from "../unlock.js";
import { unlockWithDesk } from "../index/prefetch.js";
import { conversation, editorDesks, listSources, listSubmissions, type ListFilters, openDesk } from "../index/query.js";
import type { Io } from "../io.js";
import { printJson } from "../present/json.js";
import { printSource, printSources, printUnreadable } from "../present/sources.js";
import { printSubmissionList } from "../present/submissions.js";

type Values = HomeValues & { json?: boolean | undefined };

/** `sealdrop list`: the submissions on the editor's desks. */
export async function printList(io: Io, values: Values, filters: ListFilters): Promise<void> {
  const { unlocked, early } = await unlockWithDesk(io, values);
  const view = await openDesk(unlocked, early);
  printUnreadable(io, view);
  const rows = listSubmissions(view, filters, await editorDesks(unlocked));
  if (values.json) return printJson(io, rows);
  printSubmissionList(io, rows);
}

/** `sealdrop sources`: the desk's sources. */
export async function printSourceList(io: Io, values: Values, filters: ListFilters): Promise<void> {
  const { unlocked, early } = await unlockWithDesk(io, values);
  const view = await openDesk(unlocked, early);
  printUnreadable(io, view);
  const rows = listSources(view, filters);
  if (values.json) return printJson(io, rows);
  printSources(io, rows);
}

/** `sealdrop source NAME`: one source's conversation. */
export async function printConversation(io: Io, values: Values, named: string): Promise<void> {
  const { unlocked, early } = await unlockWithDesk(io, values);
  const view = await openDesk(unlocked, early);
  printUnreadable(io, view);
  const source = conversation(view, named);
  if (values.json) return printJson(io, source);
  printSource(io, source);
}
