// `sealdrop delete` against a real server: a reply and a note by id prefix, and a whole source by
// pseudonym (its submission and follow-up, its mailbox with the desk's reply, the note about it), which
// the CLI finds by decrypting its vault and deletes in one request. On a terminal it asks first; without
// one it needs --yes. Another source's tip is left alone throughout.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCodenameEntropy } from "../../src/core/codename.js";
import { deriveSourceKeys, type SourceKeys } from "../../src/core/derive.js";
import { pseudonymFor } from "../../src/core/pseudonym.js";
import { type RunningServer, startNodeServer } from "../../src/server/node/serve.js";
import { powFetch } from "../helpers/pow.js";
import { submitTip } from "../helpers/source.js";
import { PASSPHRASE, runCli, runInProcess, tempDir } from "./helpers.js";
import { hasPython, onTerminal } from "./terminal.js";

let server: RunningServer;
let dir: string;
let home: string;
let source: SourceKeys;
let pseudonym: string;
const sourceTips: string[] = [];
let otherTip: string;

const json = async (args: string[]) => {
  const result = await runInProcess([...args, "--home", home, "--json"]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
};
/** What the server holds, as the editor's pull lists it. */
const onServer = async () => (await json(["pull"])) as { onServer: number };
const vaultItems = async (command: "list" | "notes") => ((await json([command])) as { id: string }[]).map((r) => r.id);
const mailbox = async () => {
  const res = await powFetch(`${server.url}/api/mailbox`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id: source.mailboxId, credential: source.mailboxCredential }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { replies: unknown[] }).replies;
};

beforeAll(async () => {
  dir = await tempDir();
  home = join(dir, "alice");
  server = await startNodeServer({ dataDir: join(dir, "data"), port: 0, host: "127.0.0.1" });
  const init = await runCli(["init", "--name", "Test News", "--desk", "news=News", "--editor-name", "Alice", "--home", home, "--data", join(dir, "data"), "--server-url", server.url]);
  expect(init.code).toBe(0);
  source = await deriveSourceKeys(newCodenameEntropy(), "pq");
  pseudonym = pseudonymFor(source.replyRecipient);
  const reply = { recipient: source.replyRecipient, mailbox: { id: source.mailboxId, credential: source.mailboxCredential } };
  sourceTips.push((await submitTip(server.url, "The first tip", [{ name: "a.txt", type: "text/plain", bytes: new TextEncoder().encode("attached") }], "news", { reply })).id);
  sourceTips.push((await submitTip(server.url, "A follow-up", [], "news", { reply, kind: "followup" })).id);
  otherTip = (await submitTip(server.url, "Someone else entirely")).id;
  expect((await onServer()).onServer).toBe(3);
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe("sealdrop delete", () => {
  it("deletes a reply and a note by id prefix; --local deletes the vault's copy too", async () => {
    const sent = (await json(["reply", pseudonym, "--message", "Thank you, one question."])) as { id: string };
    const noted = (await json(["note", pseudonym, "--text", "first contact"])) as { id: string };
    expect(await mailbox()).toHaveLength(1);

    const reply = await runCli(["delete", "--reply", sent.id.slice(0, 8), "--home", home]);
    expect(reply.code).toBe(0);
    expect(reply.stdout).toContain(`Deleted reply ${sent.id} from the server.`);
    expect(await mailbox()).toHaveLength(0);
    // Again: the server has it no more.
    const again = await runCli(["delete", "--reply", sent.id, "--home", home]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/not_found/);

    const note = await runCli(["delete", "--note", noted.id.slice(0, 6), "--local", "--home", home]);
    expect(note.code).toBe(0);
    expect(note.stdout).toContain(`Deleted note ${noted.id} from the server.`);
    expect(note.stdout).toContain("Deleted it from your vault too.");
    expect(await vaultItems("notes")).not.toContain(noted.id);

    const bad = await runCli(["delete", "--note", "not-hex", "--home", home]);
    expect(bad.code).toBe(2);
    const two = await runCli(["delete", sourceTips[0]!, "--note", noted.id, "--home", home]);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain("give one thing to delete");
  });

  it("refuses to delete a source without --yes when not on a terminal, and deletes nothing", async () => {
    await json(["reply", pseudonym, "--message", "Are you safe?"]);
    await json(["note", pseudonym, "--text", "reliable so far", "--reliability", "B"]);
    const refused = await runCli(["delete", "--source", pseudonym, "--home", home]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("needs --yes");
    expect((await onServer()).onServer).toBe(3);
    expect(await mailbox()).toHaveLength(1);
  });

  it("asks on a terminal: anything but yes deletes nothing", { timeout: 300_000 }, async () => {
    expect(hasPython).toBe(true);
    const asked = onTerminal(["delete", "--source", pseudonym.split(" ").slice(0, 2).join(" "), "--home", home], ["no"], dir, { SEALDROP_PASSPHRASE: PASSPHRASE });
    expect(asked.code, asked.output).toBe(1);
    expect(asked.output).toContain(`everything of ${pseudonym} your vault knows: 2 submissions, 1 mailbox with every reply in it, 1 note`);
    expect(asked.output).toContain("nothing was deleted");
    expect((await onServer()).onServer).toBe(3);
  });

  it("deletes everything of one source in one request (--yes), and with --local from the vault too", async () => {
    const result = await runInProcess(["delete", "--source", pseudonym, "--yes", "--local", "--json", "--home", home]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      pseudonym,
      server: { submissions: 2, replies: 1, notes: 1, mailboxes: 1 },
      // The vault also kept the first reply, deleted on the server before without --local.
      vault: { submissions: 2, replies: 2, notes: 1 },
    });
    expect((await onServer()).onServer).toBe(1);
    expect(await vaultItems("list")).toEqual([otherTip]);
    expect(await vaultItems("notes")).toEqual([]);
    expect(await mailbox()).toEqual([]);
    const sources = (await json(["sources"])) as { pseudonym: string }[];
    expect(sources.map((s) => s.pseudonym)).not.toContain(pseudonym);

    // Nothing of them is left to name.
    const gone = await runCli(["delete", "--source", pseudonym, "--yes", "--home", home]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/no source or submission in the vault matches/);
  });
});
