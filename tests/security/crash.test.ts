// kill -9 in the middle of concurrent submissions, uploads, replies and notes. After a restart: every
// acknowledged item is intact and decrypts, unacknowledged uploads resume or are gone, and every blob
// file has its row and every row its blob.
import { readdir } from "node:fs/promises";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { randomBytes, toBase64 } from "../../src/core/bytes.js";
import { type Envelope, openBytes, openEnvelope, sealBytes, sealEnvelope } from "../../src/core/envelope.js";
import { type Note, noteSchema, openJson, sealJson } from "../../src/core/messages.js";
import { openNodeDatabase } from "../../src/server/node/database.js";
import { freshFetch } from "../helpers/http.js";
import { powFetch } from "../helpers/pow.js";
import { seedNewsroom } from "../helpers/newsroom.js";
import { editorFetch } from "../helpers/server.js";
import { type KillableServer, spawnServerProcess } from "./spawn.js";

const PART = 16 * 1024;
const json = { "content-type": "application/json" };
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

interface Tip {
  message: string;
  file: Uint8Array;
  ciphertext?: Uint8Array;
  uploadId?: string;
  receipt?: string;
}

async function sendTip(url: () => string, tip: Tip, recipients: string[]): Promise<void> {
  tip.ciphertext ??= await sealBytes(tip.file, recipients);
  const created = await powFetch(`${url()}/api/uploads`, { method: "POST", headers: json, body: "{}" });
  if (created.status !== 201) throw new Error(`create ${created.status}`);
  tip.uploadId = ((await created.json()) as { id: string }).id;
  await sendParts(url, tip, 0);
  await submit(url, tip, recipients);
}

async function sendParts(url: () => string, tip: Tip, fromPart: number): Promise<void> {
  const c = tip.ciphertext!;
  for (let part = fromPart; part * PART < c.length; part++) {
    const res = await powFetch(`${url()}/api/uploads/${tip.uploadId}/parts/${part}`, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream" },
      body: c.slice(part * PART, (part + 1) * PART),
    });
    if (!res.ok) throw new Error(`part ${res.status}`);
  }
}

async function submit(url: () => string, tip: Tip, recipients: string[]): Promise<void> {
  const envelope: Envelope = { v: 1, kind: "submission", desk: "news", message: tip.message, fields: {}, attachments: [], reply: null, client: "crash/0", lang: "en" };
  const res = await powFetch(`${url()}/api/submissions`, {
    method: "POST",
    headers: json,
    body: JSON.stringify({ desk: "news", envelope: toBase64(await sealEnvelope(envelope, recipients)), attachments: [tip.uploadId] }),
  });
  if (res.status !== 201) throw new Error(`submit ${res.status}`);
  tip.receipt = ((await res.json()) as { id: string }).id;
}

