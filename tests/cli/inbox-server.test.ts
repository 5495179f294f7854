// The inbox's front door over real HTTP: the one-time token, the Host and Origin checks against DNS
// rebinding and foreign pages, the strict headers, and `sealdrop inbox` printing its address first (before it reads the vault). Then
// what its JSON says of a vault filled without a server: unread counts from the desk's triage read marks,
// and a day's conversation in the vault's arrival order.
import { request } from "node:http";
import { randomBytes } from "node:crypto";
import { cp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomId, utf8 } from "../../src/core/bytes.js";
import { type Envelope, sealBytes, sealEnvelope } from "../../src/core/envelope.js";
import type { Reply } from "../../src/core/messages.js";
import { pseudonymFor } from "../../src/core/pseudonym.js";
import { createEditor, saveEditor } from "../../src/cli/editor.js";
import { editorHome } from "../../src/cli/home.js";
import { PAGE_CSP, TOKEN_HEADER } from "../../src/cli/inbox/guard.js";
import { type InboxServer, startInboxServer } from "../../src/cli/inbox/server.js";
import type { Dossier, InboxSummary } from "../../src/cli/inbox/wire.js";
import { Vault } from "../../src/cli/vault.js";
import { type InboxProcess, spawnInbox } from "../helpers/inbox.js";
import { PASSPHRASE, runCli, runInProcess, tempDir, testEnv } from "./helpers.js";

let server: InboxServer;

beforeAll(async () => {
  server = await startInboxServer({ port: 0, mount: (app) => app.get("/api/ping", (c) => c.json({ pong: true })) });
});
afterAll(() => server?.close());

/** A raw HTTP request, so the test can send any Host header it likes. */
function get(path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: server.port, path, method: "GET", headers: { connection: "close", ...headers } }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.once("error", reject);
    req.end();
  });
}
const code = (body: string) => (JSON.parse(body) as { error: { code: string } }).error.code;
const own = () => ({ host: `127.0.0.1:${server.port}` });

describe("the inbox's local server", () => {
  it("prints an address on 127.0.0.1 with a token of 32 random bytes in base64url", () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(server.token, "base64url")).toHaveLength(32);
  });

  it("answers with the token, in the query or the header, under a strict CSP and no caching", async () => {
    for (const headers of [{ ...own() }, { ...own(), [TOKEN_HEADER]: server.token }]) {
      const path = TOKEN_HEADER in headers ? "/api/ping" : `/api/ping?token=${server.token}`;
      const res = await get(path, headers);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ pong: true });
      expect(res.headers["content-security-policy"]).toBe(PAGE_CSP);
      expect(res.headers["cache-control"]).toBe("no-store");
      expect(res.headers["x-frame-options"]).toBe("DENY");
      expect(res.headers["referrer-policy"]).toBe("no-referrer");
    }
    expect((await get(`/api/ping?token=${server.token}`, { host: `localhost:${server.port}` })).status).toBe(200);
  });

  it("refuses a request without the token (401 inbox_token_required) or with another one (403 inbox_token_invalid)", async () => {
    const none = await get("/api/ping", own());
    expect(none.status).toBe(401);
    expect(code(none.body)).toBe("inbox_token_required");
    const page = await get("/", own());
    expect(page.status).toBe(401);
    const wrong = await get(`/api/ping?token=${"A".repeat(43)}`, own());
    expect(wrong.status).toBe(403);
    expect(code(wrong.body)).toBe("inbox_token_invalid");
    const short = await get("/api/ping", { ...own(), [TOKEN_HEADER]: server.token.slice(1) });
    expect(code(short.body)).toBe("inbox_token_invalid");
  });

  it("refuses another Host even with the right token: DNS rebinding (403 inbox_host_refused)", async () => {
    for (const host of ["evil.example", `evil.example:${server.port}`, `127.0.0.1:${server.port + 1}`, "127.0.0.1", `[::1]:${server.port}`]) {
      const res = await get(`/api/ping?token=${server.token}`, { host });
      expect(res.status, host).toBe(403);
      expect(code(res.body)).toBe("inbox_host_refused");
      expect(res.body).not.toContain("pong");
    }
  });

  it("refuses a foreign Origin even with the right token and Host (403 inbox_origin_refused)", async () => {
    for (const origin of ["http://evil.example", "null", `http://127.0.0.1:${server.port + 1}`, `https://127.0.0.1:${server.port}`]) {
      const res = await get("/api/ping", { ...own(), origin, [TOKEN_HEADER]: server.token });
      expect(res.status, origin).toBe(403);
      expect(code(res.body)).toBe("inbox_origin_refused");
    }
    expect((await get("/api/ping", { ...own(), origin: `http://127.0.0.1:${server.port}`, [TOKEN_HEADER]: server.token })).status).toBe(200);
  });

  it("never takes the token from the query for a request that changes something", async () => {
    const res = await new Promise<number>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port: server.port, path: `/api/ping?token=${server.token}`, method: "POST", headers: { connection: "close", ...own() } }, (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      });
      req.once("error", reject);
      req.end();
    });
    expect(res).toBe(401);
  });
});

