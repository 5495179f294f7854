// A network of anonymous sources and a desk of editors, run against a deployment over HTTP. Sources
// submit (some with attachments), come back with their codename, read replies and follow up; editors
// pull, decrypt, reply and annotate. At the end every acknowledged item is fetched again and must
// decrypt to what was sent: anything else counts as lost.
import { readdir, stat, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { wordlist as english } from "@scure/bip39/wordlists/english.js";
import { fromBase64, randomBytes, toBase64, toHex } from "../../src/core/bytes.js";
import { codenameToPhrase, newCodenameEntropy, phraseToCodename } from "../../src/core/codename.js";
import { credentialHash, deriveSourceKeys, keyKindOf, type SourceKeys } from "../../src/core/derive.js";
import { type Envelope, openBytes, openEnvelope, sealBytes, sealEnvelope } from "../../src/core/envelope.js";
import { type Note, noteSchema, openJson, type Reply, replySchema, sealJson } from "../../src/core/messages.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { createApp } from "../../src/server/app.js";
import type { ServerConfig } from "../../src/server/deps.js";
import { initializeNewsroom } from "../../src/server/newsroom.js";
import { createNodeDeps } from "../../src/server/node/serve.js";
import { Metrics, newEditor, percentile, SimClient, type SimEditor } from "./client.js";

export interface SimulationOptions {
  sources: number;
  editors: number;
  days: number;
  /** A running deployment with a fresh database and `setupToken`; unset: a Node + SQLite server on a temp dir. */
  url?: string;
  setupToken?: string;
  /** Classic X25519 newsroom keys instead of the post-quantum default. */
  classic?: boolean;
  /** Requests in flight at once. */
  concurrency?: number;
  /** Server config for the built-in server (e.g. proof of work difficulty). */
  serverConfig?: Partial<ServerConfig>;
  log?: (line: string) => void;
}

export interface SimulationReport {
  sources: number;
  editors: number;
  days: number;
  durationSeconds: number;
  requests: number;
  throughputPerSecond: number;
  latencyMs: Record<string, { count: number; p50: number; p99: number }>;
  powMs: { count: number; p50: number; p99: number };
  errors: Record<string, number>;
  retries: number;
  sent: { submissions: number; followups: number; attachments: number; replies: number; notes: number };
  lost: { submissions: number; attachments: number; replies: number; notes: number };
  storage: { beforeBytes: number; afterBytes: number; growthBytes: number; perSubmissionBytes: number };
}

interface Source {
  entropy: Uint8Array;
  phrase: string;
  keys?: SourceKeys;
  submitted: { receipt: string; message: string; file?: Uint8Array }[];
  repliesSeen: Set<string>;
}

const rand = () => Math.random();
const word = () => toHex(randomBytes(4));

async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

async function diskUsage(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await diskUsage(path) : (await stat(path)).size;
  }
  return total;
}

async function startLocalServer(editor: SimEditor, config: Partial<ServerConfig>): Promise<{ url: string; dataDir: string; close(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), "sealdrop-sim-"));
  const deps = await createNodeDeps(dataDir);
  deps.config = { ...deps.config, ...config };
  await initializeNewsroom(deps.db, { name: "Simulated Desk", desks: [{ id: "news", name: "News" }], editor: editor.publicKeys }, new Date());
  const app = createApp(deps);
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        dataDir,
        close: () =>
          new Promise<void>((done) => server.close(() => void deps.db.destroy().then(() => rm(dataDir, { recursive: true, force: true })).then(() => done()))),
      }),
    );
  });
}

