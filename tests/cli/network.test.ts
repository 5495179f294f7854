// The anonymous two-way channel and the source network, editor side, against a real server: sources
// submit with and without a codename, editors pull, see pseudonyms, reply, and share desk notes that the
// server cannot read. The CLI runs as a subprocess for the main steps, as an editor would run it.
import { spawn } from "node:child_process";
import { chmod, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCodenameEntropy } from "../../src/core/codename.js";
import { deriveSourceKeys, keyKindOf, type SourceKeys } from "../../src/core/derive.js";
import { openJson, replySchema } from "../../src/core/messages.js";
import { pseudonymFor } from "../../src/core/pseudonym.js";
import { type RunningServer, startNodeServer } from "../../src/server/node/serve.js";
import { powFetch } from "../helpers/pow.js";
import { filesUnder } from "../helpers/deployment.js";
import { fetchNewsroom, submitTip } from "../helpers/source.js";
import { BIN, runCli, runInProcess, tempDir, testEnv } from "./helpers.js";

let server: RunningServer;
let dataDir: string;
let alice: string;
let bob: string;
let keysA: SourceKeys;
let pseudonymA: string;
const ids = { a1: "", a2: "", b: "" };
const BOB = { SEALDROP_PASSPHRASE: "bobs own long passphrase" };
const REPLY = "Thank you. Can you tell us which day the trucks left?";
const NOTE_TEXT = "Met her cousin in Yanji last spring; consistent every time";

const json = <T = unknown>(r: { code: number; stdout: string; stderr: string }): T => {
  expect(r.stderr.replace(/^(note: .*|\[\d+\/\d+\] .*)\n/gm, "")).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
};

interface SourceRow {
  pseudonym: string;
  canReply: boolean;
  submissions: number;
  followups: number;
  replies: number;
  notes: number;
  lastSeen: string | null;
  reliability: string | null;
  credibility: number | null;
  tags: string[];
}

beforeAll(async () => {
  const dir = await tempDir();
  dataDir = join(dir, "data");
  alice = join(dir, "alice");
  bob = join(dir, "bob");
  server = await startNodeServer({ dataDir, port: 0, host: "127.0.0.1" });
  const init = await runCli(["init", "--name", "Border News", "--desk", "news=News", "--editor-name", "Alice", "--home", alice, "--data", dataDir, "--server-url", server.url]);
  expect(init.code).toBe(0);
  const added = await runInProcess(["editor", "add", "--home", alice, "--name", "Bob", "--desk", "news", "--out-home", bob], { env: { SEALDROP_NEW_PASSPHRASE: BOB.SEALDROP_PASSPHRASE } });
  expect(added.code).toBe(0);

  const newsroom = await fetchNewsroom(server.url);
  keysA = await deriveSourceKeys(newCodenameEntropy(), keyKindOf(newsroom.desks[0]!.recipients[0]!));
  pseudonymA = pseudonymFor(keysA.replyRecipient);
  const reply = { recipient: keysA.replyRecipient, mailbox: { id: keysA.mailboxId, credential: keysA.mailboxCredential } };
  ids.a1 = (await submitTip(server.url, "Trucks with grain crossed at night", [], "news", { reply })).id;
  ids.a2 = (await submitTip(server.url, "Follow-up: twelve trucks, army plates", [], "news", { reply, kind: "followup" })).id;
  ids.b = (await submitTip(server.url, "I saw the trucks too")).id;
});

afterAll(async () => {
  await server?.close();
});

