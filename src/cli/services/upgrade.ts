// Giving a newsroom made before rosters (editors and desks, but no root) its root key and roster, in one
// step run by one of its editors: a new root key, a genesis the root signs with the running editor as first
// admin, and one add-editor entry per other active editor with the desks they read now. Everyone keeps
// their keys, so everything sealed before stays readable; the server stores the log and from then on
// derives desks, editors and roles from it (POST /api/editor/roster accepts a genesis when it has none).
import { unlink } from "node:fs/promises";
import { z } from "zod";
import { rootFingerprint } from "../../core/fingerprint.js";
import { genesisEntryBody, nextEntryBody, type RosterEntry, signRosterEntry, verifyRoster } from "../../core/roster.js";
import { editorNewsroom } from "../../core/wire.js";
import { CliError } from "../errors.js";
import { exists } from "../files.js";
import { kdfLimits } from "../keyfile.js";
import { generateRootKey, rootSigner, sealRootKey, writeRootKey } from "../root-key.js";
import { readPin, writePin } from "../roster-pin.js";
import { invalidEntry } from "../setup.js";
import { fetchRosterLog } from "./roster.js";
import type { EditorSession } from "./session.js";

export interface UpgradeInput {
  rootKeyFile: string;
  rootPassphrase: string;
  /** Other editors (ids) who become admins too; everyone else becomes an editor of their current desks. */
  admins: string[];
  env: Record<string, string | undefined>;
}

export interface Upgraded {
  fingerprint: string;
  rootKeyFile: string;
  entries: number;
  editors: { id: string; name: string; role: "admin" | "editor"; desks: string[] }[];
}

export async function upgradeNewsroom(session: EditorSession, input: UpgradeInput): Promise<Upgraded> {
  const { api, editor, home } = session;
  if (await readPin(home)) throw new CliError("this home has pinned a roster already: the newsroom has one", 1, "roster_exists");
  if (await fetchRosterLog(api.base)) throw new CliError(`the server at ${api.base} has a roster already; pin it with \`sealdrop roster pin --fingerprint FP\``, 1, "roster_exists");
  if (await exists(input.rootKeyFile)) throw new CliError(`${input.rootKeyFile} already exists; refusing to overwrite a root key`);
  const newsroom = await api.get("/api/editor/newsroom", editorNewsroom);
  const me = newsroom.editors.find((e) => e.id === editor.header.editorId && !e.revoked);
  if (!me) throw new CliError("your key is not an active editor of this newsroom", 1, "unknown_editor");
  const active = newsroom.editors.filter((e) => !e.revoked);
  const unknownAdmins = input.admins.filter((id) => !active.some((e) => e.id === id));
  if (unknownAdmins.length) throw new CliError(`no active editor ${unknownAdmins.join(", ")}`, 1, "unknown_editor");
  const desksOf = (id: string) => newsroom.desks.filter((d) => d.editors.includes(id)).map((d) => d.id);

  const root = await generateRootKey();
  const sign = rootSigner(root);
  const people = [me, ...active.filter((e) => e !== me)].map((e) => ({
    id: e.id,
    name: e.name,
    ageRecipient: e.ageRecipient,
    signPublicKey: e.signPublicKey,
    role: e === me || input.admins.includes(e.id) ? ("admin" as const) : ("editor" as const),
    desks: desksOf(e.id),
  }));
  const genesis = genesisEntryBody(
    root.publicKey,
    { en: newsroom.name },
    newsroom.desks.map((d) => ({ id: d.id, names: { en: d.name } })),
    people[0]!,
  );
  // The root signs every entry here: it may sign any, and the first admin's key is not trusted before the genesis.
  let head = { seq: 0, hash: "" };
  const entries: RosterEntry[] = [];
  for (const [i, person] of people.entries()) {
    const body = i === 0 ? genesis : nextEntryBody(head, "root", { type: "add-editor", editor: person });
    const invalid = invalidEntry(body);
    if (invalid) throw new CliError(`this newsroom's ${i === 0 ? "names or first editor" : `editor ${person.name}`} cannot go into a roster as they are: ${invalid}`, 1, "roster_malformed");
    const entry = await signRosterEntry(body, sign);
    entries.push(entry);
    const verified = verifyRoster(root.publicKey, entries);
    if (!verified.ok) throw new CliError(`this newsroom cannot be given a roster as it is: ${verified.error.message}`, 1, verified.error.code);
    head = verified.head;
  }
  // The root key is written before the log leaves: a roster whose root was lost could never be changed by the root.
  await writeRootKey(input.rootKeyFile, await sealRootKey(root, newsroom.name, input.rootPassphrase, await kdfLimits(input.env)));
  try {
    await api.post("/api/editor/roster", { entries }, z.unknown());
  } catch (e) {
    await unlink(input.rootKeyFile).catch(() => {});
    throw e;
  }
  await writePin(home, root.publicKey, entries);
  return { fingerprint: rootFingerprint(root.publicKey), rootKeyFile: input.rootKeyFile, entries: entries.length, editors: people.map(({ id, name, role, desks }) => ({ id, name, role, desks })) };
}