export async function runSimulation(options: SimulationOptions): Promise<SimulationReport> {
  const log = options.log ?? (() => {});
  const concurrency = options.concurrency ?? 8;
  const classic = options.classic ?? false;
  const editors = await Promise.all(Array.from({ length: Math.max(1, options.editors) }, (_, i) => newEditor(`Editor ${i + 1}`, classic)));
  const lead = editors[0]!;
  let local: Awaited<ReturnType<typeof startLocalServer>> | undefined;
  let url = options.url;
  if (!url) {
    local = await startLocalServer(lead, options.serverConfig ?? {});
    url = local.url;
  }
  const metrics = new Metrics();
  const http = new SimClient(url, metrics);
  try {
    if (options.url) {
      if (!options.setupToken) throw new Error("--url needs --setup-token for a fresh deployment: the simulator sets up its own newsroom");
      const res = await fetch(`${url}/api/setup`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token: options.setupToken, newsroom: { name: "Simulated Desk", desks: [{ id: "news", name: "News" }], editor: lead.publicKeys } }),
      });
      if (res.status !== 201) throw new Error(`setup failed: ${res.status} ${await res.text()}`);
    }
    for (const e of editors.slice(1)) {
      const res = await http.editor("add editor", lead, "POST", "/api/editor/editors", e.publicKeys);
      if (res.status !== 201) throw new Error(`adding an editor failed: ${res.status}`);
    }
    const recipients = editors.map((e) => e.recipient);
    const kind = keyKindOf(lead.recipient);
    const before = local ? await diskUsage(local.dataDir) : 0;

    const sources: Source[] = Array.from({ length: options.sources }, () => {
      const entropy = newCodenameEntropy();
      return { entropy, phrase: codenameToPhrase(entropy, english), submitted: [], repliesSeen: new Set() };
    });
    const sent = { submissions: 0, followups: 0, attachments: 0, replies: 0, notes: 0 };
    const expectedReplies = new Map<string, { mailbox: string; message: string }[]>();
    const notes: { id: string; note: Note }[] = [];
    const bySubmission = new Map<string, { message: string; source: Source; file?: Uint8Array }>();
    const seenByDesk = new Set<string>();
    const started = performance.now();

    const uploadFile = async (file: Uint8Array): Promise<string | null> => {
      const ciphertext = await sealBytes(file, recipients);
      const created = await http.anonymousJson("upload create", "/api/uploads", {});
      if (created.status !== 201) return null;
      const { id } = (await created.json()) as { id: string };
      const partSize = 64 * 1024;
      for (let part = 0; part * partSize < ciphertext.length; part++) {
        const res = await http.anonymous("upload part", "PUT", `/api/uploads/${id}/parts/${part}`, ciphertext.slice(part * partSize, (part + 1) * partSize), "application/octet-stream");
        await res.arrayBuffer();
        if (!res.ok) return null;
      }
      return id;
    };

    const sourceTurn = async (s: Source) => {
      // A returning source types its codename again: the phrase must give back the same keys.
      s.keys ??= await deriveSourceKeys(phraseToCodename(s.phrase, [english]), kind);
      const first = s.submitted.length === 0;
      if (!first && rand() < 0.6) {
        const res = await http.anonymousJson("mailbox", "/api/mailbox", { id: s.keys.mailboxId, credential: s.keys.mailboxCredential });
        if (res.ok) {
          const body = (await res.json()) as { replies: { ciphertext: string }[] };
          for (const r of body.replies) {
            const reply = await openJson(replySchema, fromBase64(r.ciphertext), [s.keys.replyIdentity]);
            s.repliesSeen.add(reply.message);
          }
        }
      }
      if (!(first ? rand() < 0.7 : rand() < 0.3)) return;
      const message = `${first ? "tip" : "follow-up"} ${word()} ${word()} from the border`;
      const file = first && rand() < 0.3 ? randomBytes(2_000 + Math.floor(rand() * 150_000)) : undefined;
      const uploads: string[] = [];
      if (file) {
        const id = await uploadFile(file);
        if (!id) return;
        uploads.push(id);
      }
      const envelope: Envelope = {
        v: 1,
        kind: first ? "submission" : "followup",
        desk: "news",
        message,
        fields: {},
        attachments: file ? [{ name: "photo.jpg", type: "image/jpeg", size: file.length, sha256: toHex(sha256(file)) }] : [],
        reply: { recipient: s.keys.replyRecipient, mailbox: { id: s.keys.mailboxId, credential: s.keys.mailboxCredential } },
        client: "sealdrop-simulator/1",
        lang: "en",
      };
      const res = await http.anonymousJson("submission", "/api/submissions", {
        desk: "news",
        envelope: toBase64(await sealEnvelope(envelope, recipients)),
        attachments: uploads,
      });
      if (res.status !== 201) return;
      const { id } = (await res.json()) as { id: string };
      s.submitted.push({ receipt: id, message, file });
      bySubmission.set(id, { message, source: s, file });
      if (first) sent.submissions++;
      else sent.followups++;
      if (file) sent.attachments++;
    };

    const editorTurn = async (e: SimEditor, day: number) => {
      const list = (await (await http.editor("editor list", e, "GET", "/api/editor/submissions")).json()) as { submissions: { id: string }[] };
      const fresh = list.submissions.filter((s) => !seenByDesk.has(s.id));
      for (const s of fresh) seenByDesk.add(s.id);
      await pool(fresh, 2, async (summary) => {
        const res = await http.editor("editor envelope", e, "GET", `/api/editor/submissions/${summary.id}/envelope`);
        if (!res.ok) return;
        const envelope = await openEnvelope(new Uint8Array(await res.arrayBuffer()), [e.identity]);
        if (envelope.reply && rand() < 0.6) {
          const message = `reply ${word()}: can you say more about ${envelope.message.slice(0, 20)}?`;
          const value: Reply = { v: 1, kind: "reply", message, from: "News", to: envelope.reply.recipient, inReplyTo: summary.id, day: `2026-01-${String((day % 28) + 1).padStart(2, "0")}` };
          const ciphertext = await sealJson(replySchema, value, [envelope.reply.recipient, ...recipients]);
          const post = await http.editor("editor reply", e, "POST", "/api/editor/replies", {
            mailbox: envelope.reply.mailbox.id,
            credentialHash: credentialHash(envelope.reply.mailbox.credential),
            ciphertext: toBase64(ciphertext),
          });
          if (post.status === 201) {
            sent.replies++;
            const list = expectedReplies.get(envelope.reply.mailbox.id) ?? [];
            list.push({ mailbox: envelope.reply.mailbox.id, message });
            expectedReplies.set(envelope.reply.mailbox.id, list);
          }
        }
        if (rand() < 0.4) {
          const note: Note = {
            v: 1,
            kind: "note",
            subject: { type: "submission", id: summary.id },
            tags: ["region:north-hamgyong"],
            reliability: "C",
            credibility: 3,
            text: `seen by ${e.publicKeys.name}`,
            links: [],
            author: e.publicKeys.name,
            day: "2026-01-01",
          };
          const post = await http.editor("editor note", e, "POST", "/api/editor/notes", { ciphertext: toBase64(await sealJson(noteSchema, note, recipients)) });
          if (post.status === 201) {
            sent.notes++;
            notes.push({ id: ((await post.json()) as { id: string }).id, note });
          }
        }
      });
    };

    for (let day = 0; day < options.days; day++) {
      await pool(sources, concurrency, sourceTurn);
      await pool(editors, concurrency, (e) => editorTurn(e, day));
      log(`day ${day + 1}/${options.days}: ${sent.submissions} submissions, ${sent.followups} follow-ups, ${sent.replies} replies, ${sent.notes} notes, ${metrics.requests} requests`);
    }
    const durationSeconds = (performance.now() - started) / 1000;

    // Verification: every acknowledged item comes back and decrypts to what was sent.
    const lost = { submissions: 0, attachments: 0, replies: 0, notes: 0 };
    const checker = editors[editors.length - 1]!;
    const all = (await (await http.editor("verify", checker, "GET", "/api/editor/submissions")).json()) as { submissions: { id: string; attachments: { id: string }[] }[] };
    const listed = new Map(all.submissions.map((s) => [s.id, s]));
    await pool([...bySubmission], concurrency, async ([id, expected]) => {
      const summary = listed.get(id);
      const res = summary ? await http.editor("verify", checker, "GET", `/api/editor/submissions/${id}/envelope`) : null;
      const envelope = res?.ok ? await openEnvelope(new Uint8Array(await res.arrayBuffer()), [checker.identity]).catch(() => null) : null;
      if (!envelope || envelope.message !== expected.message) lost.submissions++;
      if (expected.file) {
        const att = summary?.attachments[0] ? await http.editor("verify", checker, "GET", `/api/editor/attachments/${summary.attachments[0].id}`) : null;
        const bytes = att?.ok ? await openBytes(new Uint8Array(await att.arrayBuffer()), [checker.identity]).catch(() => null) : null;
        if (!bytes || toHex(sha256(bytes)) !== toHex(sha256(expected.file))) lost.attachments++;
      }
    });
    await pool(sources.filter((s) => s.keys && expectedReplies.has(s.keys.mailboxId)), concurrency, async (s) => {
      const res = await http.anonymousJson("verify", "/api/mailbox", { id: s.keys!.mailboxId, credential: s.keys!.mailboxCredential });
      const body = res.ok ? ((await res.json()) as { replies: { ciphertext: string }[] }) : { replies: [] };
      const got = new Set<string>();
      for (const r of body.replies) got.add((await openJson(replySchema, fromBase64(r.ciphertext), [s.keys!.replyIdentity])).message);
      for (const r of expectedReplies.get(s.keys!.mailboxId)!) if (!got.has(r.message)) lost.replies++;
    });
    await pool(notes, concurrency, async ({ id, note }) => {
      const res = await http.editor("verify", checker, "GET", `/api/editor/notes/${id}`);
      const opened = res.ok ? await openJson(noteSchema, new Uint8Array(await res.arrayBuffer()), [checker.identity]).catch(() => null) : null;
      if (!opened || JSON.stringify(opened) !== JSON.stringify(note)) lost.notes++;
    });

    const after = local ? await diskUsage(local.dataDir) : 0;
    const latencyMs: SimulationReport["latencyMs"] = {};
    for (const [k, v] of metrics.latencies) if (k !== "verify") latencyMs[k] = { count: v.length, p50: round(percentile(v, 50)), p99: round(percentile(v, 99)) };
    const submissionsTotal = sent.submissions + sent.followups;
    return {
      sources: options.sources,
      editors: editors.length,
      days: options.days,
      durationSeconds: round(durationSeconds),
      requests: metrics.requests,
      throughputPerSecond: round(metrics.requests / durationSeconds),
      latencyMs,
      powMs: { count: metrics.powMs.length, p50: round(percentile(metrics.powMs, 50)), p99: round(percentile(metrics.powMs, 99)) },
      errors: Object.fromEntries(metrics.errors),
      retries: metrics.retries,
      sent,
      lost,
      storage: { beforeBytes: before, afterBytes: after, growthBytes: after - before, perSubmissionBytes: submissionsTotal ? Math.round((after - before) / submissionsTotal) : 0 },
    };
  } finally {
    await local?.close();
  }
}

const round = (n: number) => Math.round(n * 10) / 10;
