// Invariant 6: once the receipt is out, a crash of the server process loses nothing.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { randomBytes } from "../../src/core/bytes.js";
import { openBytes, openEnvelope } from "../../src/core/envelope.js";
import { openNodeDatabase } from "../../src/server/node/database.js";
import { spawnServer, type ServerProcess } from "../helpers/process.js";
import { seedNewsroom } from "../helpers/newsroom.js";
import { editorFetch } from "../helpers/server.js";
import { submitTip } from "../helpers/source.js";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe("a crash right after the receipt", () => {
  it("loses nothing: the tip and its attachment are there after a restart", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "sealdrop-crash-"));
    const db = await openNodeDatabase(dataDir);
    const { editor } = await seedNewsroom(db).finally(() => db.destroy());

    let server: ServerProcess = await spawnServer(dataDir);
    cleanups.push(async () => {
      await server.kill();
      await rm(dataDir, { recursive: true, force: true });
    });
    const file = randomBytes(300_000);
    const receipt = await submitTip(server.url, "crash canary", [{ name: "a.bin", type: "application/octet-stream", bytes: file }]);
    await server.kill("SIGKILL");
    expect(server.child.signalCode).toBe("SIGKILL");

    server = await spawnServer(dataDir);
    const list = await editorFetch(server, editor, "GET", "/api/editor/submissions");
    const { submissions } = (await list.json()) as { submissions: { id: string; attachments: { id: string }[] }[] };
    const found = submissions.find((s) => s.id === receipt.id);
    expect(found).toBeDefined();
    const env = await editorFetch(server, editor, "GET", `/api/editor/submissions/${receipt.id}/envelope`);
    expect((await openEnvelope(new Uint8Array(await env.arrayBuffer()), [editor.identity])).message).toBe("crash canary");
    const att = await editorFetch(server, editor, "GET", `/api/editor/attachments/${found!.attachments[0]!.id}`);
    expect(await openBytes(new Uint8Array(await att.arrayBuffer()), [editor.identity])).toEqual(file);
  });
});