describe("sealdrop inbox", () => {
  let root: string;
  beforeAll(async () => {
    root = await tempDir("sealdrop-inbox-");
    const init = await runCli(["init", "--data", join(root, "data"), "--name", "Inbox Test", "--desk", "news", "--editor-name", "Editor A", "--home", join(root, "home")]);
    expect(init.code, init.stderr).toBe(0);
  }, 120_000);
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("prints its address with a fresh token on its first line, listens on 127.0.0.1 only, and a second run gets another token", async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 2; i++) {
      const inbox = await spawnInbox(["--home", join(root, "home")], testEnv());
      try {
        expect(inbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
        tokens.push(inbox.token);
        const ok = await fetch(`${inbox.origin}/api/summary`, { headers: { [TOKEN_HEADER]: inbox.token, connection: "close" } });
        expect(ok.status).toBe(200);
        expect(((await ok.json()) as { editor: { name: string } }).editor.name).toBe("Editor A");
        const refused = await fetch(`${inbox.origin}/api/summary`, { headers: { connection: "close" } });
        expect(refused.status).toBe(401);
      } finally {
        await inbox.stop();
      }
    }
    expect(tokens[0]).not.toBe(tokens[1]);
  }, 120_000);

  it("prints its address before it reads the vault, and ends with why when the vault then does not open", async () => {
    const bad = join(root, "bad-home");
    await cp(join(root, "home"), bad, { recursive: true });
    await writeFile(editorHome(bad).vaultFile, randomBytes(64 << 10));
    const res = await runCli(["inbox", "--home", bad]);
    expect(res.code).toBe(1);
    expect(res.stdout.split("\n")[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    expect(res.stderr).toContain(`cannot open the vault ${editorHome(bad).vaultFile}: file is not a database`);
    expect(res.stderr).not.toContain("The inbox is open");
  }, 120_000);

  it("refuses a bad --port as a usage error", async () => {
    const res = await runCli(["inbox", "--port", "http", "--home", join(root, "home")]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("invalid port");
  });
});

describe("the inbox's sources and conversation", () => {
  let home: string;
  let inbox: InboxProcess;
  let pseudonym: string;
  const ids = { first: randomId(), followup: randomId(), reply: randomId(), anonymous: randomId(), later: randomId() };
  const day = "2026-11-30";
  const channelOf: { current?: Envelope["reply"] } = {};
  const editorOf: { current?: string } = {};

  const envelope = (message: string, kind: Envelope["kind"], reply: Envelope["reply"]): Envelope => ({ v: 1, kind, desk: "news", message, fields: {}, attachments: [], reply, client: "test", lang: "en" });
  const api = async <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    const res = await fetch(`${inbox.origin}${path}`, {
      method: init.method ?? "GET",
      headers: { [TOKEN_HEADER]: inbox.token, connection: "close", ...(init.body === undefined ? {} : { "content-type": "application/json" }) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
    return (await res.json()) as T;
  };
  const unread = async () => Object.fromEntries((await api<InboxSummary>("/api/summary")).sources.map((s) => [s.pseudonym, s.unread]));

  beforeAll(async () => {
    home = join(await tempDir("sealdrop-inbox-order-"), "home");
    const editor = await createEditor("Alice", "http://127.0.0.1:9", "N", true);
    await saveEditor(editorHome(home), editor, PASSPHRASE, { out: () => {}, err: () => {}, env: testEnv(), cwd: process.cwd(), interactive: false });
    const recipient = await identityToRecipient(await generateX25519Identity());
    pseudonym = pseudonymFor(recipient);
    const channel = { recipient, mailbox: { id: "cd".repeat(16), credential: "ef".repeat(32) } };
    channelOf.current = channel;
    editorOf.current = editor.ageRecipient;
    const put = async (vault: Vault, id: string, e: Envelope) => {
      const sealed = await sealEnvelope(e, [editor.ageRecipient]);
      await vault.putSubmission({ id, desk: e.desk, day, envelopeSize: sealed.length, envelope: sealed });
    };
    // All on one server day, in this order: the submission and its follow-up are pulled, then Alice answers
    // the first submission. A reply ranked "right after what it answers" would come before the follow-up.
    const vault = await Vault.open(join(home, "vault.sqlite"));
    try {
      await put(vault, ids.first, envelope("The convoy left at dawn", "submission", channel));
      await put(vault, ids.followup, envelope("Twelve trucks, army plates", "followup", channel));
      const reply: Reply = { v: 1, kind: "reply", message: "Thank you; which road?", from: "News", to: recipient, inReplyTo: ids.first, day };
      const sealed = await sealBytes(utf8(JSON.stringify(reply)), [editor.ageRecipient, recipient]);
      await vault.putItem("replies", { id: ids.reply, day, size: sealed.length, data: sealed });
      await put(vault, ids.anonymous, envelope("No codename here", "submission", null));
    } finally {
      await vault.close();
    }
    inbox = await spawnInbox(["--home", home], testEnv());
  }, 120_000);
  afterAll(async () => {
    await inbox?.stop();
    if (home) await rm(join(home, ".."), { recursive: true, force: true });
  });

  it("orders a day's submission, follow-up and reply as they reached the vault, as `sealdrop source` does", async () => {
    const dossier = await api<Dossier>(`/api/sources/${encodeURIComponent(pseudonym)}`);
    expect(dossier.items.map((i) => [i.type, i.id, i.day])).toEqual([
      ["submission", ids.first, day],
      ["followup", ids.followup, day],
      ["reply", ids.reply, day],
    ]);
    const cli = await runInProcess(["source", pseudonym, "--home", home, "--json"]);
    expect(cli.code, cli.stderr).toBe(0);
    const { timeline } = JSON.parse(cli.stdout) as { timeline: { id: string }[] };
    expect(timeline.map((e) => e.id)).toEqual(dossier.items.map((i) => i.id));
    expect(JSON.stringify(dossier)).not.toMatch(/"seq"/);
  }, 120_000);

  it("counts unread by this editor's read marks: opening a conversation marks nothing, a read mark does", async () => {
    const anonymous = `Anonymous ${ids.anonymous.slice(0, 8)}`;
    expect(await unread()).toEqual({ [pseudonym]: 2, [anonymous]: 1 });
    await api<Dossier>(`/api/sources/${encodeURIComponent(pseudonym)}`);
    expect(await unread()).toEqual({ [pseudonym]: 2, [anonymous]: 1 });
    expect((await api<InboxSummary>("/api/summary")).pendingTriage).toBe(0);

    // A read mark on one submission from the CLI, queued in the same home, counts once the inbox reloads.
    const marked = await runInProcess(["triage", "read", ids.followup, "--later", "--home", home]);
    expect(marked.code, marked.stderr).toBe(0);
    await api("/api/refresh", { method: "POST", body: {} });
    expect(await unread()).toEqual({ [pseudonym]: 1, [anonymous]: 1 });

    // The inbox's own read mark on the source, queued like a star: one mark per submission it holds.
    expect((await api<{ pending: number }>(`/api/sources/${encodeURIComponent(pseudonym)}/triage`, { method: "POST", body: { op: "read" } })).pending).toBe(3);
    expect(await unread()).toEqual({ [pseudonym]: 0, [anonymous]: 1 });
    await api(`/api/sources/${encodeURIComponent(pseudonym)}/triage`, { method: "POST", body: { op: "unread" } });
    expect(await unread()).toEqual({ [pseudonym]: 2, [anonymous]: 1 });

    // Read as of now: what the source sends after the mark arrives unread, in the inbox and in the CLI.
    await api(`/api/sources/${encodeURIComponent(pseudonym)}/triage`, { method: "POST", body: { op: "read" } });
    expect(await unread()).toEqual({ [pseudonym]: 0, [anonymous]: 1 });
    const vault = await Vault.open(join(home, "vault.sqlite"));
    try {
      const sealed = await sealEnvelope(envelope("One more: they came back", "followup", channelOf.current!), [editorOf.current!]);
      await vault.putSubmission({ id: ids.later, desk: "news", day, envelopeSize: sealed.length, envelope: sealed });
    } finally {
      await vault.close();
    }
    await api("/api/refresh", { method: "POST", body: {} });
    expect(await unread()).toEqual({ [pseudonym]: 1, [anonymous]: 1 });
    const shown = await runInProcess(["triage", "show", pseudonym, "--json", "--home", home]);
    expect(shown.code, shown.stderr).toBe(0);
    expect((JSON.parse(shown.stdout) as { items: { readByMe: boolean }[] }).items[0]!.readByMe).toBe(false);
    expect((await runInProcess(["triage", "read", pseudonym, "--later", "--home", home])).code).toBe(0);
    await api("/api/refresh", { method: "POST", body: {} });
    expect(await unread()).toEqual({ [pseudonym]: 0, [anonymous]: 1 });
  }, 120_000);
});