describe("kill -9 during concurrent writes", () => {
  it("loses no acknowledged item, leaves no orphan, and lets uploads resume", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "sealdrop-crash-"));
    const db = await openNodeDatabase(dataDir);
    const { editor } = await seedNewsroom(db, { classic: true }).finally(() => db.destroy());
    let server: KillableServer = await spawnServerProcess(dataDir);
    cleanups.push(async () => {
      await server.kill();
      await rm(dataDir, { recursive: true, force: true });
    });
    const url = () => server.url;
    const recipients = [editor.recipient];

    const tips: Tip[] = Array.from({ length: 10 }, (_, i) => ({ message: `tip ${i} ${toBase64(randomBytes(6))}`, file: randomBytes(20_000 + i * i * 8_000) }));
    const notes: { note: Note; id?: string }[] = [];
    let acknowledged = 0;
    let killed = false;
    const kill = () => {
      if (killed) return;
      killed = true;
      void server.kill("SIGKILL");
    };
    const tipTasks = tips.map(async (tip) => {
      await sendTip(url, tip, recipients).catch(() => {});
      if (tip.receipt && ++acknowledged >= 3) kill();
    });
    const noteTask = (async () => {
      for (let i = 0; !killed && i < 500; i++) {
        const note: Note = { v: 1, kind: "note", subject: { type: "source", pseudonym: "Amber Heron 1" }, tags: ["region:north"], reliability: "B", credibility: 2, text: `note ${i}`, links: [], author: "e", day: "2026-01-01" };
        const entry: { note: Note; id?: string } = { note };
        notes.push(entry);
        const res = await editorFetch(server, editor, "POST", "/api/editor/notes", { ciphertext: toBase64(await sealJson(noteSchema, note, recipients)) }).catch(() => null);
        if (res?.status === 201) entry.id = ((await res.json()) as { id: string }).id;
      }
    })();
    await Promise.all([...tipTasks, noteTask]);
    expect(killed).toBe(true);
    await server.kill("SIGKILL");
    const acked = tips.filter((t) => t.receipt);
    expect(acked.length).toBeGreaterThanOrEqual(3);
    expect(acked.length).toBeLessThan(tips.length);

    server = await spawnServerProcess(dataDir);

    // Every acknowledged submission and note is intact and decrypts.
    const list = (await (await editorFetch(server, editor, "GET", "/api/editor/submissions")).json()) as { submissions: { id: string; attachments: { id: string }[] }[] };
    for (const tip of acked) {
      const found = list.submissions.find((s) => s.id === tip.receipt)!;
      expect(found).toBeDefined();
      const env = await editorFetch(server, editor, "GET", `/api/editor/submissions/${tip.receipt}/envelope`);
      expect((await openEnvelope(new Uint8Array(await env.arrayBuffer()), [editor.identity])).message).toBe(tip.message);
      const att = await editorFetch(server, editor, "GET", `/api/editor/attachments/${found.attachments[0]!.id}`);
      expect(await openBytes(new Uint8Array(await att.arrayBuffer()), [editor.identity])).toEqual(tip.file);
    }
    for (const n of notes.filter((x) => x.id)) {
      const res = await editorFetch(server, editor, "GET", `/api/editor/notes/${n.id}`);
      expect(await openJson(noteSchema, new Uint8Array(await res.arrayBuffer()), [editor.identity])).toEqual(n.note);
    }

    // Unacknowledged tips: resume the upload where the server says it stands, or start again if it is gone.
    let resumed = 0;
    for (const tip of tips.filter((t) => !t.receipt)) {
      const status = tip.uploadId ? await freshFetch(`${url()}/api/uploads/${tip.uploadId}`) : null;
      if (status?.status === 200) {
        const { parts } = (await status.json()) as { parts: number };
        await sendParts(url, tip, parts);
        await submit(url, tip, recipients);
        resumed++;
      } else {
        await sendTip(url, tip, recipients);
      }
      const found = ((await (await editorFetch(server, editor, "GET", "/api/editor/submissions")).json()) as typeof list).submissions.find((s) => s.id === tip.receipt)!;
      const att = await editorFetch(server, editor, "GET", `/api/editor/attachments/${found.attachments[0]!.id}`);
      expect(await openBytes(new Uint8Array(await att.arrayBuffer()), [editor.identity])).toEqual(tip.file);
    }
    console.log(`crash: ${acked.length} acknowledged before kill -9, ${tips.length - acked.length} unacknowledged (${resumed} resumed), ${notes.filter((n) => n.id).length} notes`);

    // No orphans, either way.
    await server.kill("SIGTERM");
    const check = await openNodeDatabase(dataDir);
    try {
      const rows = async (table: "submissions" | "attachments" | "replies" | "notes" | "uploads") =>
        new Set((await check.selectFrom(table).select("id").execute()).map((r) => r.id).sort());
      const files = async (dir: string) => new Set((await readdir(join(dataDir, "blobs", dir))).sort());
      const uploads = await rows("uploads");
      // Envelopes live in their rows: every acknowledged submission has one, and no envelope file exists.
      const envelopes = await check.selectFrom("submissions").select(["id", "envelope"]).execute();
      expect(envelopes.filter((s) => s.envelope === null)).toEqual([]);
      expect(await files("envelopes")).toEqual(new Set());
      expect(await files("attachments")).toEqual(await rows("attachments"));
      expect(await files("notes")).toEqual(await rows("notes"));
      expect(await files("replies")).toEqual(await rows("replies"));
      for (const f of await files("uploads")) expect(uploads.has(f)).toBe(true);
    } finally {
      await check.destroy();
    }
  });
});