describe("the source network, editor side", () => {
  it("pull brings the submissions, and sources shows one pseudonym per codename", async () => {
    expect(json(await runCli(["pull", "--home", alice, "--json"]))).toMatchObject({ newSubmissions: 3, newReplies: 0, newNotes: 0 });
    const rows = json<SourceRow[]>(await runCli(["sources", "--home", alice, "--json"]));
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.pseudonym === pseudonymA)).toMatchObject({ canReply: true, submissions: 2, followups: 1, replies: 0, reliability: null, tags: [] });
    expect(rows.find((r) => r.pseudonym !== pseudonymA)).toMatchObject({ pseudonym: `Anonymous ${ids.b.slice(0, 8)}`, canReply: false, submissions: 1, followups: 0 });
  });

  it("source takes a case-insensitive prefix and shows the timeline by day", async () => {
    const prefix = pseudonymA.slice(0, pseudonymA.lastIndexOf(" ") + 3).toLowerCase();
    const shown = json<{ pseudonym: string; timeline: { type: string; id: string; firstLine?: string }[] }>(await runCli(["source", prefix, "--home", alice, "--json"]));
    expect(shown.pseudonym).toBe(pseudonymA);
    expect(shown.timeline.map((e) => [e.type, e.id, e.firstLine])).toEqual([
      ["submission", ids.a1, "Trucks with grain crossed at night"],
      ["followup", ids.a2, "Follow-up: twelve trucks, army plates"],
    ]);
    const text = await runInProcess(["source", prefix, "--home", alice]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(pseudonymA);
    expect(text.stdout).toMatch(/followup\s+[0-9a-f]{12}\s+news/);
  });

  it("reply refuses a submission whose source kept no codename", async () => {
    const result = await runCli(["reply", ids.b.slice(0, 10), "--message", "hello?", "--home", alice]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe("sealdrop: this source did not keep a codename; they cannot receive replies");
    const byName = await runInProcess(["reply", "anonymous", "--message", "hello?", "--home", alice]);
    expect(byName.stderr).toMatch(/cannot receive replies/);
  });

  it("reply answers the source's latest submission, and only the codename opens it", async () => {
    const sent = json<{ id: string; to: string; inReplyTo: string }>(await runCli(["reply", pseudonymA.toUpperCase(), "--message", REPLY, "--home", alice, "--json"]));
    expect(sent).toMatchObject({ to: pseudonymA, inReplyTo: ids.a2 });

    const res = await powFetch(`${server.url}/api/mailbox`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id: keysA.mailboxId, credential: keysA.mailboxCredential }) });
    expect(res.status).toBe(200);
    const { replies } = (await res.json()) as { replies: { ciphertext: string }[] };
    expect(replies).toHaveLength(1);
    const opened = await openJson(replySchema, Buffer.from(replies[0]!.ciphertext, "base64"), [keysA.replyIdentity]);
    expect(opened).toMatchObject({ message: REPLY, from: "News", to: keysA.replyRecipient, inReplyTo: ids.a2 });
  });

  it("the reply is on the source's timeline for the sender at once and for a colleague after pull", async () => {
    const mine = json<{ timeline: { type: string; message?: string; inReplyTo?: string }[] }>(await runInProcess(["source", pseudonymA, "--home", alice, "--json"]));
    expect(mine.timeline.map((e) => e.type)).toEqual(["submission", "followup", "reply"]);
    expect(mine.timeline[2]).toMatchObject({ message: REPLY, inReplyTo: ids.a2 });

    expect(json(await runCli(["pull", "--home", bob, "--json"], { env: BOB }))).toMatchObject({ newSubmissions: 3, newReplies: 1 });
    const theirs = json<{ timeline: { type: string; message?: string }[] }>(await runInProcess(["source", pseudonymA, "--home", bob, "--json"], { env: BOB }));
    expect(theirs.timeline.find((e) => e.type === "reply")).toMatchObject({ message: REPLY });
    expect(json(await runInProcess(["pull", "--home", alice, "--json"]))).toMatchObject({ newSubmissions: 0, newReplies: 0 });
  });

  it("a note with tags, grades, text and a link reaches a colleague, who sees it in notes and sources", async () => {
    const added = await runCli([
      "note", pseudonymA.slice(0, 8), "--home", alice,
      "--tag", "region:north-hamgyong", "--tag", "topic:smuggled-grain", "--reliability", "b", "--credibility", "2",
      "--text", NOTE_TEXT, "--corroborates", ids.b.slice(0, 12), "--json",
    ]);
    const note = json<{ id: string; subject: unknown }>(added);
    expect(note.subject).toEqual({ type: "source", pseudonym: pseudonymA });

    expect(json(await runCli(["pull", "--home", bob, "--json"], { env: BOB }))).toMatchObject({ newNotes: 1, newReplies: 0 });
    const notes = json<unknown[]>(await runCli(["notes", "--home", bob, "--json"], { env: BOB }));
    expect(notes).toEqual([
      {
        id: note.id,
        day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        author: "Alice",
        subject: { type: "source", pseudonym: pseudonymA },
        tags: ["region:north-hamgyong", "topic:smuggled-grain"],
        reliability: "B",
        credibility: 2,
        text: NOTE_TEXT,
        links: [{ submission: ids.b, relation: "corroborates", source: `Anonymous ${ids.b.slice(0, 8)}` }],
        signature: { verified: true, author: { id: expect.stringMatching(/^[0-9a-f]{32}$/), name: "Alice" }, desk: "news" },
      },
    ]);
    const rows = json<SourceRow[]>(await runInProcess(["sources", "--home", bob, "--json"], { env: BOB }));
    expect(rows.find((r) => r.pseudonym === pseudonymA)).toMatchObject({ reliability: "B", credibility: 2, tags: ["region:north-hamgyong", "topic:smuggled-grain"], notes: 1, replies: 1 });
    const text = await runInProcess(["sources", "--home", bob], { env: BOB });
    expect(text.stdout).toMatch(new RegExp(`${pseudonymA}.*B2.*region:north-hamgyong topic:smuggled-grain`));
  });

  it("notes narrows to a subject; later grades win and tags accumulate", async () => {
    const regrade = await runInProcess(["note", ids.a1.slice(0, 8), "--home", bob, "--tag", "access:witness", "--reliability", "C"], { env: BOB });
    expect(regrade.code).toBe(0);
    const rows = json<SourceRow[]>(await runInProcess(["sources", "--home", bob, "--json"], { env: BOB }));
    expect(rows.find((r) => r.pseudonym === pseudonymA)).toMatchObject({ reliability: "C", credibility: 2, tags: ["region:north-hamgyong", "topic:smuggled-grain", "access:witness"], notes: 2 });
    const aboutB = json<{ id: string }[]>(await runInProcess(["notes", ids.b.slice(0, 6), "--home", bob, "--json"], { env: BOB }));
    expect(aboutB).toHaveLength(1);
    expect(json<unknown[]>(await runInProcess(["notes", `Anonymous ${ids.b.slice(0, 8)}`, "--home", bob, "--json"], { env: BOB }))).toEqual([]);
  });

  it("the server's data directory holds none of the reply's or notes' plaintext", async () => {
    const secrets = [REPLY, NOTE_TEXT, "north-hamgyong", "smuggled-grain", "access:witness", pseudonymA, "Trucks with grain"];
    const files = await filesUnder(dataDir);
    expect(files.some((f) => f.where.endsWith("-wal") || f.where.endsWith(".sqlite") || f.where.endsWith(".db"))).toBe(true);
    for (const { where, bytes } of files) for (const s of secrets) expect(bytes.includes(Buffer.from(s)), `${s} in ${where}`).toBe(false);
  });

  it("explains what it cannot do", async () => {
    const cases: [string[], number, RegExp][] = [
      [["source", "Zzz"], 1, /no source or submission in the vault matches "Zzz"/],
      [["note", pseudonymA], 2, /nothing to note/],
      [["note", pseudonymA, "--reliability", "G"], 2, /--reliability is a letter A to F/],
      [["note", pseudonymA, "--credibility", "7"], 2, /--credibility is a digit 1 to 6/],
      [["note", pseudonymA, "--tag", "Region:x"], 2, /a tag is KEY:VALUE/],
      [["note", pseudonymA, "--related", "ffffffff"], 1, /no submission ffffffff in the vault/],
      [["reply", pseudonymA], 2, /give the reply with --message or --message-file/],
      [["reply", pseudonymA, "--message", "  "], 1, /the reply is empty/],
    ];
    for (const [args, code, message] of cases) {
      const result = await runInProcess([...args, "--home", alice]);
      expect(result.stderr, args.join(" ")).toMatch(message);
      expect(result.code, args.join(" ")).toBe(code);
    }
  });

  it("list and sources filter by the desk's tags and grades", async () => {
    const ids_ = (r: { id: string }[]) => r.map((x) => x.id).sort();
    const list = async (...args: string[]) => json<{ id: string }[]>(await runInProcess(["list", "--home", bob, "--json", ...args], { env: BOB }));
    expect(ids_(await list("--tag", "REGION:North-Hamgyong"))).toEqual([ids.a1, ids.a2].sort());
    expect(ids_(await list("--grade", "C2"))).toEqual([ids.a1, ids.a2].sort());
    expect(await list("--grade", "A")).toEqual([]);
    expect(ids_(await list("--search", "trucks", "--grade", "2"))).toEqual([ids.a1, ids.a2].sort());
    const sources = json<SourceRow[]>(await runInProcess(["sources", "--home", bob, "--json", "--tag", "topic:smuggled-grain"], { env: BOB }));
    expect(sources.map((r) => r.pseudonym)).toEqual([pseudonymA]);
  });

  it("reply reads the message from standard input with --message-file -", async () => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, ...testEnv() })) if (v !== undefined) env[k] = v;
    const child = spawn(process.execPath, [BIN, "reply", pseudonymA, "--message-file", "-", "--home", alice, "--json"], { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stdin.end("Piped in: which market?\n");
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    expect(code).toBe(0);
    const sent = JSON.parse(stdout) as { id: string };
    const shown = json<{ timeline: { id: string; message?: string }[] }>(await runInProcess(["source", pseudonymA, "--home", alice, "--json"]));
    expect(shown.timeline.find((e) => e.id === sent.id)?.message).toBe("Piped in: which market?\n");
  });

  it("reply with neither option opens $EDITOR on a private file in the home, removed after; empty sends nothing", async () => {
    const dir = await tempDir();
    const log = join(dir, "editor.log");
    const editor = join(dir, "editor.sh");
    await writeFile(editor, `#!/bin/sh\necho "$1" >> "${log}"\nstat -c %a "$(dirname "$1")" >> "${log}"\nprintf 'Written in the editor\\n' > "$1"\n`);
    await chmod(editor, 0o755);
    const env = { EDITOR: editor, PATH: process.env.PATH };
    const sent = json<{ id: string }>(await runInProcess(["reply", pseudonymA, "--home", alice, "--json"], { env }));
    const [path, mode] = (await readFile(log, "utf8")).trim().split("\n");
    expect(path!.startsWith(join(alice, ".compose-"))).toBe(true);
    expect(mode).toBe("700");
    expect((await readdir(alice)).filter((n) => n.startsWith(".compose-"))).toEqual([]);
    const shown = json<{ timeline: { id: string; message?: string }[] }>(await runInProcess(["source", pseudonymA, "--home", alice, "--json"]));
    expect(shown.timeline.find((e) => e.id === sent.id)?.message).toBe("Written in the editor");

    const before = shown.timeline.length;
    const empty = await runInProcess(["reply", pseudonymA, "--home", alice], { env: { VISUAL: "true", PATH: process.env.PATH } });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/the reply is empty; nothing was sent \(reply_empty\)/);
    expect(json<{ timeline: unknown[] }>(await runInProcess(["source", pseudonymA, "--home", alice, "--json"])).timeline).toHaveLength(before);
  });
});
